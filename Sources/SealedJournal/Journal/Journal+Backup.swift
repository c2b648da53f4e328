import Foundation

/// What ``Journal/backup(to:)`` made.
public struct BackupReport: Sendable, Equatable {
    /// The copy's path.
    public let path: String
    /// Bytes copied (the journal up to its last intact commit).
    public let byteCount: UInt64
    /// Records in the copy.
    public let recordCount: UInt64
    /// The checkpoint the copy ends with: keep it to check the copy (or the journal) later with
    /// `verify --against`.
    public let checkpoint: Checkpoint
}

extension Journal {
    /// Makes a consistent copy of the journal at `destination` (a new file, mode 0600): taken
    /// under the writer lock so no append is half in it, fsynced with its directory, then verified
    /// without the key against the checkpoint it ends with. A copy is as encrypted as the journal:
    /// it is safe to keep on a synced or shared disk (see SECURITY.md).
    ///
    /// - Throws: ``JournalError/alreadyExists(path:)`` when `destination` exists (nothing is
    ///   overwritten); ``JournalError/damaged(offset:reason:)`` when the copy does not verify (it is
    ///   removed); I/O errors (a partial copy is removed).
    ///
    /// Cost: one sequential read and write of the journal, one fsync, one keyless verification.
    public func backup(to destination: String) throws(JournalError) -> BackupReport {
        try checkNotRetired()
        return try JournalError.mapping {
            let (end, checkpoint) = try state.withLock { state in
                try file.withExclusiveLock { () throws -> (UInt64, Checkpoint) in
                    if mode == .readWrite { try refreshTail(&state) }
                    let end = state.tail.endOffset
                    let copy: AppendOnlyFile
                    do {
                        copy = try AppendOnlyFile.create(path: destination)
                    } catch let error as SystemError where error.code == EEXIST {
                        throw JournalError.alreadyExists(path: destination)
                    }
                    do {
                        var position: UInt64 = 0
                        while position < end {
                            let chunk = try file.read(at: position, count: Int(min(UInt64(FrameReader.bufferByteCount), end - position)))
                            guard !chunk.isEmpty else { throw JournalError.corruptFrame(offset: position, sequence: nil, reason: "the journal ended early") }
                            try copy.write(chunk, at: position)
                            position += UInt64(chunk.count)
                        }
                        try copy.sync()
                        try AppendOnlyFile.syncDirectory(containing: destination)
                    } catch {
                        unlink(destination)
                        throw error
                    }
                    return (end, state.tail.checkpoint)
                }
            }
            let report = Journal.verify(at: destination, options: .init(heldCheckpoint: checkpoint.text))
            guard report.isValid, report.latestCheckpoint == checkpoint else {
                unlink(destination)
                throw JournalError.damaged(offset: report.problems.first?.offset ?? 0,
                                           reason: "the copy does not verify (\(report.problems.first?.message ?? "unknown")); it was removed")
            }
            return BackupReport(path: destination, byteCount: end, recordCount: checkpoint.treeSize, checkpoint: checkpoint)
        }
    }
}
