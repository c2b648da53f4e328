import Foundation

/// Brings a whole history into a journal, keeping each record's original time.
///
/// For inputs of any size use ``importRecords(from:format:into:timeZone:chunkRecords:unmatchedCorrections:progress:)``
/// (streaming, bounded memory, committed in chunks), after ``check(_:format:timeZone:unmatchedCorrections:progress:)`` when the
/// input can be read twice. ``parse(_:format:timeZone:)`` holds the whole input and its records
/// in memory (small inputs only); ``importRecords(_:format:into:timeZone:unmatchedCorrections:)`` holds the input.
///
/// Record numbers: the imported records get the journal's next numbers, not the ones in the
/// input. An amendment in one of our NDJSON exports names the record it corrects by the
/// export's number (`sequence`); the import points it at that record as numbered here, and
/// refuses it when the record is not in the import before it (a filtered or salvaged export),
/// unless asked to keep such a correction as what it corrects to (``UnmatchedCorrections``).
public enum JournalImport {
    /// Import source formats.
    public enum Format: String, Sendable, CaseIterable {
        /// SealedJournal's own NDJSON export (lossless round trip, custom kinds included).
        case ndjson
        /// jrnl's `jrnl --export json` (entries with date, time, title, body, tags, starred).
        case jrnlJSON = "jrnl-json"
    }

    /// Parses `data` into records ready to append. Throws ``JournalError/invalidField(field:reason:)``
    /// naming the line or entry that is wrong. An amendment keeps its `amends` as the input has
    /// it (its export's number); the imports below point it at the corrected record's number in
    /// the journal imported into.
    public static func parse(_ data: Data, format: Format, timeZone: TimeZone = .current) throws(JournalError) -> [PendingRecord] {
        switch format {
        case .ndjson: return try parseNDJSON(data)
        case .jrnlJSON: return try parseJrnl(data, timeZone: timeZone)
        }
    }

    /// Checks everything (``check(_:format:timeZone:unmatchedCorrections:progress:)``), then appends it with one
    /// ``Journal/appendBatch(_:)`` (bounded commits, one fsync each; consecutive numbers; a failed
    /// write takes the whole batch back): invalid input writes nothing. Holds the whole input
    /// and its records in memory. Returns the receipt (`nil` if there was nothing to import); a
    /// correction kept as what it corrects to is, as in the streaming import, a record of the
    /// batch like any other (the receipt does not count them).
    /// - Parameters:
    ///   - data: the whole input.
    ///   - format: the input format.
    ///   - journal: the journal to append to, open for writing.
    ///   - timeZone: the time zone for input times that carry no offset.
    ///   - unmatchedCorrections: what to do with a correction whose record is not in the input before it.
    @discardableResult
    public static func importRecords(_ data: Data, format: Format, into journal: Journal, timeZone: TimeZone = .current,
                                     unmatchedCorrections: UnmatchedCorrections = .refuse) throws(JournalError) -> AppendReceipt? {
        guard journal.mode == .readWrite else { throw .readOnly }
        // The check gives every error with its line, a correction without its record included.
        try check(.data(data), format: format, timeZone: timeZone, unmatchedCorrections: unmatchedCorrections)
        let records = try parse(data, format: format, timeZone: timeZone)
        guard !records.isEmpty else { return nil }
        var numbering = SourceNumbering()
        var corrections: [(index: Int, position: Int)] = []
        var unmatched: [(index: Int, exportNumber: UInt64)] = []
        for (index, record) in records.enumerated() {
            if let target = record.amends, record.sourceSequence != nil {
                if let position = numbering.position(of: target) {
                    corrections.append((index, position))
                } else if unmatchedCorrections == .keep {
                    unmatched.append((index, target))
                } else {
                    throw .invalidField(field: "record \(index + 1)", reason: unmatchedCorrectionReason(target))  // found by the check first
                }
            }
            numbering.note(record.sourceSequence)
        }
        var inputs = try Journal.sealInputs(records)
        for (index, exportNumber) in unmatched {
            inputs[index] = try inputs[index].unmatchedCorrectionKept(exportNumber: exportNumber, place: "record \(index + 1)")
        }
        guard !corrections.isEmpty else { return try journal.appendSealed(inputs, onOneThread: false) }
        // The batch gets consecutive numbers from the journal's next one, which the commit requires.
        let first = journal.recordCount
        for (index, position) in corrections {
            inputs[index] = try inputs[index].amendment(pointedAt: first + UInt64(position), place: "record \(index + 1)")
        }
        return try journal.appendSealed(inputs, onOneThread: false, expectedFirst: first)
    }

