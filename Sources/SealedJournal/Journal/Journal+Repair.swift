import Foundation

/// What ``Journal/repair(at:passphrase:acceptingLoss:)`` did.
public struct RepairReport: Sendable, Equatable {
    /// `false` when the journal needed no repair (nothing was changed).
    public let repaired: Bool
    /// Where the removed bytes started (the end of the last intact commit).
    public let removedFromOffset: UInt64
    /// How many bytes were removed from the journal.
    public let removedBytes: UInt64
    /// The side file (mode 0600, beside the journal) that keeps every removed byte.
    public let savedTo: String?
    /// Complete records found in the removed bytes that authenticated under the owner's key and
    /// were committed again (they keep their positions and bytes).
    public let recommittedRecords: UInt64
    /// Records in the journal after the repair.
    public let recordCount: UInt64
    /// Complete records after the first damaged one in the removed bytes that still open at
    /// their number: not committed again (positions stay contiguous), so kept only in the side
    /// file. Empty unless the repair was told to accept that (`acceptingLoss`).
    public let strandedRecords: [UInt64]
}

extension Journal {
    /// Repairs a journal that a write-open refused as damaged (``JournalError/damaged(offset:reason:)``)
    /// or that ends in a torn tail: only when asked, and losing nothing.
    ///
    /// Everything after the last intact commit is copied to a side file beside the journal
    /// (`<name>.removed-<UTC time>-at-<offset>`, mode 0600, fsynced) before the journal is cut
    /// back to that commit. Record frames at the start of the removed bytes that are complete and
    /// authenticate under the journal's key are committed again, unchanged (same bytes, same
    /// positions), and a ``RepairNote`` records what was done. Damage inside the history (a record
    /// altered before the last intact commit) cannot be repaired in an append-only file: `verify`
    /// keeps reporting it, and salvage reading skips it.
    ///
    /// - Throws: ``JournalError/wrongPassphrase`` (nothing changed), ``JournalError/headerMismatch(path:reason:)``
    ///   for a rolled-back header (not something a cut can fix), I/O errors.
    ///
    /// A record after the first damaged one cannot be committed again (positions stay
    /// contiguous), yet it may still open: ``salvageRecords(_:_:)`` on a read-only journal reads
    /// it. With `acceptingLoss: false` a repair that would keep such records only in the side
    /// file changes nothing and throws ``JournalError/invalidField(field:reason:)`` (field
    /// `"repair"`) naming them, so they can be read first; with `true` (the default) it repairs
    /// and lists them in ``RepairReport/strandedRecords``.
    public static func repair(at path: String, passphrase: SecretBytes, acceptingLoss: Bool = true) throws(JournalError) -> RepairReport {
        try repair(at: path, acceptingLoss: acceptingLoss) { header in try KeySlots.unlock(header: header, passphrase: passphrase) }
    }

    /// Repairs with the recovery key (see ``repair(at:passphrase:acceptingLoss:)``).
    public static func repair(at path: String, recoveryKey: RecoveryKey, acceptingLoss: Bool = true) throws(JournalError) -> RepairReport {
        try repair(at: path, acceptingLoss: acceptingLoss) { header in try KeySlots.unlock(header: header, recoveryKey: recoveryKey.secret) }
    }

