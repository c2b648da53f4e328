/// Sealing and opening record frames (format version 2).
///
///     record frame body = nonce (24) || sealed envelope (88) || sealed content (padded plaintext + 16)
///
///     record root key = crypto_kdf_derive_from_key(32, subkey id 1, context "SJrecrd2", master key)
///     envelope key    = BLAKE2b-256(key = record root key, message = "SJenvkey" || LE64(sequence) || nonce)
///     content key     = BLAKE2b-256(key = record root key, message = "SJcntkey" || LE64(sequence) || nonce)
///     sealed envelope = XChaCha20-Poly1305(envelope key, nonce, envelope (72), AAD(part 1))
///     sealed content  = XChaCha20-Poly1305(content key,  nonce, padded plaintext, AAD(part 2))
///     AAD             = journal id (16) || LE64(sequence) || frame kind 1 (1) || LE16(format version 2) || part (1)
///
/// The two keys differ, so the one random nonce is never used twice under one key. Both keys
/// depend on the record's own random nonce: a position re-written after a rollback gets new keys,
/// so a key once disclosed opens exactly one record, ever. Disclosing the envelope key reveals
/// the record's kind and day only; the content key reveals the record.
enum RecordSealing {
    static let rootKeyContext = KeyDerivation.Context("SJrecrd2")
    static let envelopeLabel = Array("SJenvkey".utf8)
    static let contentLabel = Array("SJcntkey".utf8)
    static let nonceByteCount = XChaCha20Poly1305.nonceByteCount
    static let keyByteCount = XChaCha20Poly1305.keyByteCount
    /// Offsets inside a record frame body.
    static let envelopeOffset = nonceByteCount
    static let contentOffset = nonceByteCount + RecordEnvelope.sealedByteCount
    /// Smallest valid body: nonce, envelope, and a 256-byte padded content with its tag.
    static let minimumBodyByteCount = contentOffset + 256 + XChaCha20Poly1305.tagByteCount
    static let maximumBodyByteCount = contentOffset + RecordPlaintext.maximumPaddedByteCount + XChaCha20Poly1305.tagByteCount

    enum Part: UInt8 { case envelope = 1, content = 2 }

    static func associatedData(journalID: [UInt8], sequence: UInt64, part: Part) -> [UInt8] {
        var writer = ByteWriter(capacity: 28)
        writer.write(journalID)
        writer.write(sequence)
        writer.write(FrameKind.record.rawValue)
        writer.write(FileHeader.formatVersion)
        writer.write(part.rawValue)
        return writer.bytes
    }

    /// Message of the per-record key PRF: label (8) || LE64(sequence) || nonce (24).
    static func keyMessage(label: [UInt8], sequence: UInt64, nonce: UnsafeRawBufferPointer) -> [UInt8] {
        var writer = ByteWriter(capacity: 40)
        writer.write(label)
        writer.write(sequence)
        writer.write(nonce)
        return writer.bytes
    }

    /// Opens the envelope of a record frame body with the envelope key.
    static func openEnvelope(body: [UInt8], key: UnsafeRawBufferPointer, journalID: [UInt8], sequence: UInt64) throws -> RecordEnvelope {
        guard body.count >= minimumBodyByteCount else { throw CryptoError.authenticationFailed }
        let aad = associatedData(journalID: journalID, sequence: sequence, part: .envelope)
        var plaintext = [UInt8](repeating: 0, count: RecordEnvelope.plaintextByteCount)
        defer { Sodium.wipe(&plaintext) }
        try body.withUnsafeBytes { raw in
            try plaintext.withUnsafeMutableBytes { out in
                try aad.withUnsafeBytes { a in
                    try XChaCha20Poly1305.decrypt(into: out, ciphertext: UnsafeRawBufferPointer(rebasing: raw[envelopeOffset..<contentOffset]),
                                                  nonce: UnsafeRawBufferPointer(rebasing: raw[0..<nonceByteCount]), key: key, associatedData: a)
                }
            }
        }
        return try RecordEnvelope.decode(plaintext)
    }