    static func parseNDJSON(_ data: Data) throws(JournalError) -> [PendingRecord] {
        var records: [PendingRecord] = []
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if let record = try ndjsonRecord(line, lineNumber: index + 1) { records.append(record) }
        }
        return records
    }

    /// The fields of an NDJSON line a typed decode needs first.
    private struct LineHead: Decodable {
        let kind: String
        let recordedAt: String
        let sequence: UInt64?
    }

    /// An NDJSON line's `sequence`: the record's number in the export (absent in hand-written lines).
    private struct LineSequence: Decodable {
        let sequence: UInt64?
    }

    /// A line's `data` decoded straight into a built-in type.
    private struct LineData<T: Decodable>: Decodable {
        let data: T
    }

    /// One NDJSON line as a record; `nil` for a blank line or an export's notice line (line 1).
    ///
    /// An entry line as our exports write it is read by ``ImportFastPath`` (no Foundation JSON);
    /// everything else goes through ``ndjsonRecordFoundation(_:lineNumber:)``.
    static func ndjsonRecord<Line: Collection<UInt8>>(_ line: Line, lineNumber: Int) throws(JournalError) -> PendingRecord? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return nil }
        if let record = line.withContiguousStorageIfAvailable({ ImportFastPath.ndjsonEntry(UnsafeRawBufferPointer($0)) }) ?? nil {
            return record
        }
        return try ndjsonRecordFoundation(line, lineNumber: lineNumber)
    }

    /// Foundation's path: a line of a built-in kind is decoded with one typed `JSONDecoder` pass for its
    /// `kind` and `recordedAt` and one for its `data` (no `JSONSerialization` round trip); the record
    /// is then checked exactly as on the general path. Anything the fast path does not accept
    /// (app-defined kinds, notice lines, every kind of invalid input) goes through the general path,
    /// which gives the same records and the same errors. (Tests compare it with ``ImportFastPath``.)
    static func ndjsonRecordFoundation<Line: Collection<UInt8>>(_ line: Line, lineNumber: Int) throws(JournalError) -> PendingRecord? {
        let where_ = "line \(lineNumber)"
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let data = Data(line)
        if let head = try? RecordCoding.decoder.decode(LineHead.self, from: data), let date = parseTimestamp(head.recordedAt) {
            func typed<T: JournalRecordContent>(_ type: T.Type) -> PendingRecord? {
                guard let value = try? RecordCoding.decoder.decode(LineData<T>.self, from: data).data, (try? value.validate()) != nil else { return nil }
                return PendingRecord(value, recordedAt: date)
            }
            let record: PendingRecord?
            switch head.kind {
            case RecordKind.entry: record = typed(JournalEntry.self)
            case RecordKind.checkIn: record = typed(CheckIn.self)
            case RecordKind.amendment: record = typed(Amendment.self)
            case RecordKind.disclosure: record = typed(Disclosure.self)
            default: record = nil
            }
            if var record {
                record.sourceSequence = head.sequence
                return record
            }
        }
        return try ndjsonRecordGeneral(data, lineNumber: lineNumber, where: where_)
    }

    /// The general path of ``ndjsonRecord(_:lineNumber:)``: parse, re-encode the payload canonically, decode.
    private static func ndjsonRecordGeneral(_ line: Data, lineNumber: Int, where where_: String) throws(JournalError) -> PendingRecord? {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            throw .invalidField(field: where_, reason: "is not a JSON object")
        }
        if lineNumber == 1 && object.count == 1 && object["notice"] is String { return nil }  // an export's notice line
        guard let kind = object["kind"] as? String else { throw .invalidField(field: where_, reason: "has no \"kind\"") }
        let sequence: UInt64?
        do { sequence = try RecordCoding.decoder.decode(LineSequence.self, from: line).sequence } catch {
            throw .invalidField(field: where_, reason: "has a \"sequence\" that is not a whole number from 0 (the record's number in the export)")
        }
        guard let time = object["recordedAt"] as? String, let date = parseTimestamp(time) else {
            throw .invalidField(field: where_, reason: "has no valid \"recordedAt\" (ISO 8601)")
        }
        guard let payload = object["data"] as? [String: Any],
              let payloadData = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw .invalidField(field: where_, reason: "has no \"data\" object")
        }
        var record = try pending(kind: kind, payload: payloadData, recordedAt: date, where: where_)
        record.sourceSequence = sequence
        return record
    }

    /// Which field of a record's data a decoding error is about (`: "meetingKinds" is missing`),
    /// or nothing. Only the type's own field names are shown, never a value from the input.
    static func decodingProblem(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "" }
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { key in key.intValue.map { "item \($0 + 1)" } ?? "\"\(key.stringValue)\"" }.joined(separator: ", ")
        }
        switch error {
        case let .keyNotFound(key, context): return ": \(path(context.codingPath + [key])) is missing"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return context.codingPath.isEmpty ? "" : ": \(path(context.codingPath)) has the wrong type"
        case let .dataCorrupted(context): return context.codingPath.isEmpty ? "" : ": \(path(context.codingPath)) is not valid"
        @unknown default: return ""
        }
    }

    /// Re-encodes built-in kinds through their types (so ranges are checked and the encoding is
    /// canonical); app-defined kinds keep their JSON.
    static func pending(kind: String, payload: Data, recordedAt: Date, where place: String) throws(JournalError) -> PendingRecord {
        func typed<T: JournalRecordContent>(_ type: T.Type) throws(JournalError) -> PendingRecord {
            let value: T
            do { value = try RecordCoding.decoder.decode(T.self, from: payload) } catch {
                throw .invalidField(field: place, reason: "its data is not a valid \(kind)" + decodingProblem(error))
            }
            do { try value.validate() } catch let JournalError.invalidField(field, reason) {
                throw .invalidField(field: "\(place): \(field)", reason: reason)
            }
            return PendingRecord(value, recordedAt: recordedAt)
        }
        switch kind {
        case RecordKind.entry: return try typed(JournalEntry.self)
        case RecordKind.checkIn: return try typed(CheckIn.self)
        case RecordKind.amendment: return try typed(Amendment.self)
        case RecordKind.disclosure: return try typed(Disclosure.self)
        default:
            guard (1...RecordPlaintext.maximumKindByteCount).contains(kind.utf8.count) else {
                throw .invalidField(field: place, reason: "has an invalid kind name")
            }
            return PendingRecord(rawKind: kind, payload: [UInt8](payload), recordedAt: recordedAt)
        }
    }

    /// ISO 8601 with an optional fraction (kept to the millisecond, exactly) and `Z` or an offset.
    /// An impossible date or time (February 30th, hour 25) is refused, not rolled over as
    /// Foundation's parser would.
    static func parseTimestamp(_ text: String) -> Date? {
        guard CivilTime.dateTimeFields(Array(text.utf8.prefix(19))) != nil else { return nil }
        var whole = text
        var milliseconds = 0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return nil }
            milliseconds = Int(String(digits.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
            whole = String(text[..<dot]) + String(text[text.index(dot, offsetBy: digits.count + 1)...])
        }
        guard let date = try? Date.ISO8601FormatStyle().parse(whole) else { return nil }
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000 + Double(milliseconds)) / 1000)
    }

    static func parseJrnl(_ data: Data, timeZone: TimeZone) throws(JournalError) -> [PendingRecord] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = root["entries"] as? [[String: Any]] else {
            throw .invalidField(field: "input", reason: "is not a jrnl JSON export (no \"entries\" array)")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var records: [PendingRecord] = []
        for (index, entry) in entries.enumerated() {
            records.append(try jrnlRecord(entry, entryNumber: index + 1, calendar: calendar))
        }
        return records
    }

    /// One jrnl entry object (as Foundation's JSON gives it) as a record.
    static func jrnlRecord(_ entry: [String: Any], entryNumber: Int, calendar: Calendar) throws(JournalError) -> PendingRecord {
        try jrnlRecord(JrnlFields(entry), entryNumber: entryNumber, calendar: calendar)
    }

    /// One jrnl entry's fields as a record.
    static func jrnlRecord(_ entry: JrnlFields, entryNumber: Int, calendar: Calendar) throws(JournalError) -> PendingRecord {
        let place = "entry \(entryNumber)"
        guard let dateText = entry.date, let day = try? LocalDate(dateText) else {
            throw .invalidField(field: place, reason: "has no valid \"date\" (YYYY-MM-DD)")
        }
        var hour = 0, minute = 0
        if let time = entry.time, let (h, m) = plainTime(time) {
            hour = h
            minute = m
        } else if let time = entry.time {
            let parts = time.split(separator: ":").map { Int($0) }
            guard parts.count >= 2, let h = parts[0], let m = parts[1], (0..<24).contains(h), (0..<60).contains(m) else {
                throw .invalidField(field: place, reason: "has an invalid \"time\" (HH:MM)")
            }
            hour = h
            minute = m
        }
        guard let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute)) else {
            throw .invalidField(field: place, reason: "has a date that does not exist")
        }
        let title = entry.title.flatMap { $0.isEmpty ? nil : $0 }
        let body = entry.body ?? ""
        var tags = (entry.tags ?? []).map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }.filter { !$0.isEmpty }
        if entry.starred == true { tags.append("starred") }
        let value = JournalEntry(text: trimmingNewlines(body), title: title, tags: tags)
        do { try value.validate() } catch let JournalError.invalidField(field, reason) {
            throw .invalidField(field: "\(place): \(field)", reason: reason)
        }
        return PendingRecord(value, recordedAt: date)
    }

    /// `HH:MM` (exactly five ASCII bytes, in range), read as bytes; `nil` for anything else,
    /// which the general split above reads as it always did.
    static func plainTime(_ text: String) -> (hour: Int, minute: Int)? {
        var text = text
        return text.withUTF8 { bytes -> (Int, Int)? in
            guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
                  let hour = CivilTime.decimal(bytes, 0..<2), let minute = CivilTime.decimal(bytes, 3..<5),
                  hour < 24, minute < 60 else { return nil }
            return (hour, minute)
        }
    }

    /// `text` without leading and trailing newline characters (exactly the scalars of
    /// `CharacterSet.newlines`: U+000A-U+000D, U+0085, U+2028, U+2029), without Foundation's
    /// per-call cost: the common case (nothing to trim) returns `text` itself.
    static func trimmingNewlines(_ text: String) -> String {
        func isNewline(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
            default: return false
            }
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last, isNewline(first) || isNewline(last) else { return text }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isNewline(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isNewline(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}

/// The fields of a jrnl entry an import reads; any other type than the one named counts as
/// absent (as the casts of Foundation's dictionary give).
struct JrnlFields {
    var title: String?
    var body: String?
    var date: String?
    var time: String?
    var tags: [String]?
    var starred: Bool?

    init() {}

    /// The fields of a dictionary from `JSONSerialization`.
    init(_ entry: [String: Any]) {
        title = entry["title"] as? String
        body = entry["body"] as? String
        date = entry["date"] as? String
        time = entry["time"] as? String
        tags = entry["tags"] as? [String]
        starred = entry["starred"] as? Bool
    }
}
