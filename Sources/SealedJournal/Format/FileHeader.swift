/// The journal header, stored twice (copies at offsets 0 and 4096) so a torn header write
/// always leaves one good copy. Only key slots ever change; records never depend on them.
///
/// Each 4096-byte copy (all integers little-endian):
///
///     0     8   magic "SJOURNAL"
///     8     2   format version (2)
///     10    2   flags (0; readers reject others)
///     12    4   used length U (bytes 0..<U are meaningful, U <= 4032)
///     16    8   header sequence id (incremented by every header update)
///     24    16  journal id (random)
///     40    32  Ed25519 public key (checkpoints and header signatures)
///     72    1   key slot count (1...8; at most one passphrase slot)
///     73    ..  key slots (see KeySlot)
///     U     ..  zero bytes up to 4032
///     4032  64  Ed25519 signature over bytes 0..<4032
///
/// Every byte is authenticated: the signature covers the whole copy, zero fill included.
struct FileHeader: Equatable, Sendable {
    static let magic: [UInt8] = Array("SJOURNAL".utf8)
    static let formatVersion: UInt16 = 2
    static let copyByteCount = 4096
    static let copyCount = 2
    /// Offset of the first frame: after both header copies.
    static let framesOffset: UInt64 = UInt64(copyByteCount * copyCount)
    static let signedByteCount = copyByteCount - Ed25519.signatureByteCount  // 4032
    static let journalIDByteCount = 16
    static let maximumKeySlots = 8

    var sequence: UInt64
    let journalID: [UInt8]
    let publicKey: [UInt8]
    var keySlots: [KeySlot]

    /// Encodes and signs one header copy.
    func encodeCopy(signingKey: Ed25519.SigningKey) throws(FormatError) -> [UInt8] {
        guard (1...FileHeader.maximumKeySlots).contains(keySlots.count) else {
            throw .limitExceeded(what: "key slot count", limit: FileHeader.maximumKeySlots)
        }
        try FileHeader.checkSlotRules(keySlots)
        var writer = ByteWriter(capacity: FileHeader.copyByteCount)
        writer.write(FileHeader.magic)
        writer.write(FileHeader.formatVersion)
        writer.write(UInt16(0))
        let usedLengthOffset = writer.bytes.count
        writer.write(UInt32(0))
        writer.write(sequence)
        writer.write(journalID)
        writer.write(publicKey)
        writer.write(UInt8(keySlots.count))
        for slot in keySlots { slot.encode(into: &writer) }
        let used = writer.bytes.count
        guard used <= FileHeader.signedByteCount else { throw .limitExceeded(what: "header size", limit: FileHeader.signedByteCount) }
        writer.writeZeros(FileHeader.signedByteCount - used)
        var bytes = writer.bytes
        withUnsafeBytes(of: UInt32(used).littleEndian) { bytes.replaceSubrange(usedLengthOffset..<usedLengthOffset + 4, with: $0) }
        bytes += signingKey.signature(for: bytes)
        return bytes
    }

    /// Decodes one copy and checks its signature against the public key it carries.
    ///
    /// A self-signed copy proves it was written by the holder of the journal's key pair; that
    /// the key pair is the journal's is proved by the checkpoints (and by a pinned fingerprint).
    static func decodeCopy(_ bytes: [UInt8]) throws(FormatError) -> FileHeader {
        guard bytes.count == copyByteCount else { throw .truncated(what: "header") }
        var reader = ByteReader(bytes, what: "header")
        guard try reader.readBytes(8) == magic else { throw .badMagic(what: "header") }
        let version = try reader.readUInt16()
        guard version == formatVersion else { throw .unsupportedVersion(found: Int(version), supported: Int(formatVersion)) }
        guard try reader.readUInt16() == 0 else { throw .invalidField(what: "header flags") }
        let used = Int(try reader.readUInt32())
        guard used >= 73 + KeySlot.minimumEncodedByteCount, used <= signedByteCount else { throw .invalidField(what: "header length") }
        let sequence = try reader.readUInt64()
        let journalID = try reader.readBytes(journalIDByteCount)
        let publicKey = try reader.readBytes(Ed25519.publicKeyByteCount)
        let signed = Array(bytes[0..<signedByteCount])
        let signature = Array(bytes[signedByteCount...])
        guard Ed25519.isValidSignature(signature, for: signed, publicKey: publicKey) else {
            throw .badSignature(what: "header signature")
        }
        let slotCount = Int(try reader.readUInt8())
        guard (1...maximumKeySlots).contains(slotCount) else { throw .limitExceeded(what: "key slot count", limit: maximumKeySlots) }
        var slotReader = ByteReader(Array(bytes[0..<used]), what: "key slots", offset: reader.offset)
        var slots: [KeySlot] = []
        for _ in 0..<slotCount { slots.append(try KeySlot.decode(from: &slotReader)) }
        guard slotReader.isAtEnd else { throw .invalidField(what: "header length (bytes after the key slots)") }
        try checkSlotRules(slots)
        guard bytes[used..<signedByteCount].allSatisfy({ $0 == 0 }) else { throw .invalidField(what: "header padding") }
        return FileHeader(sequence: sequence, journalID: journalID, publicKey: publicKey, keySlots: slots)
    }

    /// At most one passphrase slot and one recovery slot per header, so one unlock attempt runs
    /// Argon2id at most once (a hostile header cannot multiply the work).
    static func checkSlotRules(_ slots: [KeySlot]) throws(FormatError) {
        var passphrase = 0, recovery = 0
        for slot in slots {
            switch slot.kind {
            case .passphrase: passphrase += 1
            case .recoveryKey: recovery += 1
            case .unknown: break
            }
        }
        guard passphrase <= 1, recovery <= 1 else { throw .invalidField(what: "header (more than one passphrase or recovery slot)") }
    }

    /// SHA-256 of a copy's signed bytes (0..<4032): what checkpoints bind (see ``HeaderBinding``).
    static func digest(ofCopy bytes: [UInt8]) -> [UInt8] {
        (try? SHA256.hash(Array(bytes.prefix(signedByteCount)))) ?? []
    }
}

