
/// Sealing and opening record frames (format version 2).
///
///     record frame body = nonce (24) || sealed envelope (88) || sealed content (padded plaintext + 16) || owner tag (32)
///
///     record root key = crypto_kdf_derive_from_key(32, subkey id 1, context "SJrecrd2", master key)
///     envelope key    = BLAKE2b-256(key = record root key, message = "SJenvkey" || LE64(sequence) || nonce)
///     content key     = BLAKE2b-256(key = record root key, message = "SJcntkey" || LE64(sequence) || nonce)
///     sealed envelope = XChaCha20-Poly1305(envelope key, nonce, envelope (72), AAD(part 1))
///     sealed content  = XChaCha20-Poly1305(content key,  nonce, padded plaintext, AAD(part 2) || SHA-256(sealed envelope))
///     AAD             = journal id (16) || LE64(sequence) || frame kind 1 (1) || LE16(format version 2) || part (1)
///
///     owner tag       = BLAKE2b-256(key = record root key, message = "SJrecmac" || journal id || LE64(sequence) || body before the tag)
///
/// The content's AAD binds the sealed envelope, so whoever holds only an envelope key (every
/// record's, in a complete audit bundle) cannot rewrite an envelope without the content failing.
/// The owner tag is keyed with the record root key, which is never disclosed: a disclosed
/// envelope or content key lets its holder read one record, but whatever they re-encrypt with it
/// fails the owner's tag, so the owner's reader, repair and rekey never accept it.
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
    /// The owner tag at the end of every record frame body.
    static let ownerTagByteCount = 32
    static let ownerTagLabel = Array("SJrecmac".utf8)
    /// Smallest valid body: nonce, envelope, a 256-byte padded content with its tag, the owner tag.
    static let minimumBodyByteCount = contentOffset + 256 + XChaCha20Poly1305.tagByteCount + ownerTagByteCount
    static let maximumBodyByteCount = contentOffset + RecordPlaintext.maximumPaddedByteCount + XChaCha20Poly1305.tagByteCount + ownerTagByteCount

    /// Where the owner tag starts in a body of `count` bytes (the content ends there).
    static func ownerTagOffset(bodyCount: Int) -> Int { bodyCount - ownerTagByteCount }

    /// The owner tag's message prefix: "SJrecmac" || journal id || LE64(sequence).
    static func ownerTagPrefix(journalID: [UInt8], sequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 32)
        writer.write(ownerTagLabel)
        writer.write(journalID)
        writer.write(sequence)
        return writer.bytes
    }

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

    /// The content's associated data: AAD(part 2) followed by SHA-256 of the sealed envelope (88 bytes).
    static func contentAssociatedData(journalID: [UInt8], sequence: UInt64, sealedEnvelope: some Collection<UInt8>) throws -> [UInt8] {
        associatedData(journalID: journalID, sequence: sequence, part: .content) + (try SHA256.hash(Array(sealedEnvelope)))
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
        try body.withUnsafeBytes { raw in
            var scratch = PlaintextScratch()
            defer { scratch.release() }
            return try openContent(body: raw, key: key, journalID: journalID, sequence: sequence, scratch: &scratch)
        }
    }

    /// Opens the content of a record frame body (read in place) with the content key, decrypting
    /// into `scratch` (wiped after use), with the associated data built on the stack.
    static func openContent(body raw: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, journalID: [UInt8], sequence: UInt64,
                            scratch: inout PlaintextScratch) throws -> RecordPlaintext {
        guard raw.count >= minimumBodyByteCount else { throw CryptoError.authenticationFailed }
        let contentEnd = ownerTagOffset(bodyCount: raw.count)
        let paddedCount = contentEnd - contentOffset - XChaCha20Poly1305.tagByteCount
        return try withUnsafeTemporaryAllocation(byteCount: 28 + SHA256.byteCount, alignment: 8) { aad in
            writeAssociatedData(into: aad, journalID: journalID, sequence: sequence, part: .content)
            var hasher = SHA256()
            hasher.update(UnsafeRawBufferPointer(rebasing: raw[envelopeOffset..<contentOffset]))
            hasher.finalize(into: UnsafeMutableRawBufferPointer(rebasing: aad[28...]))
            return try scratch.use(count: paddedCount) { out in
                try XChaCha20Poly1305.decrypt(into: out, ciphertext: UnsafeRawBufferPointer(rebasing: raw[contentOffset..<contentEnd]),
                                              nonce: UnsafeRawBufferPointer(rebasing: raw[0..<nonceByteCount]), key: key,
                                              associatedData: UnsafeRawBufferPointer(aad))
                return try RecordPlaintext.decode(UnsafeRawBufferPointer(out))
            }
        }
    }

    /// AAD(part) (28 bytes) written into `out`: journal id || LE64(sequence) || frame kind 1 || LE16(2) || part.
    static func writeAssociatedData(into out: UnsafeMutableRawBufferPointer, journalID: [UInt8], sequence: UInt64, part: Part) {
        // A journal id is 16 bytes (FORMAT.md 2.1); never trap on anything else.
        UnsafeMutableRawBufferPointer(rebasing: out[0..<16]).initializeMemory(as: UInt8.self, repeating: 0)
        journalID.withUnsafeBytes { id in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: id[0..<min(16, id.count)])) }
        out.storeBytes(of: sequence.littleEndian, toByteOffset: 16, as: UInt64.self)
        out[24] = FrameKind.record.rawValue
        out.storeBytes(of: FileHeader.formatVersion.littleEndian, toByteOffset: 25, as: UInt16.self)
        out[27] = part.rawValue
    }
}

