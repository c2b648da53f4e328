/// The typeable form of a 32-byte recovery key:
///
///     Crockford base32 of (key (32) || BLAKE2b-128(key = recovery key, message = "SJrecovery-check")[0..<2]),
///     55 characters, shown as 11 groups of 5 separated by "-".
///
/// Parsing ignores case, spaces and dashes, reads I and L as 1 and O as 0, and checks the
/// 2-byte checksum so a typo is reported as a typo, not as a wrong key.
enum RecoveryKeyEncoding {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    static let keyByteCount = 32
    static let checksumByteCount = 2
    static let characterCount = 55
    static let groupSize = 5

    static func checksum(_ key: UnsafeRawBufferPointer) -> [UInt8] {
        let hash = (try? BLAKE2b.hash(Array("SJrecovery-check".utf8), outputByteCount: 16, key: key)) ?? []
        return Array(hash.prefix(checksumByteCount))
    }

    /// Encodes the key for display. The result is an ordinary String: show it once and drop it.
    static func encode(_ key: SecretBytes) -> String {
        key.withUnsafeBytes { raw in
            var bytes = Array(raw) + checksum(raw)
            defer { for i in bytes.indices { bytes[i] = 0 } }
            var characters: [UInt8] = []
            var buffer: UInt32 = 0
            var bits = 0
            for byte in bytes {
                buffer = buffer << 8 | UInt32(byte)
                bits += 8
                while bits >= 5 {
                    characters.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                    bits -= 5
                }
            }
            if bits > 0 { characters.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
            var grouped: [UInt8] = []
            for (index, character) in characters.enumerated() {
                if index > 0 && index % groupSize == 0 { grouped.append(UInt8(ascii: "-")) }
                grouped.append(character)
            }
            return String(decoding: grouped, as: UTF8.self)
        }
    }

    enum DecodeError: Error { case invalidCharacter, wrongLength, checksumMismatch }

    /// Decodes a typed recovery key into guarded memory.
    static func decode(_ text: String) throws -> SecretBytes {
        var values: [UInt8] = []
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "-"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            default: break
            }
            var upper = c
            if (0x61...0x7a).contains(c) { upper = c - 0x20 }
            switch upper {
            case UInt8(ascii: "I"), UInt8(ascii: "L"): upper = UInt8(ascii: "1")
            case UInt8(ascii: "O"): upper = UInt8(ascii: "0")
            default: break
            }
            guard let value = alphabet.firstIndex(of: upper) else { throw DecodeError.invalidCharacter }
            values.append(UInt8(value))
        }
        guard values.count == characterCount else { throw DecodeError.wrongLength }
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for value in values {
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        defer { for i in bytes.indices { bytes[i] = 0 } }
        guard bytes.count == keyByteCount + checksumByteCount else { throw DecodeError.wrongLength }
        let key = try SecretBytes(copying: bytes[0..<keyByteCount])
        let expected = key.withUnsafeBytes { checksum($0) }
        guard ConstantTime.equals(expected, Array(bytes[keyByteCount...])) else { throw DecodeError.checksumMismatch }
        return key
    }
}
