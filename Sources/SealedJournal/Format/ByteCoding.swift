/// Little-endian byte writing for the binary format.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt8) { bytes.append(value) }
    mutating func write(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func write(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func write(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }
    mutating func write(_ raw: some Collection<UInt8>) { bytes.append(contentsOf: raw) }
    mutating func writeZeros(_ count: Int) { bytes.append(contentsOf: repeatElement(0, count: count)) }
}

/// Bounds-checked little-endian reading of untrusted bytes. Every read that would run past
/// the end throws ``FormatError/truncated(what:)``; nothing traps.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let what: String

    init(_ bytes: [UInt8], what: String, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.what = what
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    mutating func read(count: Int) throws(FormatError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(what: what) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func readBytes(_ count: Int) throws(FormatError) -> [UInt8] { Array(try read(count: count)) }

    mutating func readUInt8() throws(FormatError) -> UInt8 { try read(count: 1).first! }

    mutating func readUInt16() throws(FormatError) -> UInt16 { UInt16(truncatingIfNeeded: try readLittleEndian(2)) }
    mutating func readUInt32() throws(FormatError) -> UInt32 { UInt32(truncatingIfNeeded: try readLittleEndian(4)) }
    mutating func readUInt64() throws(FormatError) -> UInt64 { try readLittleEndian(8) }
    mutating func readInt64() throws(FormatError) -> Int64 { Int64(bitPattern: try readUInt64()) }

    private mutating func readLittleEndian(_ width: Int) throws(FormatError) -> UInt64 {
        let slice = try read(count: width)
        var value: UInt64 = 0
        for (shift, byte) in slice.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return value
    }
}

extension Array where Element == UInt8 {
    /// Reads a little-endian UInt32 at `offset` (caller has checked bounds).
    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }
}

/// Lower-case hexadecimal, for identifiers that are public (journal id, fingerprints).
enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ string: String) -> [UInt8]? {
        let utf8 = Array(string.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
