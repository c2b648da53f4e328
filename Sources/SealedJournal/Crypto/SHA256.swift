internal import CSodium

/// SHA-256 (`crypto_hash_sha256`), one-shot or incremental.
struct SHA256 {
    static let byteCount = Int(crypto_hash_sha256_BYTES)  // 32

    private var state = crypto_hash_sha256_state()

    /// Starts an incremental hash. (SHA-256 needs no runtime CPU dispatch, so it works even
    /// before `sodium_init`; every public entry point initialises libsodium first anyway.)
    init() {
        _ = try? Sodium.ensureInitialized()
        crypto_hash_sha256_init(&state)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        _ = crypto_hash_sha256_update(&state, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    mutating func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
    }

    /// Finishes the hash. The hasher must not be used afterwards.
    mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.byteCount)
        _ = crypto_hash_sha256_final(&state, &out)
        return out
    }

    /// Finishes the hash into `output` (32 bytes). The hasher must not be used afterwards.
    mutating func finalize(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count == SHA256.byteCount, "SHA-256 output is 32 bytes")
        _ = crypto_hash_sha256_final(&state, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    /// SHA-256 of `message`.
    static func hash(_ message: [UInt8]) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: byteCount)
        _ = crypto_hash_sha256(&out, message, UInt64(message.count))
        return out
    }
}
