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

/// One record ready to seal: its plaintext, its envelope, and the record it amends (if any).
struct SealInput: Sendable {
    let plaintext: RecordPlaintext
    let envelope: RecordEnvelope
    let amends: UInt64?
}

extension Journal {
    /// Seals and appends one record. For a ``CheckIn`` use ``appendCheckIn(_:at:allowFutureDay:)``,
    /// which also refuses a check-in for a day after today.
    ///
    /// Cost: one record seal, one Ed25519 checkpoint signature, one write and (with
    /// ``Durability/synchronous``) one fsync. When this returns, the record is on disk.
    /// - Parameters:
    ///   - content: the record; ``JournalRecordContent/validate()`` runs first.
    ///   - recordedAt: when the record was written (years 0001-9999).
    ///   - timeZone: the writer's time zone, whose UTC offset at `recordedAt` is stored with the
    ///     record and gives its local day.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` (nothing is written), ``JournalError/readOnly``,
    ///   ``JournalError/io(_:)`` (nothing acknowledged; the journal stays as it was).
    @discardableResult
    public func append<C: JournalRecordContent>(_ content: C, at recordedAt: Date = Date(),
                                                timeZone: TimeZone = .current) throws(JournalError) -> AppendReceipt {
        try appendBatch([PendingRecord(content, recordedAt: recordedAt, timeZone: timeZone)])
    }

    /// Seals and appends many records.
    ///
    /// The records are committed in bounded commits (a signed checkpoint each time the record
    /// frames reach 64 KiB, and the last record alone when the batch
    /// is large), so later opens stay O(1). All records are validated first; if any is invalid,
    /// nothing is written. Cost: one seal per record, one signature, write and (by default) fsync
    /// per commit; a small batch is one commit. If the process or machine dies before this
    /// returns, a prefix of whole commits may survive, never part of one. The receipt's checkpoint
    /// is the last one written.
    @discardableResult
    public func appendBatch(_ records: [PendingRecord]) throws(JournalError) -> AppendReceipt {
        guard mode == .readWrite else { throw .readOnly }
        guard !records.isEmpty else { throw .invalidField(field: "records", reason: "a batch needs at least one record") }
        return try appendBatch(records, onOneThread: false)
    }

    /// ``appendBatch(_:)``; `onOneThread` seals on the calling thread only (an import commits
    /// on a second thread while its first parses, so both cores are busy already).
    func appendBatch(_ records: [PendingRecord], onOneThread: Bool) throws(JournalError) -> AppendReceipt {
        guard mode == .readWrite else { throw .readOnly }
        guard !records.isEmpty else { throw .invalidField(field: "records", reason: "a batch needs at least one record") }
        return try commit(try Journal.sealInputs(records, onOneThread: onOneThread), onOneThread: onOneThread)
    }

    /// Commits records already encoded and checked (``PendingRecord/sealInput()``): an import
    /// does that on its parsing thread, so the committing thread only seals and writes. With
    /// `expectedFirst`, the first record must get that number (an import's corrections were
    /// pointed at records by it), or nothing is written (``isNumberTaken(_:)``). `presealed`
    /// are the inputs' frames already sealed as records `expectedFirst`, `expectedFirst + 1`...
    /// (``sealFrames(_:firstSequence:cipher:sealers:)``), with their leaf hashes.
    func appendSealed(_ inputs: [SealInput], onOneThread: Bool, expectedFirst: UInt64? = nil,
                      presealed: [SealedFrame]? = nil) throws(JournalError) -> AppendReceipt {
        guard mode == .readWrite else { throw .readOnly }
        guard !inputs.isEmpty else { throw .invalidField(field: "records", reason: "a batch needs at least one record") }
        precondition(presealed == nil || (expectedFirst != nil && presealed?.count == inputs.count), "frames sealed ahead need the numbers they were sealed with")
        return try commit(inputs, onOneThread: onOneThread, expectedFirst: expectedFirst, presealed: presealed)
    }

