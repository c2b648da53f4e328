import CSodium

/// Sealing and opening record frame bodies.
///
///     record frame body = nonce (24) || XChaCha20-Poly1305(padded plaintext) || tag (16)
///     record key        = crypto_kdf_derive_from_key(32, subkey id = sequence number, "SJrecord", master key)
///     AAD               = journal id (16) || sequence number (8, LE) || frame kind (1) || format version (2, LE)
///
/// One record can be disclosed by revealing its record key alone.
enum RecordSealing {
    static let keyContext = KeyDerivation.Context("SJrecord")

    static func associatedData(journalID: [UInt8], sequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 27)
        writer.write(journalID)
        writer.write(sequence)
        writer.write(FrameKind.record.rawValue)
        writer.write(FileHeader.formatVersion)
        return writer.bytes
    }

    /// The record key for `sequence`, in guarded memory (for disclosure).
    static func recordKey(sequence: UInt64, masterKey: SecretBytes) throws -> SecretBytes {
        try KeyDerivation.deriveSubkey(length: XChaCha20Poly1305.keyByteCount, id: sequence, context: keyContext, masterKey: masterKey)
    }

    /// Opens a record frame body with its record key.
    static func open(body: [UInt8], recordKey: SecretBytes, journalID: [UInt8], sequence: UInt64) throws -> RecordPlaintext {
        let padded = try XChaCha20Poly1305.open(body, key: recordKey, associatedData: associatedData(journalID: journalID, sequence: sequence))
        return try RecordPlaintext.decode(padded)
    }
}

/// Seals and opens records on hot paths, reusing one guarded buffer for the per-record key so
/// the loop makes no `sodium_malloc` call. Not thread-safe: each writer (under its lock) and
/// each reading cursor owns its own.
final class RecordCipher {
    private let masterKey: SecretBytes
    private let journalID: [UInt8]
    private let scratch: UnsafeMutableRawPointer

    init(masterKey: SecretBytes, journalID: [UInt8]) throws {
        try Sodium.ensureInitialized()
        guard let scratch = sodium_malloc(XChaCha20Poly1305.keyByteCount) else {
            throw CryptoError.outOfMemory(bytes: XChaCha20Poly1305.keyByteCount)
        }
        self.scratch = scratch
        self.masterKey = masterKey
        self.journalID = journalID
    }

    deinit {
        sodium_memzero(scratch, XChaCha20Poly1305.keyByteCount)
        sodium_free(scratch)
    }

    /// Derives the record key for `sequence` into the scratch buffer, runs `body`, wipes it.
    private func withRecordKey<T>(_ sequence: UInt64, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let keyBuffer = UnsafeMutableRawBufferPointer(start: scratch, count: XChaCha20Poly1305.keyByteCount)
        KeyDerivation.derive(into: keyBuffer, id: sequence, context: RecordSealing.keyContext, masterKey: masterKey)
        defer { sodium_memzero(scratch, XChaCha20Poly1305.keyByteCount) }
        return try body(UnsafeRawBufferPointer(keyBuffer))
    }

    /// Seals `plaintext` as record `sequence`; returns the complete frame (prefix, body, suffix),
    /// encrypting straight into the frame buffer.
    func sealFrame(_ plaintext: RecordPlaintext, sequence: UInt64) throws -> [UInt8] {
        var padded = try plaintext.encode()
        defer { Self.wipe(&padded) }
        let bodyLength = XChaCha20Poly1305.nonceByteCount + padded.count + XChaCha20Poly1305.tagByteCount
        var frame = [UInt8](repeating: 0, count: bodyLength + Frame.overhead)
        let aad = RecordSealing.associatedData(journalID: journalID, sequence: sequence)
        withRecordKey(sequence) { key in
            frame.withUnsafeMutableBytes { out in
                out.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: 0, as: UInt32.self)
                out[4] = FrameKind.record.rawValue
                out.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: Frame.prefixByteCount + bodyLength, as: UInt32.self)
                let nonce = UnsafeMutableRawBufferPointer(rebasing: out[Frame.prefixByteCount..<(Frame.prefixByteCount + XChaCha20Poly1305.nonceByteCount)])
                DeterministicRandomness.fill(nonce)
                let base = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var written: UInt64 = 0
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                    base + Frame.prefixByteCount + XChaCha20Poly1305.nonceByteCount, &written,
                    padded, UInt64(padded.count), aad, UInt64(aad.count), nil,
                    base + Frame.prefixByteCount, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return frame
    }

    /// Opens a record frame's body as record `sequence`.
    /// - Throws: ``CryptoError/authenticationFailed`` when the frame was altered, moved or spliced in.
    func open(body: [UInt8], sequence: UInt64) throws -> RecordPlaintext {
        let aad = RecordSealing.associatedData(journalID: journalID, sequence: sequence)
        var padded = try withRecordKey(sequence) { key in
            try body.withUnsafeBytes { c in
                try aad.withUnsafeBytes { a in try XChaCha20Poly1305.openCombined(c, key: key, associatedData: a) }
            }
        }
        defer { Self.wipe(&padded) }
        return try RecordPlaintext.decode(padded)
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { sodium_memzero(base, $0.count) } }
    }
}
