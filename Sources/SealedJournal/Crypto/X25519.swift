internal import CSodium

/// X25519 key agreement (`crypto_scalarmult`, RFC 7748) and libsodium sealed boxes
/// (`crypto_box_seal`), used by age recipients and public-key slots.
enum X25519 {
    static let keyByteCount = Int(crypto_scalarmult_BYTES)  // 32
    static let sealedBoxOverhead = Int(crypto_box_sealbytes()) // 48

    /// A private key in guarded memory with its public key.
    struct PrivateKey: Sendable {
        let rawRepresentation: SecretBytes
        let publicKey: [UInt8]

        /// A fresh random private key.
        static func generate() throws -> PrivateKey {
            let secret: SecretBytes
            do { secret = try SecretBytes.random(count: keyByteCount) } catch { throw CryptoError.outOfMemory(bytes: keyByteCount) }
            return try PrivateKey(rawRepresentation: secret)
        }

        /// Wraps existing scalar bytes (clamped by libsodium when used).
        init(rawRepresentation: SecretBytes) throws {
            try Sodium.ensureInitialized()
            guard rawRepresentation.count == keyByteCount else {
                throw CryptoError.invalidLength(what: "X25519 private key", expected: keyByteCount, actual: rawRepresentation.count)
            }
            var publicKey = [UInt8](repeating: 0, count: keyByteCount)
            rawRepresentation.withUnsafeBytes { sk in
                _ = crypto_scalarmult_base(&publicKey, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            self.rawRepresentation = rawRepresentation
            self.publicKey = publicKey
        }

        /// The shared secret with `peerPublicKey`.
        /// - Throws: ``CryptoError/invalidPublicKey`` for a low-order point (all-zero result).
        func sharedSecret(with peerPublicKey: [UInt8]) throws -> SecretBytes {
            guard peerPublicKey.count == keyByteCount else {
                throw CryptoError.invalidLength(what: "X25519 public key", expected: keyByteCount, actual: peerPublicKey.count)
            }
            var status: Int32 = 0
            let shared: SecretBytes
            do {
                shared = try SecretBytes(count: keyByteCount) { out in
                    rawRepresentation.withUnsafeBytes { sk in
                        status = crypto_scalarmult(out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                   sk.baseAddress!.assumingMemoryBound(to: UInt8.self), peerPublicKey)
                    }
                }
            } catch { throw CryptoError.outOfMemory(bytes: keyByteCount) }
            guard status == 0 else { throw CryptoError.invalidPublicKey }
            return shared
        }
    }

    /// Encrypts `message` anonymously to `recipientPublicKey` (`crypto_box_seal`).
    static func sealedBox(_ message: [UInt8], to recipientPublicKey: [UInt8]) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        guard recipientPublicKey.count == keyByteCount else {
            throw CryptoError.invalidLength(what: "X25519 public key", expected: keyByteCount, actual: recipientPublicKey.count)
        }
        var out = [UInt8](repeating: 0, count: message.count + sealedBoxOverhead)
        guard crypto_box_seal(&out, message, UInt64(message.count), recipientPublicKey) == 0 else {
            throw CryptoError.invalidPublicKey
        }
        return out
    }

    /// Opens a sealed box with `privateKey`.
    static func openSealedBox(_ box: [UInt8], with privateKey: PrivateKey) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        guard box.count >= sealedBoxOverhead else { throw CryptoError.authenticationFailed }
        var out = [UInt8](repeating: 0, count: box.count - sealedBoxOverhead)
        let status = privateKey.rawRepresentation.withUnsafeBytes { sk in
            crypto_box_seal_open(&out, box, UInt64(box.count), privateKey.publicKey,
                                 sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard status == 0 else { throw CryptoError.authenticationFailed }
        return out
    }
}
