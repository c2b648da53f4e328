internal import CSodium

/// ChaCha20-Poly1305-IETF (RFC 8439, 96-bit nonce), `crypto_aead_chacha20poly1305_ietf_*`.
///
/// Used only by the age export, whose STREAM construction derives each nonce from a
/// chunk counter and a last-chunk flag under a per-file key, so every nonce is unique
/// under its key. Output layout: ciphertext || tag (16). The nonce is not included.
enum ChaCha20Poly1305 {
    static let keyByteCount = Int(crypto_aead_chacha20poly1305_ietf_KEYBYTES)     // 32
    static let nonceByteCount = Int(crypto_aead_chacha20poly1305_ietf_NPUBBYTES)  // 12
    static let tagByteCount = Int(crypto_aead_chacha20poly1305_ietf_ABYTES)       // 16

    /// Seals `plaintext`; returns ciphertext || tag.
    static func seal(_ plaintext: UnsafeRawBufferPointer, key: SecretBytes, nonce: [UInt8],
                     associatedData: [UInt8] = []) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        try check(key: key.count, nonce: nonce.count)
        var output = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        key.withUnsafeBytes { k in
            output.withUnsafeMutableBytes { out in
                var written: UInt64 = 0
                _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                    associatedData, UInt64(associatedData.count), nil, nonce,
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return output
    }

    static func seal(_ plaintext: [UInt8], key: SecretBytes, nonce: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { (p) throws -> [UInt8] in
            try seal(p, key: key, nonce: nonce, associatedData: associatedData)
        }
    }

    /// Opens ciphertext || tag. Throws ``CryptoError/authenticationFailed`` on any alteration.
    static func open(_ sealed: UnsafeRawBufferPointer, key: SecretBytes, nonce: [UInt8],
                     associatedData: [UInt8] = []) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        try check(key: key.count, nonce: nonce.count)
        guard sealed.count >= tagByteCount else { throw CryptoError.authenticationFailed }
        var output = [UInt8](repeating: 0, count: sealed.count - tagByteCount)
        let status = key.withUnsafeBytes { k in
            output.withUnsafeMutableBytes { out -> Int32 in
                var written: UInt64 = 0
                // libsodium accepts a NULL output when the message is empty.
                return crypto_aead_chacha20poly1305_ietf_decrypt(
                    out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil,
                    sealed.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(sealed.count),
                    associatedData, UInt64(associatedData.count), nonce,
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard status == 0 else { throw CryptoError.authenticationFailed }
        return output
    }

    static func open(_ sealed: [UInt8], key: SecretBytes, nonce: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        try sealed.withUnsafeBytes { (s) throws -> [UInt8] in
            try open(s, key: key, nonce: nonce, associatedData: associatedData)
        }
    }

    private static func check(key: Int, nonce: Int) throws {
        guard key == keyByteCount else { throw CryptoError.invalidLength(what: "ChaCha20-Poly1305 key", expected: keyByteCount, actual: key) }
        guard nonce == nonceByteCount else { throw CryptoError.invalidLength(what: "ChaCha20-Poly1305 nonce", expected: nonceByteCount, actual: nonce) }
    }
}
