import Foundation

/// Plaintext export formats for the journal's owner.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// One JSON document: `{"format": "sealed-journal-export", "version": 1, "journalID": ..., "records": [...]}`.
    case json
    /// One JSON object per line: `{"data": {...}, "kind": ..., "recordedAt": ..., "sequence": ...}`.
    /// Lossless: ``JournalImport`` reads it back.
    case ndjson
    /// RFC 4180 CSV, one row per record, one column per field (see ``OwnerExport/csvColumns``).
    /// Every row, the header included, ends in CRLF (`\r\n`); fields holding a comma, quote, CR
    /// or LF are quoted, quotes doubled. UTF-8, no byte-order mark.
    case csv
    /// A readable Markdown document.
    case markdown
}

/// Streams records out in an owner-export format, in constant memory.
///
/// Every export is plaintext: write it only where the user asked (standard output or a file
/// they named, see ``ExportFile``).
public enum OwnerExport {
    /// CSV header: every field of every built-in kind, and `data` (raw JSON) for app-defined kinds.
    public static let csvColumns = [
        "sequence", "kind", "recordedAt",
        "day", "timeZoneOffsetSeconds", "mood", "craving", "use", "sleepHours", "meetingsAttended", "meetingKinds",
        "medication", "triggers", "reachedOutToSupport", "note",
        "title", "text", "tags", "amends", "reason",
        "recipient", "purpose", "scope", "format", "digest", "data",
    ]

