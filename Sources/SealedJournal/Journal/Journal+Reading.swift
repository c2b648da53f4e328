import Foundation

/// Which records to read.
public struct RecordFilter: Sendable {
    /// Kinds to include; `nil` for all.
    public var kinds: Set<RecordKind>?
    /// Kinds to leave out (applied after `kinds`), e.g. ``RecordKind/bookkeeping``.
    public var excludingKinds: Set<RecordKind> = []
    /// Earliest `recordedAt` (inclusive); `nil` for no bound.
    public var from: Date?
    /// Latest `recordedAt` (exclusive); `nil` for no bound.
    public var to: Date?
    /// Only records carrying this tag (entries' tags; check-ins' triggers do not count).
    public var tag: String?
    /// Only records whose text fields contain this string (case-insensitive): entry text and
    /// title, check-in note and triggers, amendment text.
    public var containing: String?

    /// A filter on kinds and on `recordedAt` (`from` inclusive, `to` exclusive), a tag, or text
    /// contained (case-insensitive). Every `nil` means no condition.
    public init(kinds: Set<RecordKind>? = nil, from: Date? = nil, to: Date? = nil, tag: String? = nil, containing: String? = nil) {
        self.kinds = kinds
        self.from = from
        self.to = to
        self.tag = tag
        self.containing = containing
    }

    /// Every record.
    public static let all = RecordFilter()

    func matches(_ plaintext: RecordPlaintext) -> Bool {
        if let kinds, !kinds.contains(RecordKind(rawValue: plaintext.kind)) { return false }
        if !excludingKinds.isEmpty, excludingKinds.contains(RecordKind(rawValue: plaintext.kind)) { return false }
        let time = Double(plaintext.recordedAtMilliseconds) / 1000
        if let from, time < from.timeIntervalSince1970 { return false }
        if let to, time >= to.timeIntervalSince1970 { return false }
        return true
    }

    /// Content conditions, checked after decryption.
    func matchesContent(_ record: JournalRecord) -> Bool {
        if tag == nil && containing == nil { return true }
        var texts: [String] = []
        var tags: [String] = []
        switch record.content {
        case let .entry(entry):
            texts = [entry.text, entry.title ?? ""]
            tags = entry.tags
        case let .checkIn(checkIn):
            texts = [checkIn.note ?? ""] + checkIn.triggers
        case let .amendment(amendment):
            texts = [amendment.text, amendment.reason ?? ""]
        case let .disclosure(disclosure):
            texts = [disclosure.recipient, disclosure.purpose, disclosure.scope]
        case let .custom(_, json):
            texts = [String(decoding: json, as: UTF8.self)]
        }
        if let tag, !tags.contains(where: { $0.caseInsensitiveCompare(tag) == .orderedSame }) { return false }
        if let containing, !texts.contains(where: { $0.range(of: containing, options: .caseInsensitive) != nil }) { return false }
        return true
    }
}

/// Reads records in order, one at a time, in constant memory whatever the journal size.
///
/// Covers the records committed when the cursor was made. Every record is authenticated
/// before it is returned: an altered, moved or spliced record throws
/// ``JournalError/corruptFrame(offset:sequence:reason:)`` and is never returned.
/// Not thread-safe: use one cursor per task.
public struct RecordCursor: ~Copyable {
    fileprivate var reader: FrameReader
    fileprivate let cipher: RecordCipher
    fileprivate let filter: RecordFilter
    fileprivate var sequence: UInt64 = 0

    /// Callers check ``Journal/checkCurrent()`` first (a retired or replaced journal is not read).
    init(journal: Journal, filter: RecordFilter) throws(JournalError) {
        let end = journal.state.withLock { $0.tail.endOffset }
        reader = FrameReader(file: journal.file, to: end)
        cipher = try JournalError.mapping { try RecordCipher(masterKey: journal.masterKey, journalID: journal.journalID) }
        self.filter = filter
    }

    /// The next matching record, or `nil` at the end.
    public mutating func next() throws(JournalError) -> JournalRecord? {
        while true {
            let step: FrameStep?
            do {
                // The frame is read and opened in place (no copy of its bytes).
                let cipher = self.cipher, sequence = self.sequence
                step = try reader.withNextFrame { FrameStep.open($0, with: cipher, sequence: sequence) }
            } catch {
                throw .readingFrames(error, sequence: sequence, offset: reader.offset)
            }
            guard let step else { return nil }
            let plaintext: RecordPlaintext
            switch step {
            case .skip: continue
            case let .failed(error, offset):
                defer { sequence += 1 }
                throw JournalError.recordOpenFailure(error, offset: offset, sequence: sequence)
            case let .opened(opened): plaintext = opened
            }
            defer { sequence += 1 }
            guard filter.matches(plaintext) else { continue }
            let record = JournalRecord(plaintext, sequence: sequence)
            guard filter.matchesContent(record) else { continue }
            return record
        }
    }
}