    /// Encodes and checks every record (in two halves on two cores for a large batch); the
    /// error is the first invalid record's, as when checking in order.
    static func sealInputs(_ records: [PendingRecord], onOneThread: Bool = false) throws(JournalError) -> [SealInput] {
        guard !onOneThread, records.count >= parallelSealMinimum, Cores.areSeveral else {
            var inputs: [SealInput] = []
            inputs.reserveCapacity(records.count)
            for record in records { inputs.append(try record.sealInput()) }
            return inputs
        }
        let split = records.count / 2
        var inputs = [SealInput?](repeating: nil, count: records.count)
        var failures: [(index: Int, error: JournalError)?] = [nil, nil]
        inputs.withUnsafeMutableBufferPointer { slots in
            failures.withUnsafeMutableBufferPointer { failed in
                // Unchecked: each half writes only its own slots and its own failure entry.
                let halves = UncheckedSendable((slots: slots, failed: failed))
                DispatchQueue.concurrentPerform(iterations: 2) { half in
                    let shared = halves.value
                    for index in half == 0 ? 0..<split : split..<records.count {
                        do throws(JournalError) {
                            shared.slots[index] = try records[index].sealInput()
                        } catch {
                            shared.failed[half] = (index, error)
                            return
                        }
                    }
                }
            }
        }
        if let first = failures[0] ?? failures[1] { throw first.error }
        return inputs.map { $0! }
    }

    /// Commits `inputs` (and `prebuiltFrames`, already sealed at the next positions, first) under
    /// the writer lock and the file lock. `extensionFrames` (FORMAT.md 8.2) go after the records,
    /// before the checkpoint, and are not Merkle leaves. With `expectedFirst`, refuses (writing
    /// nothing) unless the first record gets that number.
    @discardableResult
    func commit(_ inputs: [SealInput], prebuiltFrames: [[UInt8]] = [], extensionFrames: [[UInt8]] = [],
                onOneThread: Bool = false, expectedFirst: UInt64? = nil, presealed: [SealedFrame]? = nil) throws(JournalError) -> AppendReceipt {
        try checkNotRetired()
        return try JournalError.mapping {
            try state.withLock { state in
                try file.withExclusiveLock {
                    guard try file.isStillLinked(at: path) else { throw JournalError.journalReplaced(path: path) }
                    try refreshTail(&state)
                    // A key change in effect whose record a failing disk refused: recorded first, in a
                    // commit of its own (an import's numbered chunk then sees its numbers taken).
                    if let pending = state.unrecordedKeyChange {
                        _ = try writeCommit(&state, [try PendingRecord(KeyChange(change: pending.change)).sealInput()], prebuiltFrames: [])
                        state.unrecordedKeyChange = nil
                    }
                    // Records that name each other by number (an import's corrections) must get the numbers they were given.
                    if let expectedFirst, state.tail.frame.treeSize != expectedFirst {
                        throw JournalError.invalidField(field: Journal.numberTakenField, reason: "another writer appended to the journal while this import ran, "
                                                        + "so the corrections being written would point at the wrong records; nothing of them was written")
                    }
                    return try writeCommit(&state, inputs, prebuiltFrames: prebuiltFrames, extensionFrames: extensionFrames, onOneThread: onOneThread,
                                           presealed: presealed)
                }
            }
        }
    }

    /// Commits a key change record; the caller holds the file lock (not the state lock).
    func commitLocked(_ inputs: [SealInput], keyChange: KeyChange) throws {
        let input = try PendingRecord(keyChange).sealInput()
        _ = try state.withLock { state in try writeCommit(&state, inputs + [input], prebuiltFrames: []) }
    }

