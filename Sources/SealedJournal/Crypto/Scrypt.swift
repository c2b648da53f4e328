internal import CSodium

/// scrypt (RFC 7914) via `crypto_pwhash_scryptsalsa208sha256_ll`, used only by age's passphrase
/// recipient (N = 2^workFactor, r = 8, p = 1).
enum Scrypt {
    /// Largest work factor accepted (2^22: 4 GiB of memory).
    static let maximumWorkFactor = 22

    static func deriveKey(passphrase: SecretBytes, salt: [UInt8], workFactor: Int, length: Int = 32) throws -> SecretBytes {
        try Sodium.ensureInitialized()
        guard (1...maximumWorkFactor).contains(workFactor) else {
            throw CryptoError.invalidParameter(what: "scrypt work factor \(workFactor)")
        }
        var status: Int32 = 0
        let key = try SecretBytes(count: length) { out in
            status = passphrase.withUnsafeBytes { p in
                crypto_pwhash_scryptsalsa208sha256_ll(
                    p.baseAddress!.assumingMemoryBound(to: UInt8.self), p.count, salt, salt.count,
                    UInt64(1) << UInt64(workFactor), 8, 1,
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count)
            }
        }
        guard status == 0 else { throw CryptoError.passwordHashingOutOfMemory(memoryLimitBytes: UInt64(128 * 8) << UInt64(workFactor)) }
        return key
    }
}
