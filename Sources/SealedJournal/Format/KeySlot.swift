/// A key slot: the journal's 32-byte master key, wrapped (XChaCha20-Poly1305) under a key
/// derived from something the user holds.
///
///     1   slot type (1 = passphrase, 2 = recovery key; others are kept but not used)
///     2   body length B
///     B   body
///
/// Passphrase body (104 bytes):   Argon2id opslimit (8) | memlimit in bytes (8) | salt (16) | wrapped key (72)
/// Recovery-key body (72 bytes):  wrapped key (72)
///
/// wrapped key = nonce (24) || XChaCha20-Poly1305(master key (32)) || tag (16), with
/// AAD = "SJ-keyslot-v2" || journal id (16) || slot type (1) || body bytes before the wrapped key,
/// so Argon2id parameters cannot be altered (downgraded) without the unwrap failing.
struct KeySlot: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// Argon2id over the passphrase gives the wrapping key.
        case passphrase(opsLimit: UInt64, memoryLimitBytes: UInt64, salt: [UInt8])
        /// `crypto_kdf_derive_from_key(32, 1, "SJrecovr", recovery key)` gives the wrapping key.
        case recoveryKey
        /// A slot type this version does not use (kept intact on header rewrites).
        case unknown(type: UInt8, body: [UInt8])
    }

    static let passphraseType: UInt8 = 1
    static let recoveryKeyType: UInt8 = 2
    static let wrappedKeyByteCount = XChaCha20Poly1305.overhead + KeyDerivation.masterKeyByteCount  // 72
    static let minimumEncodedByteCount = 3
    static let maximumBodyByteCount = 1024
    static let aadPrefix = Array("SJ-keyslot-v2".utf8)

    /// Bounds accepted when opening (a hostile header must not make us compute or allocate without end):
    /// opslimit 1...16, memlimit 8 KiB...1 GiB, and opslimit x memlimit at most 8 GiB (twice the
    /// "sensitive" preset), so one unlock attempt costs at most a few seconds and 1 GiB.
    static let maximumOpsLimit: UInt64 = 16
    static let maximumMemoryLimitBytes: UInt64 = 1 << 30
    static let minimumMemoryLimitBytes: UInt64 = 8 << 10
    static let maximumWork: UInt64 = 8 << 30

    /// `true` when Argon2id parameters are within the bounds above.
    static func isAcceptable(opsLimit: UInt64, memoryLimitBytes: UInt64) -> Bool {
        (1...maximumOpsLimit).contains(opsLimit)
            && (minimumMemoryLimitBytes...maximumMemoryLimitBytes).contains(memoryLimitBytes)
            && opsLimit * memoryLimitBytes <= maximumWork
    }

    let kind: Kind
    /// nonce || ciphertext || tag (empty for unknown slots).
    let wrappedKey: [UInt8]

    var type: UInt8 {
        switch kind {
        case .passphrase: return KeySlot.passphraseType
        case .recoveryKey: return KeySlot.recoveryKeyType
        case let .unknown(type, _): return type
        }
    }

    /// Body bytes before the wrapped key (the slot parameters).
    var parameterBytes: [UInt8] {
        var writer = ByteWriter()
        switch kind {
        case let .passphrase(ops, mem, salt):
            writer.write(ops)
            writer.write(mem)
            writer.write(salt)
        case .recoveryKey:
            break
        case let .unknown(_, body):
            writer.write(body)
        }
        return writer.bytes
    }

    func associatedData(journalID: [UInt8]) -> [UInt8] {
        KeySlot.aadPrefix + journalID + [type] + parameterBytes
    }

    func encode(into writer: inout ByteWriter) {
        let body = parameterBytes + wrappedKey
        writer.write(type)
        writer.write(UInt16(body.count))
        writer.write(body)
    }

    static func decode(from reader: inout ByteReader) throws(FormatError) -> KeySlot {
        let type = try reader.readUInt8()
        let length = Int(try reader.readUInt16())
        guard length <= maximumBodyByteCount else { throw .limitExceeded(what: "key slot size", limit: maximumBodyByteCount) }
        var body = ByteReader(try reader.readBytes(length), what: "key slot")
        switch type {
        case passphraseType:
            guard length == 8 + 8 + Argon2id.saltByteCount + wrappedKeyByteCount else { throw .invalidField(what: "passphrase key slot length") }
            let ops = try body.readUInt64()
            let mem = try body.readUInt64()
            let salt = try body.readBytes(Argon2id.saltByteCount)
            return KeySlot(kind: .passphrase(opsLimit: ops, memoryLimitBytes: mem, salt: salt),
                           wrappedKey: try body.readBytes(wrappedKeyByteCount))
        case recoveryKeyType:
            guard length == wrappedKeyByteCount else { throw .invalidField(what: "recovery key slot length") }
            return KeySlot(kind: .recoveryKey, wrappedKey: try body.readBytes(wrappedKeyByteCount))
        default:
            return KeySlot(kind: .unknown(type: type, body: try body.readBytes(length)), wrappedKey: [])
        }
    }
}
