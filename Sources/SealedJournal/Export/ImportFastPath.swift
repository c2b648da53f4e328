import Foundation

/// A small hand-written reader for the two shapes an import sees a million times: a line of our
/// own NDJSON export holding an entry, and a jrnl JSON entry. It reads a strict subset of JSON
/// (RFC 8259 grammar; strings with the simple escapes only; no numbers but plain integers) and
/// answers only when the record it builds is certainly the one the general path
/// (``JournalImport/ndjsonRecord(_:lineNumber:)`` and the jrnl path, on Foundation's JSON) would
/// build. Anything else (another kind, an unknown or repeated key, `null`, a `\u` escape, a number
/// with a fraction, a timestamp before 1600 or not in the export's own form, invalid UTF-8, a
/// record that fails validation, any malformed JSON) returns `nil`, and the caller goes the
/// general way, which builds the record or gives the error it always gave. So the fast path can
/// make an import faster but never accept anything the general path refuses
/// (`ImportFastPathTests` feeds the same inputs, valid and malformed, to both).
enum ImportFastPath {
    /// The record of one NDJSON line holding an `entry`, or `nil` to take the general path.
    static func ndjsonEntry(_ line: UnsafeRawBufferPointer) -> PendingRecord? {
        var reader = StrictJSONReader(line)
        var data: JournalEntry?
        var kind: String?
        var recordedAt: Date?
        var seen = Set<String>()
        let complete = reader.object { key, reader in
            guard seen.insert(key).inserted else { return false }
            switch key {
            case "data":
                guard let entry = reader.entryObject() else { return false }
                data = entry
            case "kind":
                guard let value = reader.string(), value == RecordKind.entry else { return false }
                kind = value
            case "recordedAt":
                guard let text = reader.string(), let date = exportTimestamp(text) else { return false }
                recordedAt = date
            case "sequence":
                return reader.integer()
            default:
                return false
            }
            return true
        }
        guard complete, reader.atEnd, kind != nil, let data, let recordedAt, (try? data.validate()) != nil else { return nil }
        return PendingRecord(data, recordedAt: recordedAt)
    }

    /// A jrnl entry object as the dictionary `JSONSerialization` would give for it (strings,
    /// an array of strings, a Bool), or `nil` to take the general path.
    static func jrnlEntry(_ bytes: UnsafeRawBufferPointer) -> [String: Any]? {
        var reader = StrictJSONReader(bytes)
        var entry: [String: Any] = [:]
        let complete = reader.object { key, reader in
            guard entry[key] == nil else { return false }
            switch key {
            case "title", "body", "date", "time":
                guard let value = reader.string() else { return false }
                entry[key] = value
            case "tags":
                guard let value = reader.stringArray() else { return false }
                entry[key] = value
            case "starred":
                guard let value = reader.bool() else { return false }
                entry[key] = value
            default:
                return false
            }
            return true
        }
        guard complete, reader.atEnd else { return nil }
        return entry
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` as our exports write it, years 1600-9999 (where
    /// Foundation's calendar is the proleptic Gregorian one our times use), as the same `Date`
    /// ``JournalImport/parseTimestamp(_:)`` gives (whole seconds, plus the first three digits of
    /// the fraction as milliseconds, in the same arithmetic); `nil` for anything else.
    static func exportTimestamp(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count >= 20, bytes[bytes.count - 1] == UInt8(ascii: "Z") else { return nil }
            func number(_ start: Int, _ count: Int) -> Int? {
                var value = 0
                for index in start..<(start + count) {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                  bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                  let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                  let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                  (1600...9999).contains(year), (1...12).contains(month), day >= 1, day <= CivilTime.daysIn(month: month, year: year),
                  hour < 24, minute < 60, second < 60 else { return nil }
            var milliseconds = 0
            if bytes.count > 20 {
                // "." then at least one digit, up to the Z.
                guard bytes[19] == UInt8(ascii: "."), bytes.count >= 22, let _ = number(20, bytes.count - 21) else { return nil }
                for index in 0..<3 {
                    milliseconds = milliseconds * 10 + (20 + index < bytes.count - 1 ? Int(bytes[20 + index]) - 48 : 0)
                }
            }
            let seconds = CivilTime.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            return Date(timeIntervalSince1970: (Double(seconds) * 1000 + Double(milliseconds)) / 1000)
        }
    }
}

/// Reads a strict subset of JSON from bytes; every method returns `nil`/`false` on anything it
/// does not handle, and the caller then gives up on the fast path.
struct StrictJSONReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private static let maximumDepth = 4

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// An object: `member` reads each value after its key (and returns `false` to give up).
    mutating func object(_ member: (String, inout StrictJSONReader) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        while true {
            guard let key = string(), take(UInt8(ascii: ":")), member(key, &self) else { return false }
            if take(UInt8(ascii: "}")) { return true }
            guard take(UInt8(ascii: ",")) else { return false }
        }
    }

    /// A string with no escape but `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, no control
    /// character or DEL, in well-formed UTF-8.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var escapes = false
        while index < bytes.count {
            if let base = bytes.baseAddress {
                let skipped = JSONPlainRun.skip(base, from: index, to: bytes.count)
                if skipped != index {
                    index = skipped
                    continue
                }
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 || byte == 0x7F { return nil }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { return nil }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
                default: return nil
                }
                escapes = true
                index += 2
                continue
            }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        index += 1
        // Escapes are ASCII, so the raw bytes are well-formed UTF-8 exactly when the string is.
        guard UTF8Validation.isValid(raw) else { return nil }
        guard escapes else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var at = 0
        while at < raw.count {
            let byte = raw[at]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); at += 1; continue }
            switch raw[at + 1] {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case let other: out.append(other)  // " \ /
            }
            at += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An array of strings.
    mutating func stringArray() -> [String]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var values: [String] = []
        if take(UInt8(ascii: "]")) { return values }
        while true {
            guard let value = string() else { return nil }
            values.append(value)
            if take(UInt8(ascii: "]")) { return values }
            guard take(UInt8(ascii: ",")) else { return nil }
        }
    }

    /// `true` or `false`.
    mutating func bool() -> Bool? {
        skipSpace()
        for (literal, value) in [("true", true), ("false", false)] {
            let count = literal.utf8.count
            if index + count <= bytes.count, literal.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + count)])) {
                index += count
                return value
            }
        }
        return nil
    }

    /// A JSON integer (`-`? then `0` or a digit 1-9 and digits; no fraction, no exponent) of at most 18 digits.
    mutating func integer() -> Bool {
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let start = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        let digits = index - start
        guard digits >= 1, digits <= 18, !(digits > 1 && bytes[start] == 0x30) else { return false }
        // A fraction or exponent would make it another number: give up.
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") { return false }
        return true
    }

    /// An entry's `data`: `text` (required), `title`, `tags`, each once, nothing else.
    mutating func entryObject() -> JournalEntry? {
        var text: String?, title: String?, tags: [String]?
        let complete = object { key, reader in
            switch key {
            case "text":
                guard text == nil, let value = reader.string() else { return false }
                text = value
            case "title":
                guard title == nil, let value = reader.string() else { return false }
                title = value
            case "tags":
                guard tags == nil, let value = reader.stringArray() else { return false }
                tags = value
            default:
                return false
            }
            return true
        }
        guard complete, let text else { return nil }
        return JournalEntry(text: text, title: title, tags: tags ?? [])
    }
}
