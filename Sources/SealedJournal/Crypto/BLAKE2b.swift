internal import CSodium

/// BLAKE2b (`crypto_generichash`), unkeyed or keyed, 16 to 64 output bytes.
enum BLAKE2b {
    static let minimumOutputByteCount = Int(crypto_generichash_BYTES_MIN)  // 16
    static let maximumOutputByteCount = Int(crypto_generichash_BYTES_MAX)  // 64

    static func hash(_ message: [UInt8], outputByteCount: Int = 32, key: [UInt8] = []) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        guard (minimumOutputByteCount...maximumOutputByteCount).contains(outputByteCount) else {
            throw CryptoError.invalidParameter(what: "BLAKE2b output length \(outputByteCount)")
        }
        guard key.count <= Int(crypto_generichash_KEYBYTES_MAX) else {
            throw CryptoError.invalidParameter(what: "BLAKE2b key length \(key.count)")
        }
        var out = [UInt8](repeating: 0, count: outputByteCount)
        _ = crypto_generichash(&out, outputByteCount, message, UInt64(message.count),
                               key.isEmpty ? nil : key, key.count)
        return out
    }

    /// Keyed BLAKE2b with the key read straight from (guarded) memory, never copied.
    static func hash(_ message: [UInt8], outputByteCount: Int, key: UnsafeRawBufferPointer) throws -> [UInt8] {
        try Sodium.ensureInitialized()
        guard (minimumOutputByteCount...maximumOutputByteCount).contains(outputByteCount),
              (Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)).contains(key.count) else {
            throw CryptoError.invalidParameter(what: "BLAKE2b key or output length")
        }
        var out = [UInt8](repeating: 0, count: outputByteCount)
        _ = crypto_generichash(&out, outputByteCount, message, UInt64(message.count),
                               key.baseAddress!.assumingMemoryBound(to: UInt8.self), key.count)
        return out
    }

    /// Keyed BLAKE2b of `message` written straight into `output` (16 to 64 bytes, e.g. guarded
    /// memory), the key read from guarded memory: a PRF for deriving per-record keys.
    static func keyedHash(into output: UnsafeMutableRawBufferPointer, message: UnsafeRawBufferPointer,
                          key: UnsafeRawBufferPointer) throws {
        try Sodium.ensureInitialized()
        guard (minimumOutputByteCount...maximumOutputByteCount).contains(output.count),
              (Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)).contains(key.count),
              let out = output.baseAddress, let keyBase = key.baseAddress else {
            throw CryptoError.invalidParameter(what: "BLAKE2b key or output length")
        }
        let status = crypto_generichash(out.assumingMemoryBound(to: UInt8.self), output.count,
                                        message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
                                        keyBase.assumingMemoryBound(to: UInt8.self), key.count)
        guard status == 0 else { throw CryptoError.invalidParameter(what: "BLAKE2b") }
    }
}

/// A reusable keyed BLAKE2b state for hashing two parts (a fixed prefix, then a message read in
/// place) without copying either: one allocation for the owner of many hashes, wiped after each
/// hash (the state holds key material) and when released.
final class KeyedBLAKE2bState {
    private let state: UnsafeMutableRawBufferPointer

    init() throws {
        try Sodium.ensureInitialized()
        state = .allocate(byteCount: max(crypto_generichash_statebytes(), 1), alignment: 64)
        Sodium.wipe(state)
    }

    deinit {
        Sodium.wipe(state)
        state.deallocate()
    }

    /// Writes keyed BLAKE2b(`prefix` || `message`) into `output` (16 to 64 bytes), checking every
    /// libsodium return code; the state is wiped before this returns.
    func hash(into output: UnsafeMutableRawBufferPointer, key: UnsafeRawBufferPointer,
              prefix: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) throws {
        guard (BLAKE2b.minimumOutputByteCount...BLAKE2b.maximumOutputByteCount).contains(output.count),
              (Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)).contains(key.count),
              let out = output.baseAddress, let keyBase = key.baseAddress else {
            throw CryptoError.invalidParameter(what: "BLAKE2b key or output length")
        }
        let pointer = OpaquePointer(state.baseAddress!)
        defer { Sodium.wipe(state) }
        guard crypto_generichash_init(pointer, keyBase.assumingMemoryBound(to: UInt8.self), key.count, output.count) == 0,
              crypto_generichash_update(pointer, prefix.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(prefix.count)) == 0,
              crypto_generichash_update(pointer, message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count)) == 0,
              crypto_generichash_final(pointer, out.assumingMemoryBound(to: UInt8.self), output.count) == 0 else {
            throw CryptoError.invalidParameter(what: "BLAKE2b")
        }
    }
}