    private static func repair(at path: String, acceptingLoss: Bool, unlock: (FileHeader) throws -> SecretBytes) throws(JournalError) -> RepairReport {
        try JournalError.mapping {
            try Sodium.ensureInitialized()
            let file = try AppendOnlyFile.open(path: path, writable: true)
            let preview = try locate(file: file)
            let masterKey = try unlock(preview.headerState.header)
            let signingKey = try KeySlots.signingKey(masterKey: masterKey)
            guard ConstantTime.equals(signingKey.publicKey, preview.headerState.header.publicKey) else {
                throw JournalError.headerMismatch(path: path, reason: "the key slots unlock a different journal's key")
            }
            return try file.withExclusiveLock { () throws -> RepairReport in
                let located = try locate(file: file)
                if located.headerStatus == .rolledBack {
                    throw JournalError.headerMismatch(path: path, reason: "the header is older than the checkpoints bind; repair cannot fix that (restore the newer header, or rekey)")
                }
                let start = located.scan.committed.endOffset
                let journal = Journal(path: path, mode: .readWrite, durability: .synchronous, file: file, header: located.headerState,
                                      masterKey: masterKey, signingKey: signingKey, tail: located.scan.committed, tornTailBytes: 0)
                guard located.scan.status != .clean else {
                    return RepairReport(repaired: false, removedFromOffset: start, removedBytes: 0, savedTo: nil,
                                        recommittedRecords: 0, recordCount: located.scan.committed.frame.treeSize, strandedRecords: [])
                }
                let removed = located.fileSize - start
                let (recovered, stranded) = try recoverableFrames(file: file, from: start, to: located.fileSize, journal: journal,
                                                                  firstSequence: located.scan.committed.frame.treeSize)
                if !acceptingLoss, !stranded.isEmpty {
                    let damaged = located.scan.committed.frame.treeSize + UInt64(recovered.count)
                    let listed = stranded.prefix(10).map { "#\($0)" }.joined(separator: ", ") + (stranded.count > 10 ? "..." : "")
                    throw JournalError.invalidField(field: "repair", reason: "record #\(damaged) at the damaged end does not open, and \(stranded.count) record(s) "
                        + "after it (\(listed)) still do: a repair would keep those only in its side file; nothing was changed")
                }
                let sideFile = try saveRemovedBytes(file: file, from: start, to: located.fileSize, journalPath: path)
                try file.truncate(to: start)
                try file.sync()
                let note = RepairNote(removedFromOffset: start, removedBytes: removed,
                                      savedTo: (sideFile as NSString).lastPathComponent, recommittedRecords: UInt64(recovered.count))
                let input = try PendingRecord(note).sealInput()
                let receipt = try journal.state.withLock { try journal.writeCommit(&$0, [input], prebuiltFrames: recovered) }
                return RepairReport(repaired: true, removedFromOffset: start, removedBytes: removed, savedTo: sideFile,
                                    recommittedRecords: UInt64(recovered.count), recordCount: receipt.checkpoint.treeSize, strandedRecords: stranded)
            }
        }
    }

    /// The complete record frames in `start..<end` that authenticate at the next positions, in
    /// order, stopping at the first record that does not (or at an unreadable frame); and the
    /// numbers of the records after that one that still open at their own number (stranded: a
    /// gap cannot be committed). The checkpoint and extension frames of the broken commits are
    /// passed over: a record after a damaged checkpoint still follows its predecessor's position.
    private static func recoverableFrames(file: AppendOnlyFile, from start: UInt64, to end: UInt64, journal: Journal,
                                          firstSequence: UInt64) throws -> (frames: [[UInt8]], stranded: [UInt64]) {
        let cipher = try RecordCipher(masterKey: journal.masterKey, journalID: journal.journalID)
        func opens(_ frame: StoredFrame, at sequence: UInt64) -> Bool {
            (try? cipher.open(body: frame.body, sequence: sequence)) != nil && (try? cipher.openEnvelope(body: frame.body, sequence: sequence)) != nil
        }
        var reader = FrameReader(file: file, from: start, to: end)
        var frames: [[UInt8]] = []
        var stranded: [UInt64] = []
        var sequence = firstSequence
        var broken = false
        while let frame = try? reader.next(), frame.kind != .lineage {
            guard frame.kind == .record else { continue }
            defer { sequence += 1 }
            if broken {
                if opens(frame, at: sequence) { stranded.append(sequence) }
            } else if opens(frame, at: sequence) {
                frames.append(frame.bytes)
            } else {
                broken = true
            }
        }
        return (frames, stranded)
    }

    /// Copies `start..<end` into a new 0600 side file beside the journal, fsynced; returns its path.
    private static func saveRemovedBytes(file: AppendOnlyFile, from start: UInt64, to end: UInt64, journalPath: String) throws -> String {
        let stamp = CivilTime.iso8601(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
            .replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "").prefix(15)
        let sidePath = "\(journalPath).removed-\(stamp)Z-at-\(start)"
        let side = try AppendOnlyFile.create(path: sidePath)
        do {
            var position = start
            while position < end {
                let chunk = try file.read(at: position, count: Int(min(UInt64(FrameReader.bufferByteCount), end - position)))
                guard !chunk.isEmpty else { break }
                try side.write(chunk, at: position - start)
                position += UInt64(chunk.count)
            }
            try side.sync()
            try AppendOnlyFile.syncDirectory(containing: sidePath)
        } catch {
            unlink(sidePath)
            throw error
        }
        return sidePath
    }
}
