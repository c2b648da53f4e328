internal import CSodium

/// HKDF-SHA256 (RFC 5869) built on ``HMACSHA256``; libsodium 1.0.18 has no HKDF of its own.
enum HKDF {
    /// Largest output RFC 5869 allows for SHA-256: 255 blocks of 32 bytes.
    static let maximumOutputByteCount = 255 * HMACSHA256.byteCount

    /// HKDF-Extract: PRK = HMAC-SHA256(salt, IKM). An empty salt acts as 32 zero bytes.
    static func extract(salt: [UInt8], inputKeyMaterial: SecretBytes) throws -> SecretBytes {
        var mac = try salt.withUnsafeBytes { (s) throws -> HMACSHA256 in try HMACSHA256(key: s) }
        inputKeyMaterial.withUnsafeBytes { mac.update($0) }
        return try mac.finalizeSecret()
    }

    /// HKDF-Expand: T(i) = HMAC-SHA256(PRK, T(i-1) || info || i), output the first `length` bytes.
    static func expand(pseudorandomKey: SecretBytes, info: [UInt8], length: Int) throws -> SecretBytes {
        guard length >= 0, length <= maximumOutputByteCount else {
            throw CryptoError.invalidParameter(what: "HKDF output length \(length)")
        }
        guard pseudorandomKey.count >= HMACSHA256.byteCount else {
            throw CryptoError.invalidLength(what: "HKDF pseudorandom key", expected: HMACSHA256.byteCount, actual: pseudorandomKey.count)
        }
        do {
            return try SecretBytes(count: length) { out in
                var previous = try SecretBytes(count: 0) { _ in }
                var filled = 0
                var counter: UInt8 = 1
                while filled < length {
                    var mac = try HMACSHA256(key: pseudorandomKey)
                    previous.withUnsafeBytes { mac.update($0) }
                    mac.update(info)
                    mac.update([counter])
                    let block = try mac.finalizeSecret()
                    let take = min(HMACSHA256.byteCount, length - filled)
                    block.withUnsafeBytes { b in
                        (out.baseAddress! + filled).copyMemory(from: b.baseAddress!, byteCount: take)
                    }
                    filled += take
                    previous = block
                    counter &+= 1
                }
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError.outOfMemory(bytes: length)
        }
    }

    /// Extract-then-expand in one call.
    static func deriveKey(inputKeyMaterial: SecretBytes, salt: [UInt8], info: [UInt8], length: Int) throws -> SecretBytes {
        let prk = try extract(salt: salt, inputKeyMaterial: inputKeyMaterial)
        return try expand(pseudorandomKey: prk, info: info, length: length)
    }
}