    /// Opens the content of a record frame body with the content key.
    static func openContent(body: [UInt8], key: UnsafeRawBufferPointer, journalID: [UInt8], sequence: UInt64) throws -> RecordPlaintext {
        guard body.count >= minimumBodyByteCount else { throw CryptoError.authenticationFailed }
        let aad = associatedData(journalID: journalID, sequence: sequence, part: .content)
        var padded = [UInt8](repeating: 0, count: body.count - contentOffset - XChaCha20Poly1305.tagByteCount)
        defer { Sodium.wipe(&padded) }
        try body.withUnsafeBytes { raw in
            try padded.withUnsafeMutableBytes { out in
                try aad.withUnsafeBytes { a in
                    try XChaCha20Poly1305.decrypt(into: out, ciphertext: UnsafeRawBufferPointer(rebasing: raw[contentOffset...]),
                                                  nonce: UnsafeRawBufferPointer(rebasing: raw[0..<nonceByteCount]), key: key, associatedData: a)
                }
            }
        }
        return try padded.withUnsafeBytes { (raw) throws(FormatError) -> RecordPlaintext in try RecordPlaintext.decode(raw) }
    }
}

/// The per-record keys of one record, for disclosure (guarded memory).
struct RecordKeys: Sendable {
    let envelopeKey: SecretBytes
    let contentKey: SecretBytes
}

/// Seals and opens records with a journal's record root key, deriving per-record keys into a
/// reused guarded buffer so the hot loop makes no `sodium_malloc` call.
/// Not thread-safe: each writer (under its lock) and each reading cursor owns its own.
final class RecordCipher {
    private let rootKey: SecretBytes
    private let journalID: [UInt8]
    private let scratch: GuardedScratch

    init(masterKey: SecretBytes, journalID: [UInt8]) throws {
        rootKey = try KeyDerivation.deriveSubkey(length: RecordSealing.keyByteCount, id: 1, context: RecordSealing.rootKeyContext, masterKey: masterKey)
        scratch = try GuardedScratch(count: RecordSealing.keyByteCount)
        self.journalID = journalID
    }

    /// Derives the key for `label` into the scratch buffer, runs `body`, wipes it.
    private func withKey<T>(_ label: [UInt8], sequence: UInt64, nonce: UnsafeRawBufferPointer,
                            _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let message = RecordSealing.keyMessage(label: label, sequence: sequence, nonce: nonce)
        return try scratch.use { key in
            try rootKey.withUnsafeBytes { root in
                try message.withUnsafeBytes { try BLAKE2b.keyedHash(into: key, message: $0, key: root) }
            }
            return try body(UnsafeRawBufferPointer(key))
        }
    }

