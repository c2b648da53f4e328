extension Journal {
    /// Replaces the passphrase: rewraps the master key in a new passphrase slot (new salt,
    /// `kdf` cost). Records are never re-encrypted; the old passphrase stops working.
    ///
    /// Cost: one Argon2id run and a crash-safe header rewrite (two writes, two fsyncs).
    /// - Throws: ``JournalError/invalidField(field:reason:)`` (field `"passphrase"`) if the new
    ///   passphrase breaks ``PassphrasePolicy`` (nothing changes).
    public func changePassphrase(to passphrase: SecretBytes, kdf: KDFPreset = .moderate) throws(JournalError) {
        try PassphrasePolicy.validate(passphrase)
        guard mode == .readWrite else { throw .readOnly }
        let newSlot = try JournalError.mapping {
            try KeySlots.passphraseSlot(masterKey: masterKey, passphrase: passphrase, preset: kdf, journalID: journalID)
        }
        try rewriteHeader { slots in
            slots.removeAll { if case .passphrase = $0.kind { return true } else { return false } }
            slots.insert(newSlot, at: 0)
        }
    }

    /// Replaces the recovery key: the old one stops working; the new one is returned to show once.
    ///
    /// Cost: a crash-safe header rewrite (two writes, two fsyncs).
    public func replaceRecoveryKey() throws(JournalError) -> RecoveryKey {
        guard mode == .readWrite else { throw .readOnly }
        let (secret, slot) = try JournalError.mapping {
            let secret = try SecretBytes.random(count: RecoveryKeyEncoding.keyByteCount)
            return (secret, try KeySlots.recoverySlot(masterKey: masterKey, recoveryKey: secret, journalID: journalID))
        }
        try rewriteHeader { slots in
            slots.removeAll { $0.kind == .recoveryKey }
            slots.append(slot)
        }
        return RecoveryKey(secret: secret)
    }

    private func rewriteHeader(_ change: (inout [KeySlot]) -> Void) throws(JournalError) {
        try JournalError.mapping {
            try state.withLock { _ in
                try file.withExclusiveLock {
                    let current = try HeaderStore.read(file: file, fileSize: try file.size())
                    var header = current.header
                    guard header.journalID == journalID, header.publicKey == publicKey else {
                        throw JournalError.headerMismatch(path: path, reason: "the file was replaced by another journal while open")
                    }
                    change(&header.keySlots)
                    header.sequence += 1
                    try HeaderStore.write(header, signingKey: signingKey, file: file, currentBest: current.bestCopy)
                }
            }
        }
    }
}