    /// Seals `inputs` after `prebuiltFrames` at the next positions and writes them as one or more
    /// bounded commits (``CommitBounds``). Called with both locks held and the tail fresh.
    ///
    /// A batch larger than one commit's bound gets a signed checkpoint each time its record frames
    /// reach 64 KiB, and its last record is a commit of its own when
    /// the commit before it holds ``CommitBounds/finalCommitThresholdBytes`` or more, so the last
    /// commit of any file this library writes is small and opening (which re-hashes the last
    /// commit, FORMAT.md 6.1) costs O(1) in the journal's size.
    /// Crash semantics: nothing is acknowledged before every commit is written (and fsynced). With
    /// ``Durability/synchronous`` each commit is written and fsynced in turn, so a crash keeps a
    /// prefix of whole commits and at most one interrupted commit after them, which the next open
    /// treats like any interrupted append: a torn tail (cut on a write-open only if it holds no
    /// checkpoint) or damage (kept, FORMAT.md 6.2); never a partial commit taken as committed.
    /// With ``Durability/unsafeNoSync`` the commits go out in one write and ordering is up to the
    /// operating system (no promise is made without fsync). A failed write or fsync truncates
    /// the file back to where the batch started: the whole batch is reported as failed.
    /// `extensionFrames` (public, self-authenticating data, FORMAT.md 8.2) go into the last commit,
    /// after its records and before its checkpoint; they are not leaves.
    func writeCommit(_ state: inout WriterState, _ inputs: [SealInput], prebuiltFrames: [[UInt8]],
                     extensionFrames: [[UInt8]] = [], onOneThread: Bool = false, presealed: [SealedFrame]? = nil) throws -> AppendReceipt {
        guard !inputs.isEmpty || !prebuiltFrames.isEmpty else {
            throw JournalError.invalidField(field: "records", reason: "a commit needs at least one record")
        }
        precondition(presealed == nil || (presealed?.count == inputs.count && prebuiltFrames.isEmpty), "frames sealed ahead replace the inputs' sealing only")
        let base = state.tail.endOffset
        var range = state.tail.frame.compactRange
        let first = range.size
        for (index, input) in inputs.enumerated() {
            if let target = input.amends, target >= first + UInt64(prebuiltFrames.count + index) {
                throw JournalError.invalidField(field: "amends", reason: "record \(target) does not exist")
            }
        }
        if state.cipher == nil { state.cipher = try RecordCipher(masterKey: masterKey, journalID: journalID) }
        guard let cipher = state.cipher else { throw CryptoError.outOfMemory(bytes: RecordSealing.keyByteCount) }
        let total = prebuiltFrames.count + inputs.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(inputs.reduce(1024 * (total / 600 + 1) + prebuiltFrames.reduce(0) { $0 + $1.count }) {
            $0 + RecordPlaintext.paddedByteCount(forUnpadded: $1.plaintext.unpaddedByteCount) + RecordSealing.contentOffset + 25
        })
        var previousCheckpointOffset = state.tail.frame.frameOffset
        var last: (frame: CheckpointFrame, checkpoint: Checkpoint)?
        var commitBytes = 0
        var written = 0
        var commitEnds: [Int] = []
        /// Closes the current commit with a signed checkpoint frame appended to `bytes`.
        func closeCommit() {
            let checkpointOffset = base + UInt64(bytes.count)
            let checkpoint = Checkpoint.sign(journalID: journalID, treeSize: range.size, rootHash: range.root,
                                             headerBinding: state.header.binding, frameOffset: checkpointOffset, key: signingKey)
            let frame = CheckpointFrame(treeSize: range.size, frameOffset: checkpointOffset,
                                        previousFrameOffset: previousCheckpointOffset,
                                        compactRange: range, noteText: checkpoint.text)
            bytes += Frame.encode(kind: .checkpoint, body: frame.encodeBody())
            previousCheckpointOffset = checkpointOffset
            last = (frame, checkpoint)
            commitEnds.append(bytes.count)
            commitBytes = 0
        }
        /// Adds one record frame; closes the commit when it reached its bound and more records follow.
        func add(_ frame: [UInt8], leafHash: [UInt8]) {
            if written == total - 1, commitBytes >= CommitBounds.finalCommitThresholdBytes {
                // The batch's last record gets a commit of its own, so the commit the next open
                // re-hashes is small whatever the batch's size (one signature more per batch).
                closeCommit()
            }
            range.append(leafHash: leafHash)
            bytes += frame
            commitBytes += frame.count
            written += 1
            if written < total, commitBytes >= CommitBounds.maximumRecordBytes {
                closeCommit()
            }
        }
        for frame in prebuiltFrames { add(frame, leafHash: MerkleTree.leafHash(frame)) }
        for sealed in try presealed ?? sealFrames(inputs, firstSequence: range.size, cipher: cipher, state: &state, onOneThread: onOneThread) {
            add(sealed.frame, leafHash: sealed.leafHash)
        }
        for frame in extensionFrames { bytes += frame }  // not leaves (FORMAT.md 8.2)
        closeCommit()
        guard let (frame, checkpoint) = last else { throw JournalError.invalidField(field: "records", reason: "a commit needs at least one record") }
        do {
            if durability == .synchronous && commitEnds.count > 1 {
                // One write and one fsync per commit: a commit's checkpoint is written only once
                // every commit before it is on disk, so a crash keeps whole commits in order and at
                // most one torn or damaged commit at the end, exactly as for a one-commit append.
                var start = 0
                for end in commitEnds {
                    try bytes.withUnsafeBytes { raw in try file.write(UnsafeRawBufferPointer(rebasing: raw[start..<end]), at: base + UInt64(start)) }
                    try file.sync()
                    start = end
                }
            } else {
                try file.write(bytes, at: base)
                if durability == .synchronous { try file.sync() }
            }
        } catch {
            // Nothing was acknowledged: put the file back as it was. If even that fails, the next
            // open finds either a torn tail without a checkpoint (cut) or complete commits (kept).
            try? file.truncate(to: base)
            throw error
        }
        state.tail = CommittedTail(frame: frame, checkpoint: checkpoint, endOffset: base + UInt64(bytes.count))
        return AppendReceipt(sequences: first...(range.size - 1), checkpoint: checkpoint)
    }

