import Foundation

/// The result of ``Journal/rekey(to:kdf:omitting:)``.
public struct Rekeying: Sendable {
    /// The successor journal, at the same path, open for reading and appending.
    public let journal: Journal
    /// The successor's recovery key: show it once (the old one opens nothing any more).
    public let recoveryKey: RecoveryKey
    /// The fingerprint of the key that was retired (it signed the statement naming the successor).
    public let previousFingerprint: Fingerprint
    /// Records re-sealed into the successor.
    public let carriedRecords: UInt64
    /// Positions of the predecessor that were left out (erasure), as the signed statement lists them.
    public let omittedRecords: [UInt64]
}

extension Journal {
    /// Records re-sealed per write while re-keying (bounds memory); each write is split into
    /// bounded commits (``CommitBounds``), which bounds the work a later open re-hashes.
    static let rekeyChunkRecords = 1000

    /// Moves the journal to a fresh master key, signing key, journal id and recovery key: every
    /// record is re-sealed into a successor file that atomically replaces this one at the same path
    /// (a 0600 temporary file in the same directory, fsync, rename, fsync of the directory). The old
    /// key signs a statement, kept in the successor, naming it (journal id, public key, the history
    /// carried over and what was omitted), so a verifier who pinned the old fingerprint can follow.
    ///
    /// Use it when a passphrase or recovery key may have leaked: nothing of the old keys opens or
    /// signs anything in the new file. Old copies of the old file stay readable with the old
    /// secrets — rekey protects what is written from now on and what is on this path.
    ///
    /// - Parameters:
    ///   - passphrase: the successor's passphrase (may be the same text; the keys still change).
    ///   - kdf: the Argon2id preset for the successor's passphrase slot.
    ///   - omitting: positions to leave out (a client's right to erasure). The statement lists them;
    ///     an amendment whose target is omitted must be omitted too.
    /// - Returns: the successor; this `Journal` is retired (further use throws ``JournalError/journalReplaced(path:)``).
    /// - Throws: ``JournalError/noSuchRecord(sequence:recordCount:)``, ``JournalError/invalidField(field:reason:)``
    ///   (an amendment of an omitted record, or a passphrase that breaks ``PassphrasePolicy``),
    ///   damage or I/O errors; on any failure the original file is untouched and the temporary file removed.
    ///
    /// Cost: one Argon2id run, one pass that opens and re-seals every record, one signature per
    /// commit (64 KiB of records), and fsyncs of the successor before the rename.
    public func rekey(to passphrase: SecretBytes, kdf: KDFPreset = .moderate, omitting: Set<UInt64> = []) throws(JournalError) -> Rekeying {
        try PassphrasePolicy.validate(passphrase)
        guard mode == .readWrite else { throw .readOnly }
        try checkNotRetired()
        return try JournalError.mapping {
            try state.withLock { state in
                try file.withExclusiveLock {
                    try refreshTail(&state)
                    let result = try rekeyLocked(state: state, passphrase: passphrase, kdf: kdf, omitting: omitting)
                    state.retired = true
                    return result
                }
            }
        }
    }

