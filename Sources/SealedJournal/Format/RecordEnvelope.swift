/// A record's envelope: its kind and local day, sealed apart from its content under a key of its
/// own, so an audit bundle can show what kind of record exists on which day (to prove that a
/// range of check-ins is complete) without revealing any content. Fixed size, so it leaks nothing.
///
///     1    envelope version (1)
///     1    kind name length K (1...64)
///     64   kind name, UTF-8, zero-filled after K bytes
///     4    day: signed days since 1970-01-01 (proleptic Gregorian) of the record's local day
///          (a check-in's own `day`; otherwise the writer's local date at `recorded at`)
///     2    reserved, zero
///
/// Sealed: XChaCha20-Poly1305, 72 plaintext bytes + 16-byte tag = 88 bytes in every record frame.
struct RecordEnvelope: Equatable, Sendable {
    static let version: UInt8 = 1
    static let plaintextByteCount = 72
    static let sealedByteCount = plaintextByteCount + XChaCha20Poly1305.tagByteCount

    let kind: String
    /// Days since 1970-01-01.
    let day: Int32

    func encode() throws(FormatError) -> [UInt8] {
        try RecordPlaintext.validateKind(kind)
        guard (CivilTime.earliestDay...CivilTime.latestDay).contains(day) else { throw .invalidField(what: "record envelope day") }
        var writer = ByteWriter(capacity: RecordEnvelope.plaintextByteCount)
        writer.write(RecordEnvelope.version)
        let kindBytes = Array(kind.utf8)
        writer.write(UInt8(kindBytes.count))
        writer.write(kindBytes)
        writer.writeZeros(RecordPlaintext.maximumKindByteCount - kindBytes.count)
        writer.write(UInt32(bitPattern: day))
        writer.write(UInt16(0))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(FormatError) -> RecordEnvelope {
        guard bytes.count == plaintextByteCount else { throw .invalidField(what: "record envelope length") }
        var reader = ByteReader(bytes, what: "record envelope")
        let found = try reader.readUInt8()
        guard found == version else { throw .unsupportedVersion(found: Int(found), supported: Int(version)) }
        let length = Int(try reader.readUInt8())
        guard (1...RecordPlaintext.maximumKindByteCount).contains(length) else { throw .invalidField(what: "record envelope kind") }
        let field = try reader.readBytes(RecordPlaintext.maximumKindByteCount)
        guard field[length...].allSatisfy({ $0 == 0 }), let kind = String(validating: field[0..<length], as: UTF8.self) else {
            throw .invalidField(what: "record envelope kind")
        }
        let day = Int32(bitPattern: try reader.readUInt32())
        guard (CivilTime.earliestDay...CivilTime.latestDay).contains(day) else { throw .invalidField(what: "record envelope day") }
        guard try reader.readUInt16() == 0 else { throw .invalidField(what: "record envelope reserved bytes") }
        return RecordEnvelope(kind: kind, day: day)
    }
}
