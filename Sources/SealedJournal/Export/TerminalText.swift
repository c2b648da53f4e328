/// Makes text that a client (or a file, or an audit bundle) supplied safe to show on a terminal.
///
/// A record's text, title, tags, kind name, or a disclosure's recipient and purpose are whatever
/// someone typed or an attacker put in a file. Printed raw, an escape sequence in them can move the
/// cursor, erase or recolour lines, retitle the window or, on some terminals, answer back as if
/// typed: a disclosed entry could hide a `FAILED` line and print a fake "verified". Every
/// human-readable output passes such strings through ``escape(_:keepingLineBreaks:)`` first.
///
/// Escaped (shown as `\x1B`, `\u{9B}`, ...): the C0 controls U+0000–U+001F (including ESC and
/// carriage return), DEL U+007F, the C1 controls U+0080–U+009F, and the bidirectional overrides
/// and isolates U+202A–U+202E, U+2066–U+2069 (which reorder what is displayed). A multi-line
/// field keeps its line feeds and tabs. Everything else, including all printable Unicode, is kept.
public enum TerminalText {
    /// `text` with every terminal control escaped; line feeds and tabs are kept only when
    /// `keepingLineBreaks` is true (for multi-line fields such as an entry's text).
    public static func escape(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard needsAnyEscaping(text, keepingLineBreaks: keepingLineBreaks) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if keepingLineBreaks && (scalar == "\n" || scalar == "\t") {
                result.unicodeScalars.append(scalar)
            } else if needsEscaping(scalar.value) {
                result += scalar.value <= 0xFF ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + hex(scalar.value, width: 4) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `text` holds anything ``escape(_:keepingLineBreaks:)`` would change.
    public static func containsControls(_ text: String, keepingLineBreaks: Bool = false) -> Bool {
        text.unicodeScalars.contains { scalar in
            !(keepingLineBreaks && (scalar == "\n" || scalar == "\t")) && needsEscaping(scalar.value)
        }
    }

    /// Whether anything in `text` needs escaping, decided on its UTF-8 bytes (printable ASCII is
    /// skipped eight bytes at a time): C0 controls and DEL are single bytes, C1 controls are
    /// C2 80...C2 9F, the bidirectional controls E2 80 AA...AE and E2 81 A6...A9. A `true` only
    /// sends the text through the scalar-by-scalar escaping, which decides exactly.
    static func needsAnyEscaping(_ text: String, keepingLineBreaks: Bool) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            let count = bytes.count
            var index = 0
            while index < count {
                index = JSONPlainRun.skip(UnsafeRawPointer(base), from: index, to: count)
                guard index < count else { return false }
                let byte = bytes[index]
                switch byte {
                case 0x0A, 0x09: if !keepingLineBreaks { return true }
                case 0x00..<0x20, 0x7F: return true
                case 0xC2: if index + 1 < count, (0x80...0x9F).contains(bytes[index + 1]) { return true }
                case 0xE2:
                    if index + 2 < count {
                        let second = bytes[index + 1], third = bytes[index + 2]
                        if second == 0x80 && (0xAA...0xAE).contains(third) { return true }
                        if second == 0x81 && (0xA6...0xA9).contains(third) { return true }
                    }
                default: break
                }
                index += 1
            }
            return false
        }
    }

    static func needsEscaping(_ value: UInt32) -> Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Escapes a byte stream (an export shown on a terminal) chunk by chunk, keeping line feeds
    /// and tabs. A UTF-8 sequence split across two chunks is held back until it is complete.
    /// Invalid UTF-8 is passed through (the terminal shows a replacement character).
    ///
    /// Not thread-safe: one filter per stream.
    public struct StreamFilter: Sendable {
        private var pending: [UInt8] = []

        /// A new filter with nothing held back.
        public init() {}

        /// The escaped form of `bytes`, possibly holding back up to two bytes of an incomplete
        /// UTF-8 sequence for the next call or ``finish()``.
        public mutating func filter(_ bytes: some Sequence<UInt8>) -> [UInt8] {
            let input = pending + Array(bytes)
            pending = []
            var output: [UInt8] = []
            output.reserveCapacity(input.count)
            var index = 0
            while index < input.count {
                let byte = input[index]
                if byte == 0x0A || byte == 0x09 {
                    output.append(byte)
                    index += 1
                } else if byte < 0x20 || byte == 0x7F {
                    output += Array("\\x\(hex(UInt32(byte), width: 2))".utf8)
                    index += 1
                } else if byte == 0xC2 || byte == 0xE2 {
                    let length = byte == 0xC2 ? 2 : 3
                    guard index + length <= input.count else {
                        pending = Array(input[index...])
                        break
                    }
                    let sequence = Array(input[index..<index + length])
                    if let scalar = String(validating: sequence, as: UTF8.self)?.unicodeScalars.first, needsEscaping(scalar.value) {
                        output += Array((scalar.value <= 0xFF ? "\\x\(hex(scalar.value, width: 2))" : "\\u{\(hex(scalar.value, width: 4))}").utf8)
                        index += length
                    } else {
                        output.append(byte)
                        index += 1
                    }
                } else {
                    output.append(byte)
                    index += 1
                }
            }
            return output
        }

        /// Whatever was held back (an incomplete sequence at the very end), passed through.
        public mutating func finish() -> [UInt8] {
            defer { pending = [] }
            return pending
        }
    }
}
