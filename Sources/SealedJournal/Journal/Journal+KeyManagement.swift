extension Journal {
    /// Replaces the passphrase: rewraps the master key in a new passphrase slot (new salt,
    /// `kdf` cost) and commits a ``KeyChange`` record whose checkpoint binds the new header, so
    /// writing the old header back is detected by `verify`.
    ///
    /// This is a convenience, not a revocation: the master key does not change, so anyone who
    /// knew the old passphrase and kept a copy of the old header (a backup, a synced copy) can
    /// still read every record. When a passphrase may have leaked, use ``rekey(to:kdf:omitting:)``.
    ///
    /// Cost: one Argon2id run, a crash-safe header rewrite (two writes, two fsyncs) and one commit.
    ///
    /// It throws only when the change did not take effect (the old passphrase still opens the
    /// file). When the disk fails after the new header is in force (the record's commit, or the
    /// second header copy, on a full disk), the change is in effect and this returns normally:
    /// ``unrecordedKeyChange`` then says what failed, and this instance's next append (or the
    /// next write-open) records it.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` (field `"passphrase"`) if the new
    ///   passphrase breaks ``PassphrasePolicy`` (nothing changes); write errors before the new
    ///   header is in force.
    public func changePassphrase(to passphrase: SecretBytes, kdf: KDFPreset = .moderate) throws(JournalError) {
        try PassphrasePolicy.validate(passphrase)
        guard mode == .readWrite else { throw .readOnly }
        let newSlot = try JournalError.mapping {
            try KeySlots.passphraseSlot(masterKey: masterKey, passphrase: passphrase, preset: kdf, journalID: journalID)
        }
        try rewriteHeader(change: .passphrase) { slots in
            slots.removeAll { if case .passphrase = $0.kind { return true } else { return false } }
            slots.insert(newSlot, at: 0)
        }
    }

    /// Replaces the recovery key: the old one stops opening this file (but, like a passphrase,
    /// still opens old copies of the header); the new one is returned to show once.
    ///
    /// Cost: a crash-safe header rewrite (two writes, two fsyncs) and one commit.
    ///
    /// As with ``changePassphrase(to:kdf:)``, a disk failure after the new header is in force
    /// does not throw: the new key, which is then the one that opens the file, is returned, and
    /// ``unrecordedKeyChange`` says what failed. (Throwing there would lose the only copy of the
    /// key that works.)
    public func replaceRecoveryKey() throws(JournalError) -> RecoveryKey {
        guard mode == .readWrite else { throw .readOnly }
        let (secret, slot) = try JournalError.mapping {
            let secret = try SecretBytes.random(count: RecoveryKeyEncoding.keyByteCount)
            return (secret, try KeySlots.recoverySlot(masterKey: masterKey, recoveryKey: secret, journalID: journalID))
        }
        try rewriteHeader(change: .recoveryKey) { slots in
            slots.removeAll { $0.kind == .recoveryKey }
            slots.append(slot)
        }
        return RecoveryKey(secret: secret)
    }

    /// Why the last passphrase or recovery-key change made through this instance is in effect
    /// but not yet recorded in the journal (a full disk refused the key change record, or the
    /// second header copy), or `nil` when it was recorded. The header holding the change is in
    /// force (its first copy was written and fsynced): the new passphrase or recovery key opens
    /// the file and the old one does not. This instance's next append writes the ``KeyChange``
    /// record first (and this turns `nil`); another process's next write-open records it too.
    public var unrecordedKeyChange: JournalError? { state.withLock { $0.unrecordedKeyChange?.error } }

    /// Rewrites the header under both locks, then commits a key change record binding it. A crash
    /// between the two leaves a newer header than the checkpoint binds; the next write-open commits it.
    /// A failure after the new header is in force (what any opener reads now) is not thrown: the
    /// change took effect (``unrecordedKeyChange``).
    private func rewriteHeader(change: KeyChange.Change, _ update: (inout [KeySlot]) -> Void) throws(JournalError) {
        try checkNotRetired()
        let record = try PendingRecord(KeyChange(change: change)).sealInput()
        try JournalError.mapping {
            try state.withLock { state in
                // An earlier change still unrecorded goes into this change's commit, before it.
                let pending = try state.unrecordedKeyChange.map { [try PendingRecord(KeyChange(change: $0.change)).sealInput()] } ?? []
                state.unrecordedKeyChange = nil
                try file.withExclusiveLock {
                    try refreshTail(&state)
                    let current = try HeaderStore.read(file: file, fileSize: try file.size()).choosing(state.header.bestCopy)
                    var header = current.header
                    guard header.journalID == journalID, header.publicKey == publicKey else {
                        throw JournalError.headerMismatch(path: path, reason: "the file was replaced by another journal while open")
                    }
                    update(&header.keySlots)
                    header.sequence = max(header.sequence, current.copySequences.compactMap { $0 }.max() ?? 0) + 1
                    // In effect once the first copy is written and fsynced (decided by the write, not by
                    // reading it back: a read after a failed fsync shows the page cache, not the disk).
                    var inForce = false
                    do {
                        try HeaderStore.write(header, signingKey: signingKey, file: file, current: current) { inForce = true }
                        state.header = try HeaderStore.read(file: file, fileSize: try file.size())
                        _ = try writeCommit(&state, pending + [record], prebuiltFrames: [])
                    } catch {
                        guard inForce else {
                            // Not durable: put the old header back over the first copy too, then fail.
                            HeaderStore.restore(current, file: file)
                            throw error
                        }
                        // The change is in effect; its record is written by this instance's next
                        // commit, or by the next write-open (whatever the checkpoints bind).
                        if let now = try? HeaderStore.read(file: file, fileSize: try file.size()) { state.header = now }
                        state.unrecordedKeyChange = (change, JournalError(mapping: error))
                    }
                }
            }
        }
    }
}
