import Foundation

/// What an append returns once it is committed (and, by default, durable).
public struct AppendReceipt: Sendable, Equatable {
    /// Sequence numbers given to the appended records, in order.
    public let sequences: ClosedRange<UInt64>
    /// The checkpoint written with the commit.
    public let checkpoint: Checkpoint

    /// The sequence number of a single appended record.
    public var sequence: UInt64 { sequences.lowerBound }
}

extension Journal {
    /// Seals and appends one record.
    ///
    /// Cost: one record seal, one Ed25519 checkpoint signature, one write and (with
    /// ``Durability/synchronous``) one fsync. When this returns, the record is on disk.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` (nothing is written), ``JournalError/readOnly``,
    ///   ``JournalError/io(_:)`` (nothing acknowledged; the journal stays as it was).
    @discardableResult
    public func append<C: JournalRecordContent>(_ content: C, at recordedAt: Date = Date()) throws(JournalError) -> AppendReceipt {
        try appendBatch([PendingRecord(content, recordedAt: recordedAt)])
    }

    /// Seals and appends many records as one commit: one write, one checkpoint, one fsync.
    /// All records are validated first; if any is invalid, nothing is written.
    @discardableResult
    public func appendBatch(_ records: [PendingRecord]) throws(JournalError) -> AppendReceipt {
        guard mode == .readWrite else { throw .readOnly }
        guard !records.isEmpty else { throw .invalidField(field: "records", reason: "a batch needs at least one record") }
        var plaintexts: [RecordPlaintext] = []
        plaintexts.reserveCapacity(records.count)
        for record in records {
            let milliseconds = (record.recordedAt.timeIntervalSince1970 * 1000).rounded()
            guard milliseconds.isFinite, abs(milliseconds) < 9.2e18 else {
                throw .invalidField(field: "recordedAt", reason: "is out of range")
            }
            plaintexts.append(RecordPlaintext(kind: record.kind, recordedAtMilliseconds: Int64(milliseconds), payload: try record.encode()))
        }
        let targets = records.enumerated().compactMap { index, record in record.amends.map { (index, $0) } }
        return try commit(plaintexts, amendmentTargets: targets)
    }

    /// `amendmentTargets`: (index in the batch, sequence amended); each must point at an earlier record.
    private func commit(_ plaintexts: [RecordPlaintext], amendmentTargets: [(Int, UInt64)]) throws(JournalError) -> AppendReceipt {
        try JournalError.mapping {
            try state.withLock { state in
                try file.withExclusiveLock {
                    try refreshTail(&state)
                    let base = state.tail.endOffset
                    var range = state.tail.frame.compactRange
                    let first = range.size
                    for (index, target) in amendmentTargets where target >= first + UInt64(index) {
                        throw JournalError.invalidField(field: "amends", reason: "record \(target) does not exist")
                    }
                    if state.cipher == nil { state.cipher = try RecordCipher(masterKey: masterKey, journalID: journalID) }
                    let cipher = state.cipher!
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(plaintexts.reduce(512) { $0 + RecordPlaintext.paddedByteCount(forUnpadded: 14 + $1.kind.utf8.count + $1.payload.count) + 49 })
                    for plaintext in plaintexts {
                        let frame = try cipher.sealFrame(plaintext, sequence: range.size)
                        range.append(leafHash: MerkleTree.leafHash(frame))
                        bytes += frame
                    }
                    let checkpointOffset = base + UInt64(bytes.count)
                    let checkpoint = Checkpoint.sign(journalID: journalID, treeSize: range.size, rootHash: range.root, key: signingKey)
                    let frame = CheckpointFrame(treeSize: range.size, frameOffset: checkpointOffset,
                                                previousFrameOffset: state.tail.frame.frameOffset,
                                                compactRange: range, noteText: checkpoint.text)
                    bytes += Frame.encode(kind: .checkpoint, body: frame.encodeBody())
                    do {
                        try file.write(bytes, at: base)
                        if durability == .synchronous { try file.sync() }
                    } catch {
                        // Nothing was acknowledged: put the file back as it was. If even that fails,
                        // the next open or append finds and cuts the torn tail.
                        try? file.truncate(to: base)
                        throw error
                    }
                    state.tail = CommittedTail(frame: frame, checkpoint: checkpoint, endOffset: base + UInt64(bytes.count))
                    return AppendReceipt(sequences: first...(range.size - 1), checkpoint: checkpoint)
                }
            }
        }
    }

    /// Brings the cached tail up to date with the file (another process may have appended,
    /// or a crash may have left a torn tail). Called with the file lock held.
    func refreshTail(_ state: inout WriterState) throws {
        let size = try file.size()
        if size == state.tail.endOffset { return }
        guard size > state.tail.endOffset || mode == .readOnly else {
            throw JournalError.corruptFrame(offset: size, sequence: nil,
                                            reason: "the journal file became shorter while open (truncated by another program?)")
        }
        let located = try Journal.locate(file: file)
        guard located.headerState.header.journalID == journalID, located.headerState.header.publicKey == publicKey else {
            throw JournalError.headerMismatch(path: path, reason: "the file was replaced by another journal while open")
        }
        guard located.tail.frame.treeSize >= state.tail.frame.treeSize else {
            throw JournalError.corruptFrame(offset: located.tail.endOffset, sequence: nil,
                                            reason: "the journal lost committed records while open")
        }
        if mode == .readWrite && located.tail.endOffset < size {
            try file.truncate(to: located.tail.endOffset)
            if durability == .synchronous { try file.sync() }
        }
        state.tail = located.tail
    }
}