extension RecordCursor {
    /// Ciphers for ``nextBatch(limit:byteLimit:openers:)``, starting with this cursor's own
    /// (only ever used while a batch is opened, never at the same time as ``next()``, which
    /// runs on the same thread), more made for `journal` as parts need them.
    func batchOpeners(journal: Journal) -> SplitWork<RecordCipher> {
        let masterKey = journal.masterKey, journalID = journal.journalID
        return SplitWork([cipher]) { try RecordCipher(masterKey: masterKey, journalID: journalID) }
    }

    /// What ``nextBatch(limit:byteLimit:openers:)`` read: matching records in order, then (when reading
    /// stopped at one) the error ``next()`` would have thrown after them.
    struct Batch {
        var records: [JournalRecord] = []
        var failure: JournalError?
        /// The end was reached (or a failure ends reading).
        var finished = false
    }

    /// The next matching records among the next `limit` frames (or as many as hold `byteLimit`
    /// bytes, at least one), exactly as calling ``next()`` repeatedly gives them, but with the
    /// records of the batch opened in parts on several threads at once, each with a cipher of
    /// `openers` (see ``SplitWork``). Frame bytes are copied out first.
    mutating func nextBatch(limit: Int, byteLimit: Int, openers: SplitWork<RecordCipher>) -> Batch {
        var batch = Batch()
        var frames: [(offset: UInt64, body: [UInt8])] = []
        frames.reserveCapacity(limit)
        var frameBytes = 0
        var stop: JournalError?
        while frames.count < limit && frameBytes < byteLimit {
            let read: (offset: UInt64, body: [UInt8])??
            do {
                read = try reader.withNextFrame { frame -> (offset: UInt64, body: [UInt8])? in
                    frame.kind == .record ? (frame.offset, Array(frame.body)) : nil
                }
            } catch {
                stop = .readingFrames(error, sequence: sequence + UInt64(frames.count), offset: reader.offset)
                break
            }
            guard let read else {
                batch.finished = true
                break
            }
            if let frame = read {
                frameBytes += frame.body.count
                frames.append(frame)
            }
        }
        let first = sequence
        var opened = [Result<RecordPlaintext, any Error>?](repeating: nil, count: frames.count)
        opened.withUnsafeMutableBufferPointer { slots in
            // Each part writes only its own slots, with a cipher no other part holds meanwhile.
            openers.run(count: frames.count, { range, cipher in
                for index in range {
                    slots[index] = Result { try cipher.open(body: frames[index].body, sequence: first + UInt64(index)) }
                }
            }, failed: { range, error in
                for index in range { slots[index] = .failure(error) }
            })
        }
        for (index, result) in opened.enumerated() {
            let recordSequence = first + UInt64(index)
            sequence = recordSequence + 1
            switch result! {
            case let .failure(error):
                batch.failure = JournalError.recordOpenFailure(error, offset: frames[index].offset, sequence: recordSequence)
                batch.finished = true
                return batch
            case let .success(plaintext):
                guard filter.matches(plaintext) else { continue }
                let record = JournalRecord(plaintext, sequence: recordSequence)
                guard filter.matchesContent(record) else { continue }
                batch.records.append(record)
            }
        }
        if let stop {
            batch.failure = stop
            batch.finished = true
        }
        return batch
    }
}

extension JournalRecord {
    init(_ plaintext: RecordPlaintext, sequence: UInt64) {
        self.init(sequence: sequence, kind: RecordKind(rawValue: plaintext.kind),
                  recordedAt: Date(timeIntervalSince1970: Double(plaintext.recordedAtMilliseconds) / 1000),
                  timeZoneOffsetSeconds: Int(plaintext.timeZoneOffsetSeconds),
                  recordedAtMilliseconds: plaintext.recordedAtMilliseconds,
                  payload: plaintext.payload)
    }
}

/// An `AsyncSequence` over a journal's records (see ``RecordCursor``).
///
/// It fails only with ``JournalError`` (`Failure == JournalError`). Iteration checks for task
/// cancellation before each record and ends (returns `nil`) once the task is cancelled, so a
/// cancelled reader stops within one record.
///
/// Reading is synchronous file I/O (one large read per MiB of frames, then decryption): it runs
/// on the executor of the task that iterates, a few microseconds per record. That is fine for
/// an app's usual reads; to read hundreds of thousands of records without holding a shared
/// executor, iterate from a task of your own, or use the synchronous ``RecordCursor``
/// (``Journal/cursor(_:)``), which this sequence is built on and which the CLI uses.
public struct JournalRecords: AsyncSequence, Sendable {
    /// Each element is one authenticated record.
    public typealias Element = JournalRecord
    /// Iteration fails only with ``JournalError``.
    public typealias Failure = JournalError
    let journal: Journal
    let filter: RecordFilter