    /// Seals `inputs` as records `firstSequence`, `firstSequence + 1`..., each frame with its
    /// Merkle leaf hash. A batch of ``parallelSealMinimum`` records or more, on more than one
    /// core, is sealed in parts on several threads at once, each with a cipher of its own (each
    /// cipher's key scratch is its own; see ``SplitWork``); the frames are the same as sealing in
    /// order, but for their random nonces. Under the test-only deterministic randomness (whose
    /// draw order fixes the format's vectors) records are always sealed in order, on this thread.
    func sealFrames(_ inputs: [SealInput], firstSequence: UInt64, cipher: RecordCipher,
                    state: inout WriterState, onOneThread: Bool = false) throws -> [SealedFrame] {
        guard !onOneThread, inputs.count >= Journal.parallelSealMinimum, Cores.areSeveral,
              DeterministicRandomness.generator == nil else {
            return try Journal.sealFrames(inputs, firstSequence: firstSequence, cipher: cipher, sealers: nil)
        }
        if state.sealers == nil { state.sealers = Journal.sealers(masterKey: masterKey, journalID: journalID) }
        return try Journal.sealFrames(inputs, firstSequence: firstSequence, cipher: cipher, sealers: state.sealers)
    }

    /// A pool of record ciphers for sealing or opening in parts (``SplitWork``).
    static func sealers(masterKey: SecretBytes, journalID: [UInt8]) -> SplitWork<RecordCipher> {
        SplitWork(minimumPartCount: 16) { try RecordCipher(masterKey: masterKey, journalID: journalID) }
    }

    /// A sealed record frame and its Merkle leaf hash.
    typealias SealedFrame = (frame: [UInt8], leafHash: [UInt8])

