internal import CSodium

/// Non-secret random bytes (nonces, salts, identifiers) from `randombytes_buf`.
/// For key material use ``SecretBytes/random(count:)``.
enum RandomBytes {
    static func generate(count: Int) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { DeterministicRandomness.fill($0) }
        return bytes
    }
}