    /// Iterates the records; made by ``makeAsyncIterator()``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Each element is one authenticated record.
        public typealias Element = JournalRecord
        /// Iteration fails only with ``JournalError``.
        public typealias Failure = JournalError
        let journal: Journal
        let filter: RecordFilter
        var cursor: CursorBox?
        var finished = false

        /// The next matching record; `nil` at the end or once the current task is cancelled.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(JournalError) -> JournalRecord? {
            try nextRecord()
        }

        /// The next matching record; `nil` at the end or once the current task is cancelled.
        public mutating func next() async throws(JournalError) -> JournalRecord? {
            try nextRecord()
        }

        private mutating func nextRecord() throws(JournalError) -> JournalRecord? {
            guard !finished, !Task.isCancelled else {
                finished = true
                cursor = nil
                return nil
            }
            if cursor == nil { cursor = CursorBox(try journal.cursor(filter)) }
            guard let record = try cursor?.next() else {
                finished = true
                cursor = nil
                return nil
            }
            return record
        }
    }

    /// An iterator over the records committed when iteration starts.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(journal: journal, filter: filter) }
}

/// Holds a non-copyable cursor inside a copyable iterator.
final class CursorBox {
    private var cursor: RecordCursor
    init(_ cursor: consuming RecordCursor) { self.cursor = cursor }
    func next() throws(JournalError) -> JournalRecord? { try cursor.next() }
}

extension Journal {
    /// A cursor over committed records matching `filter`, read in order in constant memory.
    public func cursor(_ filter: RecordFilter = .all) throws(JournalError) -> RecordCursor {
        try checkCurrent()
        return try RecordCursor(journal: self, filter: filter)
    }

    /// The records matching `filter`, as an `AsyncSequence` (`for try await record in journal.records()`).
    public func records(_ filter: RecordFilter = .all) -> JournalRecords {
        JournalRecords(journal: self, filter: filter)
    }

    /// Calls `body` for each record matching `filter`, in order, in constant memory.
    ///
    /// On a machine with more than one core and a journal of a few hundred records or more,
    /// records are read and authenticated on a second thread, a few batches ahead of `body`
    /// (at most 1 MiB of payload queued, or one larger record), so decryption overlaps what `body` does. `body`
    /// itself always runs on the calling thread, in order, and the second thread has ended
    /// when this returns or throws.
    ///
    /// - Throws: ``JournalError`` when a record cannot be read or authenticated (the records
    ///   before it were already passed to `body`), or whatever `body` throws (reading stops).
    public func forEachRecord(_ filter: RecordFilter = .all, _ body: (JournalRecord) throws -> Void) throws {
        if ReadAhead.isWorthwhile(recordCount: recordCount) {
            return try ReadAhead.run(journal: self, filter: filter, body: body)
        }
        var cursor = try self.cursor(filter)
        while let record = try cursor.next() { try body(record) }
    }

    /// The last `count` records matching `filter`, oldest first (memory for `count` records).
    ///
    /// Reads from the end of the last commit backwards and stops once it has `count` matching
    /// records, so "the newest five" costs a few reads however long the journal is (a rare
    /// kind or a narrow filter may still read far back). Every record read is authenticated at
    /// its sequence number, as ``forEachRecord(_:_:)`` does; damage in the part read throws, like
    /// a forward read. Records older than the part read are not read at all (``verify(options:progress:)`` checks
    /// the whole journal).
    /// - Throws: ``JournalError/corruptFrame(offset:sequence:reason:)`` for a record that cannot
    ///   be read or authenticated in the part read.
    public func lastRecords(_ count: Int, _ filter: RecordFilter = .all) throws(JournalError) -> [JournalRecord] {
        guard count > 0 else { return [] }
        try checkCurrent()
        let (end, recordCount) = state.withLock { ($0.tail.endOffset, $0.tail.frame.treeSize) }
        // Read backwards from a position the file no longer reaches and every error would name
        // the wrong record: say what happened instead.
        let size = try JournalError.mapping { try file.size() }
        guard size >= end else {
            throw .corruptFrame(offset: size, sequence: nil, reason: "the journal file became shorter while open (truncated by another program?)")
        }
        var reader = BackwardFrameReader(file: file, from: end)
        let cipher = try JournalError.mapping { try RecordCipher(masterKey: masterKey, journalID: journalID) }
        var found: [JournalRecord] = []
        var sequence = recordCount
        while sequence > 0 && found.count < count {
            let step: FrameStep?
            let expected = sequence - 1
            do {
                step = try reader.withPreviousFrame { FrameStep.open($0, with: cipher, sequence: expected) }
            } catch {
                throw .readingFrames(error, sequence: expected, offset: reader.offset)
            }
            switch step {
            case nil:
                // The frames ran out before record #0: records are missing.
                throw .corruptFrame(offset: reader.lowerBound, sequence: expected, reason: "records are missing (\(sequence) not found before the start of the frames)")
            case .skip?: continue
            case let .failed(error, offset)?: throw JournalError.recordOpenFailure(error, offset: offset, sequence: expected)
            case let .opened(plaintext)?:
                sequence = expected
                guard filter.matches(plaintext) else { continue }
                let record = JournalRecord(plaintext, sequence: expected)
                guard filter.matchesContent(record) else { continue }
                found.append(record)
            }
        }
        return found.reversed()
    }