    /// Seals `inputs` as records `firstSequence`, `firstSequence + 1`..., in order on this thread
    /// with `cipher`, or, with `sealers` and ``parallelSealMinimum`` records or more, in parts on
    /// several threads at once (each part with a cipher of `sealers`, whose key scratch is its
    /// own). The first failing record's error is thrown.
    static func sealFrames(_ inputs: [SealInput], firstSequence: UInt64, cipher: RecordCipher, sealers: SplitWork<RecordCipher>?) throws -> [SealedFrame] {
        func seal(_ index: Int, with cipher: RecordCipher) throws -> SealedFrame {
            let input = inputs[index]
            let frame = try cipher.sealFrame(input.plaintext, envelope: input.envelope, sequence: firstSequence + UInt64(index))
            return (frame, MerkleTree.leafHash(frame))
        }
        guard let sealers, inputs.count >= Journal.parallelSealMinimum else {
            return try inputs.indices.map { try seal($0, with: cipher) }
        }
        var sealed = [Result<SealedFrame, any Error>?](repeating: nil, count: inputs.count)
        sealed.withUnsafeMutableBufferPointer { slots in
            // Each part writes only its own slots (a part stops at its first failure), with a
            // cipher no other part holds meanwhile; the array is not resized while they run.
            sealers.run(count: inputs.count, { range, cipher in
                for index in range {
                    slots[index] = Result { try seal(index, with: cipher) }
                    if case .failure = slots[index] { return }
                }
            }, failed: { range, error in
                slots[range.lowerBound] = .failure(error)
            })
        }
        return try sealed.map { result in
            guard let result else { preconditionFailure("a record after a failure was kept") }  // unreachable: the failure throws first
            return try result.get()
        }
    }

    /// The field of the error a commit throws when its first record would not get the number
    /// it was told (`expectedFirst`): another writer took it.
    static let numberTakenField = "import"

    /// Whether `error` says another writer took the numbers a commit was told to use.
    static func isNumberTaken(_ error: JournalError) -> Bool {
        if case let .invalidField(field, _) = error { return field == numberTakenField }
        return false
    }

    /// Smallest batch sealed on two cores (below it, handing half to a second thread costs more
    /// than it saves).
    static let parallelSealMinimum = 32

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
        guard located.scan.committed.frame.treeSize >= state.tail.frame.treeSize else {
            throw JournalError.corruptFrame(offset: located.scan.committed.endOffset, sequence: nil,
                                            reason: "the journal lost committed records while open")
        }
        if mode == .readWrite {
            try located.refuseDamage(path: path)
            if case .torn = located.scan.status {
                try file.truncate(to: located.scan.committed.endOffset)
                if durability == .synchronous { try file.sync() }
            }
        }
        state.tail = located.scan.committed
        state.header = located.headerState
    }
}

extension PendingRecord {
    /// Validates the record and builds its plaintext and envelope.
    func sealInput() throws(JournalError) -> SealInput {
        let seconds = recordedAt.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e15 else { throw .invalidField(field: "recordedAt", reason: "is out of range (years 0001-9999)") }
        let milliseconds = Int64((seconds * 1000).rounded())
        guard CivilTime.isInRange(milliseconds: milliseconds) else {
            throw .invalidField(field: "recordedAt", reason: "is out of range (years 0001-9999)")
        }
        guard CivilTime.isValidOffset(timeZoneOffsetSeconds) else {
            throw .invalidField(field: "timeZone", reason: "its UTC offset must be within ±18 hours")
        }
        let payload = try encode()
        let plaintext = RecordPlaintext(kind: kind, recordedAtMilliseconds: milliseconds, timeZoneOffsetSeconds: timeZoneOffsetSeconds, payload: payload)
        do { try plaintext.validate() } catch { throw .invalidField(field: "record", reason: error.description) }
        let localDay = envelopeDay.map { Int64($0.daysSinceEpoch) }
            ?? CivilTime.split(milliseconds: milliseconds + Int64(timeZoneOffsetSeconds) * 1000).days
        guard localDay >= Int64(CivilTime.earliestDay), localDay <= Int64(CivilTime.latestDay) else {
            throw .invalidField(field: "recordedAt", reason: "its local day is outside years 0001-9999")
        }
        let day = Int32(localDay)
        return SealInput(plaintext: plaintext, envelope: RecordEnvelope(kind: kind, day: day), amends: amends)
    }
}
