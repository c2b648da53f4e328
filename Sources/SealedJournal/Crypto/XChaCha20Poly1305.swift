internal import CSodium

/// XChaCha20-Poly1305-IETF authenticated encryption (`crypto_aead_xchacha20poly1305_ietf_*`),
/// used for journal records and key slots.
///
/// Combined layout produced by ``seal(_:key:associatedData:)``:
///
///     nonce (24) || ciphertext (plaintext.count) || tag (16)
///
/// The nonce is always drawn at random (192 bits, so random nonces never collide in
/// practice); callers cannot pass one, which makes nonce reuse impossible by construction.
/// Tests reach the explicit-nonce form for published vectors.
enum XChaCha20Poly1305 {
    static let keyByteCount = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)      // 32
    static let nonceByteCount = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)   // 24
    static let tagByteCount = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)        // 16
    /// Bytes a sealed message adds to its plaintext.
    static let overhead = nonceByteCount + tagByteCount

    /// Seals `plaintext` under `key` with a fresh random nonce; returns nonce || ciphertext || tag.
    static func seal(_ plaintext: UnsafeRawBufferPointer, key: SecretBytes,
                     associatedData: UnsafeRawBufferPointer) throws -> [UInt8] {
        let nonce = try RandomBytes.generate(count: nonceByteCount)
        return try key.withUnsafeBytes { (keyBytes) throws -> [UInt8] in
            try sealCombined(plaintext, key: keyBytes, nonce: nonce, associatedData: associatedData)
        }
    }

    static func seal(_ plaintext: [UInt8], key: SecretBytes, associatedData: [UInt8] = []) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { (p) throws -> [UInt8] in
            try associatedData.withUnsafeBytes { (a) throws -> [UInt8] in
                try seal(p, key: key, associatedData: a)
            }
        }
    }

    /// Opens nonce || ciphertext || tag. Throws ``CryptoError/authenticationFailed`` on any alteration.
    static func open(_ combined: [UInt8], key: SecretBytes, associatedData: [UInt8] = []) throws -> [UInt8] {
        try combined.withUnsafeBytes { (c) throws -> [UInt8] in
            try associatedData.withUnsafeBytes { (a) throws -> [UInt8] in
                try key.withUnsafeBytes { (k) throws -> [UInt8] in
                    try openCombined(c, key: k, associatedData: a)
                }
            }
        }
    }

    /// Seals with an explicit nonce. Internal: only for known-answer tests and for
    /// callers that derive a nonce that is provably unique under the key.
    static func sealCombined(_ plaintext: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer,
                             nonce: [UInt8], associatedData: UnsafeRawBufferPointer) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        guard key.count == keyByteCount else { throw CryptoError.invalidLength(what: "XChaCha20-Poly1305 key", expected: keyByteCount, actual: key.count) }
        guard nonce.count == nonceByteCount else { throw CryptoError.invalidLength(what: "XChaCha20-Poly1305 nonce", expected: nonceByteCount, actual: nonce.count) }
        var output = [UInt8](repeating: 0, count: nonceByteCount + plaintext.count + tagByteCount)
        output.withUnsafeMutableBytes { out in
            out.copyBytes(from: nonce)
            var written: UInt64 = 0
            _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                out.baseAddress!.advanced(by: nonceByteCount).assumingMemoryBound(to: UInt8.self), &written,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                nil,
                out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return output
    }

    /// Opens nonce || ciphertext || tag with a raw key view.
    static func openCombined(_ combined: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer,
                             associatedData: UnsafeRawBufferPointer) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        guard key.count == keyByteCount else { throw CryptoError.invalidLength(what: "XChaCha20-Poly1305 key", expected: keyByteCount, actual: key.count) }
        guard combined.count >= overhead else { throw CryptoError.authenticationFailed }
        let messageCount = combined.count - overhead
        var output = [UInt8](repeating: 0, count: messageCount)
        let status = output.withUnsafeMutableBytes { out -> Int32 in
            var written: UInt64 = 0
            let base = combined.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return crypto_aead_xchacha20poly1305_ietf_decrypt(
                out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written,  // NULL allowed when empty
                nil,
                base + nonceByteCount, UInt64(combined.count - nonceByteCount),
                associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                base,
                key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard status == 0 else { throw CryptoError.authenticationFailed }
        return output
    }

    /// Opens nonce || ciphertext || tag straight into guarded memory (for wrapped keys).
    static func openSecret(_ combined: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws -> SecretBytes {
        try Sodium.ensureInitialized()
        guard key.count == keyByteCount else { throw CryptoError.invalidLength(what: "XChaCha20-Poly1305 key", expected: keyByteCount, actual: key.count) }
        guard combined.count >= overhead else { throw CryptoError.authenticationFailed }
        return try SecretBytes(count: combined.count - overhead) { out in
            let status = combined.withUnsafeBytes { c in
                key.withUnsafeBytes { k in
                    crypto_aead_xchacha20poly1305_ietf_decrypt(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), nil, nil,
                        c.baseAddress!.assumingMemoryBound(to: UInt8.self) + nonceByteCount, UInt64(combined.count - nonceByteCount),
                        associatedData, UInt64(associatedData.count),
                        c.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
            guard status == 0 else { throw CryptoError.authenticationFailed }
        }
    }

    /// Encrypts `plaintext` into `output` (ciphertext || tag, `plaintext.count + 16` bytes) with an
    /// explicit nonce, for hot paths that seal straight into a frame buffer. Internal: callers draw
    /// the nonce at random (or derive a provably unique one) and never reuse it under `key`.
    static func encrypt(into output: UnsafeMutableRawBufferPointer, plaintext: UnsafeRawBufferPointer,
                        nonce: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer,
                        associatedData: UnsafeRawBufferPointer) throws {
        try Sodium.ensureInitialized()
        guard key.count == keyByteCount, nonce.count == nonceByteCount, output.count == plaintext.count + tagByteCount,
              let out = output.baseAddress, let nonceBase = nonce.baseAddress, let keyBase = key.baseAddress else {
            throw CryptoError.invalidParameter(what: "XChaCha20-Poly1305 buffer sizes")
        }
        var written: UInt64 = 0
        let status = crypto_aead_xchacha20poly1305_ietf_encrypt(
            out.assumingMemoryBound(to: UInt8.self), &written,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
            associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
            nil, nonceBase.assumingMemoryBound(to: UInt8.self), keyBase.assumingMemoryBound(to: UInt8.self))
        guard status == 0 else { throw CryptoError.invalidParameter(what: "XChaCha20-Poly1305 encryption") }
    }

    /// Decrypts ciphertext || tag with an explicit nonce into `output` (`ciphertext.count - 16` bytes).
    /// Throws ``CryptoError/authenticationFailed`` on any alteration; `output` is zeroed then.
    static func decrypt(into output: UnsafeMutableRawBufferPointer, ciphertext: UnsafeRawBufferPointer,
                        nonce: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer,
                        associatedData: UnsafeRawBufferPointer) throws {
        try Sodium.ensureInitialized()
        guard key.count == keyByteCount, nonce.count == nonceByteCount, ciphertext.count >= tagByteCount,
              output.count == ciphertext.count - tagByteCount,
              let cipherBase = ciphertext.baseAddress, let nonceBase = nonce.baseAddress, let keyBase = key.baseAddress else {
            throw CryptoError.authenticationFailed
        }
        var written: UInt64 = 0
        let status = crypto_aead_xchacha20poly1305_ietf_decrypt(
            output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil,
            cipherBase.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
            associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
            nonceBase.assumingMemoryBound(to: UInt8.self), keyBase.assumingMemoryBound(to: UInt8.self))
        guard status == 0 else {
            if let base = output.baseAddress { sodium_memzero(base, output.count) }
            throw CryptoError.authenticationFailed
        }
    }
}