/// A reusable buffer for one record's padded plaintext at a time, wiped after every use and
/// freed when released: a reading loop decrypts into it instead of allocating per record.
/// Records larger than ``retainedByteCount`` get a buffer of their own, wiped and freed at once,
/// so what stays allocated (and would hold plaintext but for the wipe) is bounded.
struct PlaintextScratch: ~Copyable {
    /// The largest buffer kept between records (records of a few KiB are the common case).
    static let retainedByteCount = 64 << 10
    private var storage: UnsafeMutableRawBufferPointer?

    init() {}

    /// Runs `body` with `count` bytes of the buffer; wipes them afterwards, even when `body` throws.
    mutating func use<T>(count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) throws -> T {
        if count > Self.retainedByteCount {
            let own = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
            defer { Sodium.wipe(own); own.deallocate() }
            return try body(UnsafeMutableRawBufferPointer(rebasing: own[0..<count]))
        }
        if storage == nil { storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.retainedByteCount, alignment: 16) }
        guard let storage else { throw CryptoError.outOfMemory(bytes: count) }
        let part = UnsafeMutableRawBufferPointer(rebasing: storage[0..<count])
        defer { Sodium.wipe(part) }
        return try body(part)
    }

    /// Wipes and frees the buffer.
    mutating func release() {
        if let storage {
            Sodium.wipe(storage)
            storage.deallocate()
        }
        storage = nil
    }

    deinit {
        if let storage {
            Sodium.wipe(storage)
            storage.deallocate()
        }
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
    /// Decrypted record contents, one at a time (wiped after each record).
    private var plaintextScratch = PlaintextScratch()
    /// The keyed BLAKE2b state of the owner tag (it holds key material: wiped after each tag).
    private let tagState: KeyedBLAKE2bState

    init(masterKey: SecretBytes, journalID: [UInt8]) throws {
        rootKey = try KeyDerivation.deriveSubkey(length: RecordSealing.keyByteCount, id: 1, context: RecordSealing.rootKeyContext, masterKey: masterKey)
        scratch = try GuardedScratch(count: RecordSealing.keyByteCount)
        self.journalID = journalID
        tagState = try KeyedBLAKE2bState()
    }

    /// Derives the key for `label` into the scratch buffer, runs `body`, wipes it. The PRF
    /// message (label || LE64(sequence) || nonce) is built on the stack.
    private func withKey<T>(_ label: [UInt8], sequence: UInt64, nonce: UnsafeRawBufferPointer,
                            _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard nonce.count == RecordSealing.nonceByteCount else { throw CryptoError.authenticationFailed }
        return try withUnsafeTemporaryAllocation(byteCount: 40, alignment: 8) { message in
            label.withUnsafeBytes { message.copyMemory(from: $0) }
            message.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
            UnsafeMutableRawBufferPointer(rebasing: message[16..<40]).copyMemory(from: nonce)
            return try scratch.use { key in
                try rootKey.withUnsafeBytes { root in
                    try BLAKE2b.keyedHash(into: key, message: UnsafeRawBufferPointer(message), key: root)
                }
                return try body(UnsafeRawBufferPointer(key))
            }
        }
    }

    /// Seals `plaintext` with `envelope` as record `sequence`; returns the complete frame
    /// (prefix, body, suffix), encrypting straight into the frame buffer.
    func sealFrame(_ plaintext: RecordPlaintext, envelope: RecordEnvelope, sequence: UInt64) throws -> [UInt8] {
        var padded = try plaintext.encode()
        var envelopeBytes = try envelope.encode()
        defer { Sodium.wipe(&padded); Sodium.wipe(&envelopeBytes) }
        let contentEnd = RecordSealing.contentOffset + padded.count + XChaCha20Poly1305.tagByteCount
        let bodyLength = contentEnd + RecordSealing.ownerTagByteCount
        var frame = [UInt8](repeating: 0, count: bodyLength + Frame.overhead)
        try withUnsafeTemporaryAllocation(byteCount: 28 + SHA256.byteCount, alignment: 8) { aad in
        try frame.withUnsafeMutableBytes { out in
            out.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: 0, as: UInt32.self)
            out[4] = FrameKind.record.rawValue
            out.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: Frame.prefixByteCount + bodyLength, as: UInt32.self)
            let body = UnsafeMutableRawBufferPointer(rebasing: out[Frame.prefixByteCount..<(Frame.prefixByteCount + bodyLength)])
            let nonceBuffer = UnsafeMutableRawBufferPointer(rebasing: body[0..<RecordSealing.nonceByteCount])
            DeterministicRandomness.fill(nonceBuffer)
            let nonce = UnsafeRawBufferPointer(nonceBuffer)
            // AAD(1) for the envelope, then AAD(2) || SHA-256(sealed envelope) for the content, on the stack.
            RecordSealing.writeAssociatedData(into: aad, journalID: journalID, sequence: sequence, part: .envelope)
            try withKey(RecordSealing.envelopeLabel, sequence: sequence, nonce: nonce) { key in
                try envelopeBytes.withUnsafeBytes { p in
                    try XChaCha20Poly1305.encrypt(into: UnsafeMutableRawBufferPointer(rebasing: body[RecordSealing.envelopeOffset..<RecordSealing.contentOffset]),
                                                  plaintext: p, nonce: nonce, key: key, associatedData: UnsafeRawBufferPointer(rebasing: aad[0..<28]))
                }
            }
            let sealedEnvelope = UnsafeRawBufferPointer(rebasing: body[RecordSealing.envelopeOffset..<RecordSealing.contentOffset])
            RecordSealing.writeAssociatedData(into: aad, journalID: journalID, sequence: sequence, part: .content)
            var hasher = SHA256()
            hasher.update(sealedEnvelope)
            hasher.finalize(into: UnsafeMutableRawBufferPointer(rebasing: aad[28...]))
            try withKey(RecordSealing.contentLabel, sequence: sequence, nonce: nonce) { key in
                try padded.withUnsafeBytes { p in
                    try XChaCha20Poly1305.encrypt(into: UnsafeMutableRawBufferPointer(rebasing: body[RecordSealing.contentOffset..<contentEnd]),
                                                  plaintext: p, nonce: nonce, key: key, associatedData: UnsafeRawBufferPointer(aad))
                }
            }
        }
        }
        try frame.withUnsafeMutableBytes { out in
            let body = UnsafeMutableRawBufferPointer(rebasing: out[Frame.prefixByteCount..<(Frame.prefixByteCount + bodyLength)])
            try writeOwnerTag(into: UnsafeMutableRawBufferPointer(rebasing: body[contentEnd...]),
                              over: UnsafeRawBufferPointer(rebasing: body[..<contentEnd]), sequence: sequence)
        }
        return frame
    }

    /// The owner tag of `covered` (the body before the tag) for record `sequence`: keyed BLAKE2b
    /// over "SJrecmac" || journal id || LE64(sequence) and then `covered`, absorbed in place.
    private func writeOwnerTag(into tag: UnsafeMutableRawBufferPointer, over covered: UnsafeRawBufferPointer, sequence: UInt64) throws {
        try Sodium.ensureInitialized()
        guard tag.count == RecordSealing.ownerTagByteCount, journalID.count == 16 else { throw CryptoError.invalidParameter(what: "owner tag") }
        try withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { prefix in
            RecordSealing.ownerTagLabel.withUnsafeBytes { prefix.copyMemory(from: $0) }
            journalID.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: prefix[8..<24]).copyMemory(from: $0) }
            prefix.storeBytes(of: sequence.littleEndian, toByteOffset: 24, as: UInt64.self)
            try rootKey.withUnsafeBytes { key in
                try tagState.hash(into: tag, key: key, prefix: UnsafeRawBufferPointer(prefix), message: covered)
            }
        }
    }

    /// Checks the owner tag of a record frame body (constant time); throws
    /// ``CryptoError/authenticationFailed`` when it does not match (altered, or re-encrypted by
    /// someone who holds only a disclosed key).
    func checkOwnerTag(body: [UInt8], sequence: UInt64) throws {
        try body.withUnsafeBytes { try checkOwnerTag(body: $0, sequence: sequence) }
    }

    /// ``checkOwnerTag(body:sequence:)`` over a body read in place.
    func checkOwnerTag(body: UnsafeRawBufferPointer, sequence: UInt64) throws {
        guard body.count >= RecordSealing.minimumBodyByteCount else { throw CryptoError.authenticationFailed }
        let tagOffset = RecordSealing.ownerTagOffset(bodyCount: body.count)
        let matches = try withUnsafeTemporaryAllocation(byteCount: RecordSealing.ownerTagByteCount, alignment: 8) { expected in
            try writeOwnerTag(into: expected, over: UnsafeRawBufferPointer(rebasing: body[..<tagOffset]), sequence: sequence)
            return ConstantTime.equals(UnsafeRawBufferPointer(expected), UnsafeRawBufferPointer(rebasing: body[tagOffset...]))
        }
        guard matches else { throw CryptoError.authenticationFailed }
    }

    /// Opens a record frame body's content as record `sequence`.
    /// - Throws: ``CryptoError/authenticationFailed`` when the frame was altered, moved or spliced in;
    ///   ``FormatError`` when it authenticates but its content is malformed or of an unknown version.
    func open(body: [UInt8], sequence: UInt64) throws -> RecordPlaintext {
        try body.withUnsafeBytes { try open(body: $0, sequence: sequence) }
    }

    /// ``open(body:sequence:)`` over a body read in place (no copy of the frame; the content is
    /// decrypted into a reused buffer that is wiped after each record): the owner tag first,
    /// then the content key, the content's AEAD and its padding.
    func open(body: UnsafeRawBufferPointer, sequence: UInt64) throws -> RecordPlaintext {
        try checkOwnerTag(body: body, sequence: sequence)
        return try withKey(RecordSealing.contentLabel, sequence: sequence, nonce: UnsafeRawBufferPointer(rebasing: body[0..<RecordSealing.nonceByteCount])) { key in
            try RecordSealing.openContent(body: body, key: key, journalID: journalID, sequence: sequence, scratch: &plaintextScratch)
        }
    }

    /// Opens a record frame body's envelope as record `sequence`.
    func openEnvelope(body: [UInt8], sequence: UInt64) throws -> RecordEnvelope {
        try checkOwnerTag(body: body, sequence: sequence)
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