    /// Seals `plaintext` with `envelope` as record `sequence`; returns the complete frame
    /// (prefix, body, suffix), encrypting straight into the frame buffer.
    func sealFrame(_ plaintext: RecordPlaintext, envelope: RecordEnvelope, sequence: UInt64) throws -> [UInt8] {
        var padded = try plaintext.encode()
        var envelopeBytes = try envelope.encode()
        defer { Sodium.wipe(&padded); Sodium.wipe(&envelopeBytes) }
        let bodyLength = RecordSealing.contentOffset + padded.count + XChaCha20Poly1305.tagByteCount
        var frame = [UInt8](repeating: 0, count: bodyLength + Frame.overhead)
        let envelopeAAD = RecordSealing.associatedData(journalID: journalID, sequence: sequence, part: .envelope)
        let contentAAD = RecordSealing.associatedData(journalID: journalID, sequence: sequence, part: .content)
        try frame.withUnsafeMutableBytes { out in
            out.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: 0, as: UInt32.self)
            out[4] = FrameKind.record.rawValue
            out.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: Frame.prefixByteCount + bodyLength, as: UInt32.self)
            let body = UnsafeMutableRawBufferPointer(rebasing: out[Frame.prefixByteCount..<(Frame.prefixByteCount + bodyLength)])
            let nonceBuffer = UnsafeMutableRawBufferPointer(rebasing: body[0..<RecordSealing.nonceByteCount])
            DeterministicRandomness.fill(nonceBuffer)
            let nonce = UnsafeRawBufferPointer(nonceBuffer)
            try withKey(RecordSealing.envelopeLabel, sequence: sequence, nonce: nonce) { key in
                try envelopeBytes.withUnsafeBytes { p in
                    try envelopeAAD.withUnsafeBytes { a in
                        try XChaCha20Poly1305.encrypt(into: UnsafeMutableRawBufferPointer(rebasing: body[RecordSealing.envelopeOffset..<RecordSealing.contentOffset]),
                                                      plaintext: p, nonce: nonce, key: key, associatedData: a)
                    }
                }
            }
            try withKey(RecordSealing.contentLabel, sequence: sequence, nonce: nonce) { key in
                try padded.withUnsafeBytes { p in
                    try contentAAD.withUnsafeBytes { a in
                        try XChaCha20Poly1305.encrypt(into: UnsafeMutableRawBufferPointer(rebasing: body[RecordSealing.contentOffset...]),
                                                      plaintext: p, nonce: nonce, key: key, associatedData: a)
                    }
                }
            }
        }
        return frame
    }

    /// Opens a record frame body's content as record `sequence`.
    /// - Throws: ``CryptoError/authenticationFailed`` when the frame was altered, moved or spliced in;
    ///   ``FormatError`` when it authenticates but its content is malformed or of an unknown version.
    func open(body: [UInt8], sequence: UInt64) throws -> RecordPlaintext {
        guard body.count >= RecordSealing.minimumBodyByteCount else { throw CryptoError.authenticationFailed }
        return try body.withUnsafeBytes { raw in
            try withKey(RecordSealing.contentLabel, sequence: sequence, nonce: UnsafeRawBufferPointer(rebasing: raw[0..<RecordSealing.nonceByteCount])) { key in
                try RecordSealing.openContent(body: body, key: key, journalID: journalID, sequence: sequence)
            }
        }
    }

    /// Opens a record frame body's envelope as record `sequence`.
    func openEnvelope(body: [UInt8], sequence: UInt64) throws -> RecordEnvelope {
        guard body.count >= RecordSealing.minimumBodyByteCount else { throw CryptoError.authenticationFailed }
        return try body.withUnsafeBytes { raw in
            try withKey(RecordSealing.envelopeLabel, sequence: sequence, nonce: UnsafeRawBufferPointer(rebasing: raw[0..<RecordSealing.nonceByteCount])) { key in
                try RecordSealing.openEnvelope(body: body, key: key, journalID: journalID, sequence: sequence)
            }
        }
    }

    /// The two keys of record `sequence` (whose frame body is `body`), copied into guarded memory for disclosure.
    func keys(body: [UInt8], sequence: UInt64) throws -> RecordKeys {
        guard body.count >= RecordSealing.minimumBodyByteCount else { throw CryptoError.authenticationFailed }
        return try body.withUnsafeBytes { raw in
            let nonce = UnsafeRawBufferPointer(rebasing: raw[0..<RecordSealing.nonceByteCount])
            let envelope = try withKey(RecordSealing.envelopeLabel, sequence: sequence, nonce: nonce) { key in try SecretBytes(count: key.count) { $0.copyMemory(from: key) } }
            let content = try withKey(RecordSealing.contentLabel, sequence: sequence, nonce: nonce) { key in try SecretBytes(count: key.count) { $0.copyMemory(from: key) } }
            return RecordKeys(envelopeKey: envelope, contentKey: content)
        }
    }
}

@available(*, unavailable, message: "a record cipher reuses one scratch buffer; give each task its own")
extension RecordCipher: Sendable {}
