/// Writes the canonical JSON of the common cases by hand, byte for byte what
/// ``RecordCoding/encoder`` (`JSONEncoder`, sorted keys, slashes unescaped) writes for them, so
/// appends, exports and reads skip Foundation's encoder on their hot paths.
///
/// Deliberately narrow, like ``CanonicalJSONCheck``: a string is written only when every
/// character is one whose encoding is certain (printable ASCII, `"` and `\` escaped, line feed,
/// carriage return and tab as `\n`, `\r`, `\t`, and non-ASCII characters other than U+2028 and
/// U+2029 as themselves). Anything else (another control character, DEL, a line or paragraph
/// separator) returns `nil` and the caller uses `JSONEncoder`, so the bytes are the same either
/// way (`CanonicalJSONWriterTests` compares both on many strings).
enum CanonicalJSONWriter {
    /// Appends `text` as a JSON string literal; `false` (with `out` partly written: discard it)
    /// when `text` holds a character left to Foundation.
    static func appendString(_ text: String, to out: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            out.append(UInt8(ascii: "\""))
            var runStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                if let base = bytes.baseAddress {
                    let skipped = JSONPlainRun.skip(UnsafeRawPointer(base), from: index, to: count)
                    if skipped != index {
                        index = skipped
                        continue
                    }
                }
                let byte = bytes[index]
                let escape: UInt8
                switch byte {
                case 0x20...0x7E:
                    if byte == UInt8(ascii: "\"") { escape = UInt8(ascii: "\"") } else if byte == UInt8(ascii: "\\") { escape = UInt8(ascii: "\\") } else {
                        index += 1
                        continue
                    }
                case 0x0A: escape = UInt8(ascii: "n")
                case 0x0D: escape = UInt8(ascii: "r")
                case 0x09: escape = UInt8(ascii: "t")
                case 0xE2:
                    // U+2028 / U+2029 (E2 80 A8 / E2 80 A9) are left to Foundation.
                    if index + 2 < count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 { return false }
                    index += 1
                    continue
                case 0x80...0xFF:
                    index += 1
                    continue
                default:
                    return false  // other control characters and DEL
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                out.append(UInt8(ascii: "\\"))
                out.append(escape)
                index += 1
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            out.append(UInt8(ascii: "\""))
            return true
        }
    }

    /// `text` as a JSON string literal, or `nil` when it holds a character left to Foundation.
    static func string(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        guard appendString(text, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// A ``JournalEntry``'s payload: `{"tags":[...],"text":"...","title":"..."}` (title only when
    /// present, tags always), or `nil` when a string holds a character left to Foundation.
    static func entry(_ entry: JournalEntry) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(entry.text.utf8.count + (entry.title?.utf8.count ?? 0) + 32 + entry.tags.reduce(0) { $0 + $1.utf8.count + 3 })
        out.append(contentsOf: tagsKey)
        for (index, tag) in entry.tags.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard appendString(tag, to: &out) else { return nil }
        }
        out.append(contentsOf: textKey)
        guard appendString(entry.text, to: &out) else { return nil }
        if let title = entry.title {
            out.append(contentsOf: titleKey)
            guard appendString(title, to: &out) else { return nil }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static let tagsKey = Array("{\"tags\":[".utf8)
    private static let textKey = Array("],\"text\":".utf8)
    private static let titleKey = Array(",\"title\":".utf8)
}
