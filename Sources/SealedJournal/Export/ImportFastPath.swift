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
        var sequence: UInt64?
        let complete = reader.object { key, reader in
            switch key {
            case "data":
                guard data == nil else { return false }
                guard let entry = reader.entryObject() else { return false }
                data = entry
            case "kind":
                guard kind == nil, let value = reader.string(), value == RecordKind.entry else { return false }
                kind = value
            case "recordedAt":
                guard recordedAt == nil, let text = reader.string(), let date = exportTimestamp(text) else { return false }
                recordedAt = date
            case "sequence":
                guard sequence == nil, let value = reader.unsignedInteger() else { return false }
                sequence = value
            default:
                return false
            }
            return true
        }
        guard complete, reader.atEnd, kind != nil, let data, let recordedAt, (try? data.validate()) != nil else { return nil }
        var record = PendingRecord(data, recordedAt: recordedAt)
        record.sourceSequence = sequence
        return record
    }

    /// A jrnl entry object's fields, exactly as ``JrnlFields/init(_:)`` reads them from the
    /// dictionary `JSONSerialization` gives (strings, an array of strings, a Bool, each key at
    /// most once and no other key), or `nil` to take the general path.
    static func jrnlEntry(_ bytes: UnsafeRawBufferPointer) -> JrnlFields? {
        var reader = StrictJSONReader(bytes)
        var entry = JrnlFields()
        var seen: UInt8 = 0
        let complete = reader.object { key, reader in
            let bit: UInt8
            switch key {
            case "title": bit = 1
            case "body": bit = 2
            case "date": bit = 4
            case "time": bit = 8
            case "tags": bit = 16
            case "starred": bit = 32
            default: return false
            }
            guard seen & bit == 0 else { return false }
            seen |= bit
            switch bit {
            case 16:
                guard let value = reader.stringArray() else { return false }
                entry.tags = value
            case 32:
                guard let value = reader.bool() else { return false }
                entry.starred = value
            default:
                guard let value = reader.string() else { return false }
                switch bit {
                case 1: entry.title = value
                case 2: entry.body = value
                case 4: entry.date = value
                default: entry.time = value
                }
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
            func number(_ start: Int, _ count: Int) -> Int? { CivilTime.decimal(bytes, start..<(start + count)) }
            guard let (year, month, day, hour, minute, second) = CivilTime.dateTimeFields(bytes), year >= 1600 else { return nil }
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