    /// The record with sequence number `sequence`.
    ///
    /// Cost: the first call builds an in-memory index of record offsets (8 bytes per record,
    /// one sequential pass over frame headers); later calls are one read.
    public func record(at sequence: UInt64) throws(JournalError) -> JournalRecord {
        try checkCurrent()
        return try JournalError.mapping {
            let (offset, count, end) = try state.withLock { state -> (UInt64?, UInt64, UInt64) in
                let count = state.tail.frame.treeSize
                guard sequence < count else { return (nil, count, state.tail.endOffset) }
                if sequence >= UInt64(state.recordOffsets.count) {
                    var reader = FrameReader(file: file, from: state.indexedTo, to: state.tail.endOffset)
                    while UInt64(state.recordOffsets.count) <= sequence, let frame = try reader.next() {
                        if frame.kind == .record { state.recordOffsets.append(frame.offset) }
                        state.indexedTo = frame.endOffset
                    }
                }
                return (sequence < UInt64(state.recordOffsets.count) ? state.recordOffsets[Int(sequence)] : nil, count, state.tail.endOffset)
            }
            guard let offset else { throw JournalError.noSuchRecord(sequence: sequence, recordCount: count) }
            guard let frame = try? FrameReader.frame(in: file, at: offset, end: end), frame.kind == .record else {
                throw JournalError.corruptFrame(offset: offset, sequence: sequence, reason: "unreadable")
            }
            let cipher = try RecordCipher(masterKey: masterKey, journalID: journalID)
            do {
                return JournalRecord(try cipher.open(body: frame.body, sequence: sequence), sequence: sequence)
            } catch {
                throw JournalError.recordOpenFailure(error, offset: offset, sequence: sequence)
            }
        }
    }
}

/// The narrow view of a journal's internals that the Export layer builds on (audit bundles):
/// the committed tail, a frame reader over it, and the record cipher.
extension Journal {
    /// The last commit this instance has seen (see ``recordCount``).
    var committedTail: CommittedTail { state.withLock { $0.tail } }

    /// A reader over the frames from the start of the journal up to `end` (a committed offset).
    func committedFrameReader(to end: UInt64) -> FrameReader { FrameReader(file: file, to: end) }

    /// The record cipher of this journal's master key (opens records, gives per-record keys).
    func makeRecordCipher() throws -> RecordCipher { try RecordCipher(masterKey: masterKey, journalID: journalID) }
}

/// What one frame gave a reader (forwards or backwards): a frame that is not a record, a record
/// opened at its sequence number, or a record that failed to open.
enum FrameStep {
    case skip
    case opened(RecordPlaintext)
    case failed(any Error, offset: UInt64)

    /// Opens `frame` (read in place) as the record numbered `sequence`, when it is a record.
    static func open(_ frame: FrameView, with cipher: RecordCipher, sequence: UInt64) -> FrameStep {
        guard frame.kind == .record else { return .skip }
        do { return .opened(try cipher.open(body: frame.body, sequence: sequence)) } catch {
            return .failed(error, offset: frame.offset)
        }
    }
}

extension JournalError {
    /// What a frame reader's error means to a reader of records expecting record `sequence` next
    /// (`offset`: where the reader was, for an error that names no place).
    static func readingFrames(_ error: any Error, sequence: UInt64, offset: UInt64) -> JournalError {
        switch error {
        case let FrameReadError.incomplete(at): return .corruptFrame(offset: at, sequence: sequence, reason: "the frame is incomplete")
        case let FrameReadError.malformed(at, reason): return .corruptFrame(offset: at, sequence: nil, reason: reason.description)
        case let error as SystemError: return .io(error)
        default: return .corruptFrame(offset: offset, sequence: nil, reason: "unreadable")
        }
    }
}
