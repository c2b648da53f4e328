/// Making and opening key slots, and deriving the journal's signing key.
///
///     passphrase wrapping key = Argon2id(passphrase, salt, opslimit, memlimit), 32 bytes
///     recovery wrapping key   = crypto_kdf_derive_from_key(32, 1, "SJrecovr", recovery key)
///     signing key seed        = crypto_kdf_derive_from_key(32, 1, "SJsignky", master key)
enum KeySlots {
    static let recoveryContext = KeyDerivation.Context("SJrecovr")
    static let signingContext = KeyDerivation.Context("SJsignky")

    static func signingKey(masterKey: SecretBytes) throws -> Ed25519.SigningKey {
        let seed = try KeyDerivation.deriveSubkey(length: Ed25519.seedByteCount, id: 1, context: signingContext, masterKey: masterKey)
        return try Ed25519.SigningKey(seed: seed)
    }

    static func passphraseSlot(masterKey: SecretBytes, passphrase: SecretBytes, preset: KDFPreset, journalID: [UInt8]) throws -> KeySlot {
        let parameters = preset.parameters
        guard KeySlot.isAcceptable(opsLimit: parameters.opsLimit, memoryLimitBytes: parameters.memoryLimitBytes) else {
            throw JournalError.keyDerivationLimitExceeded(opsLimit: parameters.opsLimit, memoryLimitBytes: parameters.memoryLimitBytes)
        }
        let salt = try RandomBytes.generate(count: Argon2id.saltByteCount)
        let kind = KeySlot.Kind.passphrase(opsLimit: parameters.opsLimit, memoryLimitBytes: parameters.memoryLimitBytes, salt: salt)
        let normalized = try PassphrasePolicy.normalizedForKeyDerivation(passphrase)
        let wrappingKey = try Argon2id.deriveKey(outputByteCount: 32, passphrase: normalized, salt: salt, parameters: parameters)
        return try wrap(masterKey: masterKey, kind: kind, wrappingKey: wrappingKey, journalID: journalID)
    }

    static func recoverySlot(masterKey: SecretBytes, recoveryKey: SecretBytes, journalID: [UInt8]) throws -> KeySlot {
        let wrappingKey = try KeyDerivation.deriveSubkey(length: 32, id: 1, context: recoveryContext, masterKey: recoveryKey)
        return try wrap(masterKey: masterKey, kind: .recoveryKey, wrappingKey: wrappingKey, journalID: journalID)
    }

    private static func wrap(masterKey: SecretBytes, kind: KeySlot.Kind, wrappingKey: SecretBytes, journalID: [UInt8]) throws -> KeySlot {
        let aad = KeySlot(kind: kind, wrappedKey: []).associatedData(journalID: journalID)
        let wrapped = try masterKey.withUnsafeBytes { master in
            try aad.withUnsafeBytes { a in try XChaCha20Poly1305.seal(master, key: wrappingKey, associatedData: a) }
        }
        return KeySlot(kind: kind, wrappedKey: wrapped)
    }

    /// Opens the passphrase slot (a header holds at most one). Cost: one Argon2id run, bounded by
    /// ``KeySlot/isAcceptable(opsLimit:memoryLimitBytes:)``.
    static func unlock(header: FileHeader, passphrase: SecretBytes) throws -> SecretBytes {
        for slot in header.keySlots {
            guard case let .passphrase(ops, memory, salt) = slot.kind else { continue }
            guard KeySlot.isAcceptable(opsLimit: ops, memoryLimitBytes: memory) else {
                throw JournalError.keyDerivationLimitExceeded(opsLimit: ops, memoryLimitBytes: memory)
            }
            let normalized = try PassphrasePolicy.normalizedForKeyDerivation(passphrase)
            let wrappingKey = try Argon2id.deriveKey(outputByteCount: 32, passphrase: normalized, salt: salt,
                                                     parameters: .init(opsLimit: ops, memoryLimitBytes: memory))
            if let master = try? XChaCha20Poly1305.openSecret(slot.wrappedKey, key: wrappingKey,
                                                               associatedData: slot.associatedData(journalID: header.journalID)) {
                return master
            }
        }
        throw JournalError.wrongPassphrase
    }

    static func unlock(header: FileHeader, recoveryKey: SecretBytes) throws -> SecretBytes {
        let wrappingKey = try KeyDerivation.deriveSubkey(length: 32, id: 1, context: recoveryContext, masterKey: recoveryKey)
        for slot in header.keySlots where slot.kind == .recoveryKey {
            if let master = try? XChaCha20Poly1305.openSecret(slot.wrappedKey, key: wrappingKey,
                                                               associatedData: slot.associatedData(journalID: header.journalID)) {
                return master
            }
        }
        throw JournalError.wrongRecoveryKey
    }
}