    private func rekeyLocked(state: WriterState, passphrase: SecretBytes, kdf: KDFPreset, omitting: Set<UInt64>) throws -> Rekeying {
        let oldSize = state.tail.frame.treeSize
        // The first missing number, not any one of them.
        if let missing = omitting.filter({ $0 >= oldSize }).min() { throw JournalError.noSuchRecord(sequence: missing, recordCount: oldSize) }
        let omitted = LineageStatement.ranges(of: omitting)
        let keys = try NewJournalKeys(passphrase: passphrase, kdf: kdf)
        let chain = try LineageChain.read(file: file, header: state.header.header)
        // The statement's length does not depend on the successor root, so its frame is reserved
        // now and signed once the records are carried over.
        var statement = LineageStatement(predecessorJournalID: journalID, predecessorPublicKey: publicKey, predecessorTreeSize: oldSize,
                                         predecessorRoot: state.tail.checkpoint.rootHash, successorJournalID: keys.journalID,
                                         successorPublicKey: keys.signingKey.publicKey, carriedCount: oldSize - UInt64(omitting.count),
                                         carriedRoot: [UInt8](repeating: 0, count: MerkleTree.hashByteCount), omitted: omitted)
        let placeholder = statement.signed(with: signingKey)
        let layout = try keys.initialLayout(lineage: chain.texts + [placeholder])

        let (directory, name) = AppendOnlyFile.split(path)
        let temporaryPath = (directory == "/" ? "" : directory) + "/.\(name).rekey-\(Hex.encode(try RandomBytes.generate(count: 6)))"
        let temporary = try AppendOnlyFile.create(path: temporaryPath)
        var renamed = false
        defer { if !renamed { unlink(temporaryPath) } }
        try temporary.write(layout.bytes, at: 0)
        let successor = Journal(path: path, mode: .readWrite, durability: .unsafeNoSync, file: temporary, header: layout.headerState,
                                masterKey: keys.masterKey, signingKey: keys.signingKey, tail: layout.tail, tornTailBytes: 0)

        // Carry every record over, re-sealed under the new keys, in bounded commits.
        let oldCipher = try RecordCipher(masterKey: masterKey, journalID: journalID)
        var reader = FrameReader(file: file, to: state.tail.endOffset)
        var sequence: UInt64 = 0
        var newPosition: [UInt64: UInt64] = [:]
        var pending: [SealInput] = []
        var pendingBytes = 0
        var history = CompactRange()
        // A journal re-keyed before must still hold what its last rekey carried over (as verify
        // checks): re-keying it again would otherwise sign a rewritten history over.
        let previousRekey = chain.statements.last
        var carriedRoot: [UInt8]? = previousRekey?.carriedCount == 0 ? history.root : nil
        while sequence < oldSize, let frame = try reader.next() {
            guard frame.kind == .record else { continue }
            history.append(leafHash: MerkleTree.leafHash(frame.bytes))
            if let previousRekey, history.size == previousRekey.carriedCount { carriedRoot = history.root }
            defer { sequence += 1 }
            if omitting.contains(sequence) { continue }
            let plaintext: RecordPlaintext, envelope: RecordEnvelope
            do {
                plaintext = try oldCipher.open(body: frame.body, sequence: sequence)
                envelope = try oldCipher.openEnvelope(body: frame.body, sequence: sequence)
            } catch {
                throw JournalError.recordOpenFailure(error, offset: frame.offset, sequence: sequence)
            }
            var payload = plaintext.payload
            var amends: UInt64?
            if plaintext.kind == RecordKind.amendment, var amendment = try? RecordCoding.decoder.decode(Amendment.self, from: Data(payload)) {
                guard let target = newPosition[amendment.amends] else {
                    throw JournalError.invalidField(field: "omitting", reason: "record \(sequence) amends record \(amendment.amends), which is being erased; erase the amendment too")
                }
                amendment.amends = target
                payload = try RecordCoding.encode(amendment)
                amends = target
            }
            newPosition[sequence] = UInt64(newPosition.count)
            pending.append(SealInput(plaintext: RecordPlaintext(kind: plaintext.kind, recordedAtMilliseconds: plaintext.recordedAtMilliseconds,
                                                                timeZoneOffsetSeconds: plaintext.timeZoneOffsetSeconds, payload: payload),
                                     envelope: envelope, amends: amends))
            pendingBytes += payload.count
            if pending.count >= Journal.rekeyChunkRecords || pendingBytes >= 4 << 20 {
                _ = try successor.state.withLock { try successor.writeCommit(&$0, pending, prebuiltFrames: []) }
                pending.removeAll(keepingCapacity: true)
                pendingBytes = 0
            }
        }
        // Everything carried over must be exactly the history the old key signed: a record that
        // authenticates but is not in the signed tree (spliced from a fork) is never re-sealed.
        guard history.size == oldSize, history.root == state.tail.checkpoint.rootHash else {
            throw JournalError.damaged(offset: FileHeader.framesOffset,
                                       reason: "the records do not match the journal's last signed checkpoint; run verify (nothing was changed)")
        }
        if let previousRekey, carriedRoot != previousRekey.carriedRoot {
            throw JournalError.damaged(offset: FileHeader.framesOffset,
                                       reason: "the journal's first \(previousRekey.carriedCount) records are not the ones its last rekey carried over; run verify (nothing was changed)")
        }
        if !pending.isEmpty { _ = try successor.state.withLock { try successor.writeCommit(&$0, pending, prebuiltFrames: []) } }
        let carried = successor.state.withLock { $0.tail }
        guard carried.frame.treeSize == statement.carriedCount else {
            throw JournalError.corruptFrame(offset: state.tail.endOffset, sequence: nil, reason: "not every record could be read; run verify")
        }

        // Sign the statement naming the successor's carried history, in its reserved place.
        statement = LineageStatement(predecessorJournalID: statement.predecessorJournalID, predecessorPublicKey: statement.predecessorPublicKey,
                                     predecessorTreeSize: statement.predecessorTreeSize, predecessorRoot: statement.predecessorRoot,
                                     successorJournalID: statement.successorJournalID, successorPublicKey: statement.successorPublicKey,
                                     carriedCount: statement.carriedCount, carriedRoot: carried.checkpoint.rootHash, omitted: omitted)
        let signed = Array(statement.signed(with: signingKey).utf8)
        guard signed.count == placeholder.utf8.count, let statementOffset = layout.lineageOffsets.last else {
            throw JournalError.invalidField(field: "omitting", reason: "the rekey statement could not be written")
        }
        try temporary.write(signed, at: statementOffset + UInt64(Frame.prefixByteCount))
        try temporary.sync()
        try SystemCall.run("rename", path: path) { rename(temporaryPath, path) }
        renamed = true
        try AppendOnlyFile.syncDirectory(containing: path)

        let file = try AppendOnlyFile.open(path: path, writable: true)
        let journal = Journal(path: path, mode: .readWrite, durability: durability, file: file, header: layout.headerState,
                              masterKey: keys.masterKey, signingKey: keys.signingKey, tail: carried, tornTailBytes: 0)
        return Rekeying(journal: journal, recoveryKey: RecoveryKey(secret: keys.recoverySecret), previousFingerprint: fingerprint,
                        carriedRecords: carried.frame.treeSize, omittedRecords: omitting.sorted())
    }
}

extension LineageStatement {
    /// Sorted, merged ranges of `positions`.
    static func ranges(of positions: Set<UInt64>) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        for position in positions.sorted() {
            if let last = result.last, last.upperBound + 1 == position {
                result[result.count - 1] = last.lowerBound...position
            } else {
                result.append(position...position)
            }
        }
        return result
    }
}
