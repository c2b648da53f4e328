internal import CSodium

/// Subkey derivation from a master key (`crypto_kdf_derive_from_key`, BLAKE2b based).
///
/// `subkey = BLAKE2b(key = masterKey, message = {}, salt = subkeyId (LE64) || 0^8,
/// personal = context (8 bytes) || 0^8, outlen = length)`.
enum KeyDerivation {
    static let masterKeyByteCount = Int(crypto_kdf_KEYBYTES)        // 32
    static let contextByteCount = Int(crypto_kdf_CONTEXTBYTES)      // 8
    static let minimumSubkeyByteCount = Int(crypto_kdf_BYTES_MIN)   // 16
    static let maximumSubkeyByteCount = Int(crypto_kdf_BYTES_MAX)   // 64

    /// A KDF context: exactly 8 ASCII bytes naming what the subkey is for.
    struct Context: Sendable, Equatable {
        let bytes: [UInt8]
        /// Fails (at development time) unless `name` is exactly 8 bytes of ASCII.
        init(_ name: StaticString) {
            let bytes = name.withUTF8Buffer { Array($0) }
            precondition(bytes.count == KeyDerivation.contextByteCount && bytes.allSatisfy { $0 < 0x80 },
                         "KDF context must be 8 ASCII bytes")
            self.bytes = bytes
        }
    }

    /// Derives a subkey of `length` bytes (16...64) into guarded memory.
    static func deriveSubkey(length: Int, id: UInt64, context: Context, masterKey: SecretBytes) throws -> SecretBytes {
        try Sodium.ensureInitialized()
        try check(length: length, masterKey: masterKey.count)
        do {
            return try SecretBytes(count: length) { out in
                derive(into: out, id: id, context: context, masterKey: masterKey)
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError.outOfMemory(bytes: length)
        }
    }

    /// Derives a subkey into caller-owned (guarded) memory; for hot paths that reuse a buffer.
    static func derive(into out: UnsafeMutableRawBufferPointer, id: UInt64, context: Context, masterKey: SecretBytes) {
        masterKey.withUnsafeBytes { key in
            context.bytes.withUnsafeBytes { ctx in
                _ = crypto_kdf_derive_from_key(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, id,
                    ctx.baseAddress!.assumingMemoryBound(to: CChar.self),
                    key.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
    }

    static func check(length: Int, masterKey: Int) throws {
        guard masterKey == masterKeyByteCount else {
            throw CryptoError.invalidLength(what: "KDF master key", expected: masterKeyByteCount, actual: masterKey)
        }
        guard (minimumSubkeyByteCount...maximumSubkeyByteCount).contains(length) else {
            throw CryptoError.invalidParameter(what: "KDF subkey length \(length)")
        }
    }
}
