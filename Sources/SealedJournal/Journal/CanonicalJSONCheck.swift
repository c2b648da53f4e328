/// Recognises, in one pass over the bytes, JSON that is already exactly what
/// `JSONSerialization.data(withJSONObject:options: [.sortedKeys, .withoutEscapingSlashes])`
/// writes for it, so exports can pass a stored payload through instead of parsing and re-encoding
/// it (the payloads this library writes are canonical, FORMAT.md 4.3).
///
/// Deliberately conservative: it accepts only a top-level object built of objects, arrays,
/// strings, integers of at most 15 digits, `true`, `false` and `null`; no whitespace; keys of
/// printable ASCII without escapes, strictly ascending; strings whose only escapes are `\"`, `\\`,
/// `\n`, `\r` and `\t` and that hold no raw control character. Anything else (fractions, exponents, other escapes,
/// non-ASCII keys) returns `false` and the caller re-encodes with Foundation, so the output is the
/// same either way (`CanonicalJSONCheckTests` compares both on many payloads).
enum CanonicalJSONCheck {
    static func isCanonical(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            guard parser.peek() == UInt8(ascii: "{"), parser.value(depth: 0) else { return false }
            return parser.index == buffer.count
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static let maximumDepth = 64

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func value(depth: Int) -> Bool {
            guard depth < Parser.maximumDepth, let byte = peek() else { return false }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string(key: false) != nil
            case UInt8(ascii: "t"): return literal(Parser.trueBytes)
            case UInt8(ascii: "f"): return literal(Parser.falseBytes)
            case UInt8(ascii: "n"): return literal(Parser.nullBytes)
            default: return integer()
            }
        }

        static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8), nullBytes = Array("null".utf8)

        mutating func literal(_ text: [UInt8]) -> Bool {
            let count = text.count
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != text[offset] { return false }
            index += count
            return true
        }

        mutating func integer() -> Bool {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            let digits = index - digitsStart
            guard digits >= 1, digits <= 15 else { return false }
            if bytes[digitsStart] == UInt8(ascii: "0") && (digits > 1 || index - start > 1) { return false }  // no leading zero, no -0
            return true
        }

        /// Returns the string's byte range (without quotes) or `nil`.
        mutating func string(key: Bool) -> Range<Int>? {
            guard peek() == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            while let byte = peek() {
                if !key, let base = bytes.baseAddress {
                    let skipped = JSONPlainRun.skip(UnsafeRawPointer(base), from: index, to: bytes.count)
                    if skipped != index {
                        index = skipped
                        continue
                    }
                }
                if byte == UInt8(ascii: "\"") {
                    defer { index += 1 }
                    return start..<index
                }
                if byte < 0x20 || byte == 0x7F { return nil }
                if byte == UInt8(ascii: "\\") {
                    guard !key, index + 1 < bytes.count else { return nil }
                    let escaped = bytes[index + 1]
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
                    default: return nil
                    }
                    index += 2
                    continue
                }
                if key && byte >= 0x80 { return nil }
                if byte >= 0x80 && !validUTF8Sequence() { return nil }
                if byte < 0x80 { index += 1 }
            }
            return nil
        }

        /// Consumes one well-formed UTF-8 sequence of 2-4 bytes (no overlongs, no surrogates).
        mutating func validUTF8Sequence() -> Bool {
            let lead = bytes[index]
            let count: Int
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: count = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: count = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: count = 4; scalar = UInt32(lead & 0x07)
            default: return false
            }
            guard index + count <= bytes.count else { return false }
            for offset in 1..<count {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            switch count {
            case 3: guard scalar >= 0x800, !(0xD800...0xDFFF).contains(scalar) else { return false }
            case 4: guard scalar >= 0x10000, scalar <= 0x10FFFF else { return false }
            default: break
            }
            // Characters Foundation may write differently (line and paragraph separators) fall back.
            if scalar == 0x2028 || scalar == 0x2029 { return false }
            index += count
            return true
        }

        mutating func object(depth: Int) -> Bool {
            index += 1
            if peek() == UInt8(ascii: "}") { index += 1; return true }
            var previous: Range<Int>?
            while true {
                guard let key = string(key: true) else { return false }
                if let previous, !ascending(previous, key) { return false }
                previous = key
                guard peek() == UInt8(ascii: ":") else { return false }
                index += 1
                guard value(depth: depth + 1) else { return false }
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): index += 1; return true
                default: return false
                }
            }
        }

        mutating func array(depth: Int) -> Bool {
            index += 1
            if peek() == UInt8(ascii: "]") { index += 1; return true }
            while true {
                guard value(depth: depth + 1) else { return false }
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return true
                default: return false
                }
            }
        }

        /// Strictly ascending byte order (ASCII keys: the same as code point order).
        func ascending(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            var i = a.lowerBound, j = b.lowerBound
            while i < a.upperBound && j < b.upperBound {
                if bytes[i] != bytes[j] { return bytes[i] < bytes[j] }
                i += 1
                j += 1
            }
            return a.count < b.count
        }
    }
}