    /// Writes the records of `journal` matching `filter` in `format`, calling `write` with
    /// successive chunks. Returns the number of records written.
    ///
    /// This records no ``Disclosure``: it is for output the journal's owner keeps (a local
    /// copy, a migration). Anything shared goes through ``Journal/disclose(_:to:output:beforeRecording:)``
    /// with ``OwnerExport/Records``, which writes the same bytes and records the disclosure.
    ///
    /// - Parameters:
    ///   - journal: the journal to read.
    ///   - format: the export format.
    ///   - filter: which records to export (all by default).
    ///   - timeZone: used by Markdown for readable times (JSON, NDJSON and CSV use UTC ISO 8601).
    ///   - notice: text shown first (JSON: a `notice` field; NDJSON: a first `{"notice": ...}` line;
    ///     Markdown: a quote under the title). CSV cannot carry one.
    ///   - progress: called with the number of records written so far, after each record.
    ///   - damaged: when given, the export salvages (``Journal/salvageRecords(_:_:)``): it goes on
    ///     past records that cannot be read and reports each one here, instead of stopping.
    ///   - write: receives the output text in successive chunks (plaintext: see the note above).
    @discardableResult
    public static func write(_ journal: Journal, format: ExportFormat, filter: RecordFilter = .all,
                             timeZone: TimeZone = .current, notice: String? = nil,
                             progress: ((Int) -> Void)? = nil, damaged: ((DamagedRecord) -> Void)? = nil,
                             to write: (String) throws -> Void) throws -> Int {
        if format == .json || format == .ndjson {
            // Encoded as bytes (see writeBytes); each record's line is handed over as one String.
            return try writeBytes(journal, format: format, filter: filter, timeZone: timeZone, notice: notice,
                                  progress: progress, damaged: damaged) { try write(String(decoding: $0, as: UTF8.self)) }
        }
        var count = 0 {
            didSet { progress?(count) }
        }
        let journal = RecordSource(journal: journal, damaged: damaged)
        if notice != nil && format == .csv {
            throw JournalError.invalidField(field: "notice", reason: "CSV cannot carry a notice; use json, ndjson or markdown")
        }
        if format == .csv {
            try write(CSV.row(csvColumns))
            try journal.forEachRecord(filter) { record in
                try write(CSV.row(csvRow(record)))
                count += 1
            }
        } else {  // Markdown
            try write("# Journal export\n\nJournal `\(journal.journalIDHex)`, fingerprint `\(journal.fingerprint)`.\n")
            if let notice {
                try write("\n" + notice.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n") + "\n")
            }
            try journal.forEachRecord(filter) { record in
                try write("\n" + MarkdownRendering.render(record, timeZone: timeZone))
                count += 1
            }
            try write("\n---\n\n\(count) record(s).\n")
        }
        return count
    }

    /// One record as an NDJSON line (no newline), as in ``ExportFormat/ndjson``.
    /// - Throws: ``JournalError/corruptFrame(offset:sequence:reason:)`` when the payload is not a JSON object.
    public static func write(single record: JournalRecord, to write: (String) throws -> Void) throws {
        try write(try ndjsonLine(record))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in the proleptic Gregorian calendar, from whole milliseconds so
    /// nothing is lost to binary fractions (records store milliseconds, within years 0001-9999).
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let milliseconds = seconds.isFinite ? Int64(max(-6.3e13, min(2.6e14, (seconds * 1000).rounded()))) : 0
        return CivilTime.iso8601(milliseconds: min(max(milliseconds, CivilTime.earliestMilliseconds), CivilTime.latestMilliseconds))
    }

    static func jsonString(_ text: String) -> String {
        CanonicalJSONWriter.string(text) ?? (try? String(decoding: RecordCoding.encoder.encode(text), as: UTF8.self)) ?? "\"\""
    }

    /// `{"data":<payload>,"kind":"…","recordedAt":"…","sequence":n}` (keys sorted), with
    /// `prefix` before it and `suffix` after it (a separator, a line end) in the same string.
    static func ndjsonLine(_ record: JournalRecord, prefix: StaticString = "", suffix: StaticString = "") throws -> String {
        // Built as bytes, then one String (one copy of the payload, not one per concatenation).
        var out: [UInt8] = []
        try appendNDJSONLine(record, prefix: prefix, suffix: suffix, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``ndjsonLine(_:prefix:suffix:)`` appended to `out` as UTF-8 bytes.
    static func appendNDJSONLine(_ record: JournalRecord, prefix: StaticString = "", suffix: StaticString = "", to out: inout [UInt8]) throws {
        let payload = try RecordCoding.canonicalPayload(record)
        out.reserveCapacity(out.count + payload.count + 120)
        out.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        out.append(contentsOf: "{\"data\":".utf8)
        out.append(contentsOf: payload)
        out.append(contentsOf: ",\"kind\":".utf8)
        let kindStart = out.count
        if !CanonicalJSONWriter.appendString(record.kind.rawValue, to: &out) {
            out.removeSubrange(kindStart...)
            out.append(contentsOf: jsonString(record.kind.rawValue).utf8)
        }
        out.append(contentsOf: ",\"recordedAt\":\"".utf8)
        CivilTime.appendISO8601(milliseconds: record.recordedAtMilliseconds, to: &out)
        out.append(contentsOf: "\",\"sequence\":".utf8)
        out.append(contentsOf: String(record.sequence).utf8)
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount))
    }

    /// ``write(_:format:filter:timeZone:notice:progress:damaged:to:)`` handing its output over
    /// as UTF-8 bytes (valid until `write` returns). JSON and NDJSON records are encoded into
    /// one reused buffer, wiped after each record is handed over (no String per record).
    static func writeBytes(_ journal: Journal, format: ExportFormat, filter: RecordFilter = .all,
                           timeZone: TimeZone = .current, notice: String? = nil,
                           progress: ((Int) -> Void)? = nil, damaged: ((DamagedRecord) -> Void)? = nil,
                           to write: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        func text(_ string: String) throws {
            var string = string
            try string.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
        }
        guard format == .json || format == .ndjson else {
            // CSV and Markdown are built as Strings (rows and sections), handed over as their bytes.
            return try OwnerExport.write(journal, format: format, filter: filter, timeZone: timeZone, notice: notice,
                                         progress: progress, damaged: damaged, to: text)
        }
        var count = 0 {
            didSet { progress?(count) }
        }
        let journal = RecordSource(journal: journal, damaged: damaged)
        var line: [UInt8] = []
        line.reserveCapacity(8 << 10)
        defer { Sodium.wipe(&line) }
        func record(_ record: JournalRecord, prefix: StaticString, suffix: StaticString) throws {
            Sodium.wipe(&line)
            line.removeAll(keepingCapacity: true)
            try appendNDJSONLine(record, prefix: prefix, suffix: suffix, to: &line)
            try line.withUnsafeBytes { try write($0) }
            count += 1
        }
        if format == .json {
            let noticeField = notice.map { "\"notice\":" + jsonString($0) + "," } ?? ""
            try text("{\"format\":\"sealed-journal-export\",\"version\":1,\"journalID\":\"\(journal.journalIDHex)\",\(noticeField)\"records\":[\n")
            try journal.forEachRecord(filter) { try record($0, prefix: count == 0 ? "" : ",\n", suffix: "") }
            try text("\n]}\n")
        } else {
            if let notice { try text("{\"notice\":" + jsonString(notice) + "}\n") }
            try journal.forEachRecord(filter) { try record($0, prefix: "", suffix: "\n") }
        }
        return count
    }

    static func csvRow(_ record: JournalRecord) -> [String] {
        var fields = [String: String]()
        fields["sequence"] = String(record.sequence)
        fields["kind"] = record.kind.rawValue
        fields["recordedAt"] = timestamp(record.recordedAt)
        switch record.content {
        case let .entry(entry):
            fields["title"] = entry.title ?? ""
            fields["text"] = entry.text
            fields["tags"] = entry.tags.joined(separator: ";")
        case let .checkIn(c):
            fields["day"] = c.day.description
            fields["timeZoneOffsetSeconds"] = String(c.timeZoneOffsetSeconds)
            fields["mood"] = String(c.mood)
            fields["craving"] = String(c.craving)
            fields["use"] = c.use.rawValue
            fields["sleepHours"] = c.sleepHours.map { String($0) } ?? ""
            fields["meetingsAttended"] = String(c.meetingsAttended)
            fields["meetingKinds"] = c.meetingKinds.map(\.rawValue).joined(separator: ";")
            fields["medication"] = c.medication?.rawValue ?? ""
            fields["triggers"] = c.triggers.joined(separator: ";")
            fields["reachedOutToSupport"] = c.reachedOutToSupport ? "true" : "false"
            fields["note"] = c.note ?? ""
        case let .amendment(a):
            fields["amends"] = String(a.amends)
            fields["text"] = a.text
            fields["reason"] = a.reason ?? ""
        case let .disclosure(d):
            fields["recipient"] = d.recipient
            fields["purpose"] = d.purpose
            fields["scope"] = d.scope
            fields["format"] = d.format
            fields["digest"] = d.digest ?? ""
        case let .custom(_, json):
            fields["data"] = String(decoding: json, as: UTF8.self)
        }
        return csvColumns.map { fields[$0] ?? "" }
    }
}

/// RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted, quotes doubled; CRLF row ends.
enum CSV {
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func row(_ values: [String]) -> String { values.map(field).joined(separator: ",") + "\r\n" }
}

/// Markdown for people.
enum MarkdownRendering {
    static func render(_ record: JournalRecord, timeZone: TimeZone) -> String {
        let when = record.recordedAt.formatted(Date.ISO8601FormatStyle(timeZone: timeZone).year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: false).timeSeparator(.colon))
        let heading = "## #\(record.sequence) · \(when)"
        switch record.content {
        case let .entry(entry):
            var out = heading + " · Entry" + (entry.title.map { " — \($0)" } ?? "") + "\n\n" + entry.text + "\n"
            if !entry.tags.isEmpty { out += "\n_Tags: \(entry.tags.joined(separator: ", "))_\n" }
            return out
        case let .checkIn(c):
            var out = heading + " · Check-in for \(c.day)\n\n"
            out += "| mood | craving | use | sleep | meetings | medication | reached out |\n| --- | --- | --- | --- | --- | --- | --- |\n"
            let meetings = c.meetingsAttended == 0 ? "0" : "\(c.meetingsAttended)" + (c.meetingKinds.isEmpty ? "" : " (\(c.meetingKinds.map(\.rawValue).joined(separator: ", ")))")
            out += "| \(c.mood)/10 | \(c.craving)/10 | \(c.use.rawValue) | \(c.sleepHours.map { "\($0) h" } ?? "–") | \(meetings) | \(c.medication?.rawValue ?? "–") | \(c.reachedOutToSupport ? "yes" : "no") |\n"
            if !c.triggers.isEmpty { out += "\nTriggers: \(c.triggers.joined(separator: ", "))\n" }
            if let note = c.note { out += "\n\(note)\n" }
            return out
        case let .amendment(a):
            return heading + " · Amendment to #\(a.amends)\n\n" + a.text + "\n" + (a.reason.map { "\n_Reason: \($0)_\n" } ?? "")
        case let .disclosure(d):
            return heading + " · Disclosure to \(d.recipient)\n\nPurpose: \(d.purpose). Scope: \(d.scope). Format: \(d.format).\n"
        case let .custom(kind, json):
            return heading + " · \(kind)\n\n```json\n" + String(decoding: json, as: UTF8.self) + "\n```\n"
        }
    }
}

/// Where an export reads records from: strictly, or salvaging past damaged records.
private struct RecordSource {
    let journal: Journal
    let damaged: ((DamagedRecord) -> Void)?

    var journalIDHex: String { journal.journalIDHex }
    var fingerprint: Fingerprint { journal.fingerprint }

    func forEachRecord(_ filter: RecordFilter, _ body: (JournalRecord) throws -> Void) throws {
        guard let damaged else { return try journal.forEachRecord(filter, body) }
        for item in try journal.salvageRecords(filter, body) { damaged(item) }
    }
}
