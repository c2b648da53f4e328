internal import CSodium

/// Ed25519 signatures (`crypto_sign_*`, RFC 8032), used to sign journal checkpoints.
enum Ed25519 {
    static let seedByteCount = Int(crypto_sign_SEEDBYTES)            // 32
    static let publicKeyByteCount = Int(crypto_sign_PUBLICKEYBYTES)  // 32
    static let secretKeyByteCount = Int(crypto_sign_SECRETKEYBYTES)  // 64
    static let signatureByteCount = Int(crypto_sign_BYTES)           // 64

    /// A signing key: the 64-byte libsodium secret key in guarded memory, and its public key.
    struct SigningKey: Sendable {
        let secretKey: SecretBytes
        let publicKey: [UInt8]

        /// Derives the key pair deterministically from a 32-byte seed (`crypto_sign_seed_keypair`).
        init(seed: SecretBytes) throws {
            try Sodium.ensureInitialized()
            guard seed.count == seedByteCount else {
                throw CryptoError.invalidLength(what: "Ed25519 seed", expected: seedByteCount, actual: seed.count)
            }
            var publicKey = [UInt8](repeating: 0, count: publicKeyByteCount)
            do {
                secretKey = try SecretBytes(count: secretKeyByteCount) { sk in
                    seed.withUnsafeBytes { s in
                        _ = crypto_sign_seed_keypair(&publicKey, sk.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                     s.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            } catch let error as CryptoError {
                throw error
            } catch {
                throw CryptoError.outOfMemory(bytes: secretKeyByteCount)
            }
            self.publicKey = publicKey
        }

        /// A detached 64-byte signature of `message`.
        func signature(for message: [UInt8]) -> [UInt8] {
            var signature = [UInt8](repeating: 0, count: signatureByteCount)
            secretKey.withUnsafeBytes { sk in
                _ = crypto_sign_detached(&signature, nil, message, UInt64(message.count),
                                         sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            return signature
        }
    }

    /// `true` when `signature` is a valid signature of `message` by `publicKey`.
    /// Wrong sizes are simply invalid (this takes untrusted input).
    static func isValidSignature(_ signature: [UInt8], for message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard (try? Sodium.ensureInitialized()) != nil,
              signature.count == signatureByteCount, publicKey.count == publicKeyByteCount else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
