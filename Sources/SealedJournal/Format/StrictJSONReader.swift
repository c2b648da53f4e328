#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            // Copy up to the next backslash in one piece (memchr finds it).
            let end = memchr(raw.baseAddress! + at, Int32(UInt8(ascii: "\\")), raw.count - at)
                .map { UnsafeRawPointer($0) - raw.baseAddress! } ?? raw.count
            if end > at {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[at..<end]))
                at = end
                continue
            }
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

    /// A JSON integer without a sign (`0` or a digit 1-9 and digits; no fraction, no exponent)
    /// of at most 18 digits, or `nil` (then the reader's position is unspecified: give up).
    mutating func unsignedInteger() -> UInt64? {
        skipSpace()
        let start = index
        var value: UInt64 = 0
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            value = value &* 10 &+ UInt64(bytes[index] - 0x30)
            index += 1
        }
        let digits = index - start
        guard digits >= 1, digits <= 18, !(digits > 1 && bytes[start] == 0x30) else { return nil }
        // A fraction or exponent would make it another number: give up.
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") { return nil }
        return value
    }
}
