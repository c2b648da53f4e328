internal import CSodium

/// HMAC-SHA256 (RFC 2104) over libsodium's `crypto_auth_hmacsha256_*`, with a key of any length
/// (keys longer than the 64-byte block are hashed first, as RFC 2104 says).
struct HMACSHA256 {
    static let byteCount = Int(crypto_auth_hmacsha256_BYTES)  // 32

    private var state = crypto_auth_hmacsha256_state()

    init(key: UnsafeRawBufferPointer) throws {
        try Sodium.ensureInitialized()
        HMACSHA256.initialize(&state, key: key)
    }

    /// libsodium wants a non-NULL key pointer even for an empty key.
    private static func initialize(_ state: inout crypto_auth_hmacsha256_state, key: UnsafeRawBufferPointer) {
        if let base = key.baseAddress, key.count > 0 {
            _ = crypto_auth_hmacsha256_init(&state, base.assumingMemoryBound(to: UInt8.self), key.count)
        } else {
            var empty: UInt8 = 0
            _ = crypto_auth_hmacsha256_init(&state, &empty, 0)
        }
    }

    init(key: SecretBytes) throws {
        try Sodium.ensureInitialized()
        key.withUnsafeBytes { k in HMACSHA256.initialize(&state, key: k) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        _ = crypto_auth_hmacsha256_update(&state, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes into guarded memory (the result is often a key), wiping the state.
    mutating func finalizeSecret() throws -> SecretBytes {
        var state = self.state
        defer { sodium_memzero(&self.state, MemoryLayout<crypto_auth_hmacsha256_state>.size) }
        do {
            return try SecretBytes(count: HMACSHA256.byteCount) { out in
                _ = crypto_auth_hmacsha256_final(&state, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
                sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError.outOfMemory(bytes: HMACSHA256.byteCount)
        }
    }

    /// Finishes into ordinary memory (for a MAC that will be published), wiping the state.
    mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
        _ = crypto_auth_hmacsha256_final(&state, &out)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
        return out
    }

    /// HMAC-SHA256(key, message).
    static func authenticationCode(for message: [UInt8], key: [UInt8]) throws -> [UInt8] {
        var mac = try key.withUnsafeBytes { (k) throws -> HMACSHA256 in try HMACSHA256(key: k) }
        mac.update(message)
        return mac.finalize()
    }

    static func authenticationCode(for message: [UInt8], key: SecretBytes) throws -> [UInt8] {
        var mac = try HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Checks a MAC in constant time.
    static func isValid(_ code: [UInt8], for message: [UInt8], key: SecretBytes) throws -> Bool {
        ConstantTime.equals(try authenticationCode(for: message, key: key), code)
    }
}
