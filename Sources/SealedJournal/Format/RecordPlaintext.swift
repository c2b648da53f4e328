/// What a record frame holds once decrypted (before padding is added):
///
///     1   encoding version (1)
///     1   kind name length K (1...64)
///     K   kind name, UTF-8 ("entry", "checkIn", "amendment", "disclosure", or an app's own)
///     8   recorded at: milliseconds since 1970-01-01T00:00:00Z, signed
///     4   payload length P
///     P   payload: UTF-8 JSON with sorted keys (the record's fields)
///     ..  ISO/IEC 7816-4 padding: 0x80 then zeros, to the bucket size (see `paddedByteCount`)
struct RecordPlaintext: Equatable, Sendable {
    static let encodingVersion: UInt8 = 1
    static let maximumKindByteCount = 64
    /// Largest payload a record may carry (16 MiB).
    static let maximumPayloadByteCount = 16 << 20
    static let headerByteCount = 1 + 1 + 8 + 4
    static let maximumPaddedByteCount = paddedByteCount(forUnpadded: headerByteCount + maximumKindByteCount + maximumPayloadByteCount)

    let kind: String
    let recordedAtMilliseconds: Int64
    let payload: [UInt8]

    /// The padded size for an unpadded size `n` (the 0x80 marker always needs one byte):
    /// up to 4096 bytes, the next multiple of 256; above, the next multiple of 2^(floor(log2(m)) - 3)
    /// where m = n + 1, which wastes at most 12.5% and leaks only a coarse size class.
    static func paddedByteCount(forUnpadded n: Int) -> Int {
        let m = n + 1
        if m <= 4096 { return (m + 255) / 256 * 256 }
        let exponent = Int.bitWidth - m.leadingZeroBitCount - 1
        let step = 1 << (exponent - 3)
        return (m + step - 1) / step * step
    }

    static func validateKind(_ kind: String) throws(FormatError) {
        let count = kind.utf8.count
        guard count >= 1, count <= maximumKindByteCount else { throw .invalidField(what: "record kind name length") }
    }

    /// Encodes and pads.
    func encode() throws(FormatError) -> [UInt8] {
        try RecordPlaintext.validateKind(kind)
        guard payload.count <= RecordPlaintext.maximumPayloadByteCount else {
            throw .limitExceeded(what: "record size", limit: RecordPlaintext.maximumPayloadByteCount)
        }
        let unpadded = RecordPlaintext.headerByteCount + kind.utf8.count + payload.count
        let padded = RecordPlaintext.paddedByteCount(forUnpadded: unpadded)
        var writer = ByteWriter(capacity: padded)
        writer.write(RecordPlaintext.encodingVersion)
        writer.write(UInt8(kind.utf8.count))
        writer.write(Array(kind.utf8))
        writer.write(recordedAtMilliseconds)
        writer.write(UInt32(payload.count))
        writer.write(payload)
        writer.write(UInt8(0x80))
        writer.writeZeros(padded - unpadded - 1)
        return writer.bytes
    }

    /// Decodes a padded plaintext. The padding is checked with `sodium_unpad`.
    static func decode(_ padded: [UInt8]) throws(FormatError) -> RecordPlaintext {
        let unpaddedLength: Int
        do {
            unpaddedLength = try padded.withUnsafeBytes { try Padding.unpaddedLength($0, blockSize: padded.count) }
        } catch {
            throw .invalidField(what: "record padding")
        }
        guard padded.count == paddedByteCount(forUnpadded: unpaddedLength) else { throw .invalidField(what: "record padding size") }
        var reader = ByteReader(Array(padded[0..<unpaddedLength]), what: "record")
        let version = try reader.readUInt8()
        guard version == encodingVersion else { throw .unsupportedVersion(found: Int(version), supported: Int(encodingVersion)) }
        let kindLength = Int(try reader.readUInt8())
        guard let kind = String(validating: try reader.readBytes(kindLength), as: UTF8.self) else {
            throw .invalidField(what: "record kind name encoding")
        }
        try validateKind(kind)
        let time = try reader.readInt64()
        let payloadLength = Int(try reader.readUInt32())
        let payload = try reader.readBytes(payloadLength)
        guard reader.isAtEnd else { throw .invalidField(what: "record length") }
        return RecordPlaintext(kind: kind, recordedAtMilliseconds: time, payload: payload)
    }
}
