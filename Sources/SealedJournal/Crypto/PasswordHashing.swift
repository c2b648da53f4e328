internal import CSodium

/// Argon2id passphrase hashing (`crypto_pwhash` with `crypto_pwhash_ALG_ARGON2ID13`).
enum Argon2id {
    static let saltByteCount = Int(crypto_pwhash_SALTBYTES)  // 16

    /// Argon2id cost parameters, stored with every passphrase key slot.
    struct Parameters: Equatable, Sendable {
        /// Number of passes over memory (`opslimit`).
        var opsLimit: UInt64
        /// Memory in bytes (`memlimit`); libsodium rounds down to whole KiB.
        var memoryLimitBytes: UInt64

        /// libsodium's INTERACTIVE limits: 2 passes, 64 MiB.
        static let interactive = Parameters(opsLimit: UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                                            memoryLimitBytes: UInt64(crypto_pwhash_MEMLIMIT_INTERACTIVE))
        /// libsodium's MODERATE limits: 3 passes, 256 MiB (the default).
        static let moderate = Parameters(opsLimit: UInt64(crypto_pwhash_OPSLIMIT_MODERATE),
                                         memoryLimitBytes: UInt64(crypto_pwhash_MEMLIMIT_MODERATE))
        /// libsodium's SENSITIVE limits: 4 passes, 1 GiB.
        static let sensitive = Parameters(opsLimit: UInt64(crypto_pwhash_OPSLIMIT_SENSITIVE),
                                          memoryLimitBytes: UInt64(crypto_pwhash_MEMLIMIT_SENSITIVE))

        /// libsodium's own bounds for Argon2id.
        static let minimumOpsLimit = UInt64(crypto_pwhash_opslimit_min())
        static let minimumMemoryLimitBytes = UInt64(crypto_pwhash_memlimit_min())
    }

    /// Derives `outputByteCount` key bytes from a passphrase.
    ///
    /// Cost: the parameters' time and memory (tens of milliseconds to seconds).
    /// - Throws: ``CryptoError/invalidLength(what:expected:actual:)`` for a bad salt,
    ///   ``CryptoError/invalidParameter(what:)`` for limits outside libsodium's bounds or
    ///   `maximum`, ``CryptoError/passwordHashingOutOfMemory(memoryLimitBytes:)`` when the
    ///   memory cannot be had.
    static func deriveKey(outputByteCount: Int, passphrase: SecretBytes, salt: [UInt8],
                          parameters: Parameters) throws -> SecretBytes {
        try Sodium.ensureInitialized()
        guard salt.count == saltByteCount else {
            throw CryptoError.invalidLength(what: "Argon2id salt", expected: saltByteCount, actual: salt.count)
        }
        guard outputByteCount >= Int(crypto_pwhash_bytes_min()), outputByteCount <= 1024 else {
            throw CryptoError.invalidParameter(what: "Argon2id output length \(outputByteCount)")
        }
        guard parameters.opsLimit >= Parameters.minimumOpsLimit,
              parameters.opsLimit <= UInt64(crypto_pwhash_opslimit_max()) else {
            throw CryptoError.invalidParameter(what: "Argon2id opslimit \(parameters.opsLimit)")
        }
        guard parameters.memoryLimitBytes >= Parameters.minimumMemoryLimitBytes,
              parameters.memoryLimitBytes <= UInt64(crypto_pwhash_memlimit_max()) else {
            throw CryptoError.invalidParameter(what: "Argon2id memlimit \(parameters.memoryLimitBytes)")
        }
        var status: Int32 = 0
        let key: SecretBytes
        do {
            key = try SecretBytes(count: outputByteCount) { out in
                status = passphrase.withUnsafeBytes { pass in
                    // SecretStorage always owns at least one byte, so the pointer is never NULL.
                    crypto_pwhash(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(out.count),
                        pass.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(pass.count),
                        salt, parameters.opsLimit, Int(parameters.memoryLimitBytes),
                        crypto_pwhash_ALG_ARGON2ID13)
                }
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError.outOfMemory(bytes: outputByteCount)
        }
        // crypto_pwhash fails only when its memory cannot be allocated (limits were checked above).
        guard status == 0 else { throw CryptoError.passwordHashingOutOfMemory(memoryLimitBytes: parameters.memoryLimitBytes) }
        return key
    }
}
