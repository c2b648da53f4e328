import Foundation

/// Where an import reads from: a sequence of byte chunks, read on demand, so an import holds a
/// bounded amount of input in memory whatever the input's size.
public struct ImportInput {
    private let nextChunk: () throws -> [UInt8]

    /// Reads from `handle` (a file or standard input) in chunks of up to 1 MiB, from its current
    /// position.
    public static func fileHandle(_ handle: FileHandle) -> ImportInput {
        // One read(2) per chunk into a buffer that is reused once the reader let go of the last
        // chunk (Foundation's read(upToCount:) made a fresh Data and a copy of it every time).
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        return ImportInput {
            let descriptor = handle.fileDescriptor
            // A handle without a descriptor of its own (FileHandle.nullDevice) reads through Foundation.
            guard descriptor >= 0 else { return try handle.read(upToCount: 1 << 20).map { [UInt8]($0) } ?? [] }
            while true {
                let count = buffer.withUnsafeMutableBytes { readSome(descriptor, into: $0) }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw CocoaError(.fileReadUnknown) }
                return count == buffer.count ? buffer : Array(buffer[..<count])
            }
        }
    }

    /// Reads from bytes already in memory.
    public static func data(_ data: Data) -> ImportInput {
        var offset = 0
        return ImportInput {
            guard offset < data.count else { return [] }
            let end = min(data.count, offset + (1 << 20))
            defer { offset = end }
            return [UInt8](data[(data.startIndex + offset)..<(data.startIndex + end)])
        }
    }

    /// Reads with `nextChunk`, which returns an empty array at the end of the input.
    public init(nextChunk: @escaping () throws -> [UInt8]) { self.nextChunk = nextChunk }

    /// This input, failing at its next read once `stop` returns `true` (checked before every
    /// read): an import then stops as on unreadable input, keeping the chunks it committed and
    /// writing nothing of the one it was reading (a way to cancel a long import), and throws
    /// ``stopped``. An error found in what was read before the stop is thrown instead (it is
    /// the earlier one), so a caller can tell a stop from invalid input.
    public func stopping(when stop: @escaping () -> Bool) -> ImportInput {
        let next = nextChunk
        return ImportInput {
            if stop() { throw CancellationError() }
            return try next()
        }
    }

    /// This input, ending after its first `maximum` bytes (what follows is never handed on): a
    /// file checked up to the size it had is then imported up to that size too, so bytes
    /// appended in between are never imported unchecked (a file rewritten in place is not
    /// covered: its records are still checked as they are imported).
    public func prefix(_ maximum: Int) -> ImportInput {
        let next = nextChunk
        var remaining = max(0, maximum)
        return ImportInput {
            guard remaining > 0 else { return [] }
            let chunk = try next()
            guard chunk.count > remaining else {
                remaining -= chunk.count
                return chunk
            }
            defer { remaining = 0 }
            return Array(chunk[..<remaining])
        }
    }

    /// What a check or an import throws when its input was stopped (``stopping(when:)``, or a
    /// `nextChunk` of your own that throws `CancellationError`).
    public static let stopped = JournalError.invalidField(field: "input", reason: "was stopped before its end")

    /// An error of the library's own that an input reading through another one hands on as it is
    /// (a stop, or the error of the commit it polls); anything else a `nextChunk` throws is the
    /// input's: "could not be read".
    struct PassedOn: Error {
        let error: JournalError
    }

    func read() throws(JournalError) -> [UInt8] {
        do { return try nextChunk() } catch is CancellationError {
            throw ImportInput.stopped
        } catch let passed as PassedOn {
            throw passed.error
        } catch {
            throw .invalidField(field: "input", reason: "could not be read")
        }
    }
}

/// read(2) (the name `read` inside ``ImportInput`` is its own method).
private func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}

/// How far an import got: reported after every committed chunk, and returned at the end.
public struct ImportProgress: Sendable, Equatable {
    /// Records parsed and checked so far (all committed when returned by an import).
    public let records: Int
    /// Input bytes consumed so far.
    public let bytesRead: Int
    /// Sequence numbers given to the committed records, or `nil` when none were written.
    public let sequences: ClosedRange<UInt64>?
    /// Committed records that are corrections kept as what they correct to because the record
    /// they correct was not imported (``JournalImport/UnmatchedCorrections/keep``).
    public let correctionsKept: Int
}

extension JournalImport {
    /// Records per import chunk: each chunk is one ``Journal/appendBatch(_:)``, written as bounded
    /// commits (at most 64 KiB of record frames each, each fsynced before the next is written by
    /// default). An import stopped by an error keeps the whole chunks before it; one killed or cut
    /// by a power loss keeps whole commits, in order, and the next open treats an interrupted one
    /// as any interrupted append.
    public static let chunkRecords = 10_000
    /// Payload bytes after which a chunk is committed early (bounds memory on large records:
    /// one chunk is parsed while the one before is sealed and written).
    public static let chunkPayloadBytes = 2 << 20
    /// Longest NDJSON line or jrnl entry accepted (a record payload is at most 16 MiB).
    static let maximumItemBytes = 64 << 20

    /// Parses and checks every record of `input` without writing anything, in constant memory.
    /// Run it before ``importRecords(from:format:into:timeZone:chunkRecords:unmatchedCorrections:progress:)`` on an input that can be
    /// read twice (a file) so that invalid input writes nothing.
    /// - Parameters:
    ///   - input: where the bytes come from.
    ///   - format: the input format.
    ///   - timeZone: the time zone for input times that carry no offset.
    ///   - unmatchedCorrections: what to do with a correction whose record is not in the input
    ///     before it (pass the same to the import).
    ///   - progress: called with the input bytes checked so far, after each record.
    /// - Returns: the number of records the input holds.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` naming the line or entry that is wrong.
    @discardableResult
    public static func check(_ input: ImportInput, format: Format, timeZone: TimeZone = .current,
                             unmatchedCorrections: UnmatchedCorrections = .refuse,
                             progress: ((Int) -> Void)? = nil) throws(JournalError) -> Int {
        var count = 0
        // Each record is also encoded and checked as an append would (its time's range, its
        // size), so a record the import would refuse is found here, before anything is written.
        try forEachRecord(input, format: format, timeZone: timeZone, unmatchedCorrections: unmatchedCorrections) { (item: ImportedItem) throws(JournalError) in
            count += 1
            progress?(item.consumed)
        }
        return count
    }

    /// Streams `input` into `journal`: parses and checks records as it reads, and commits every
    /// ``chunkRecords`` records (or ``chunkPayloadBytes`` of payload) with one
    /// ``Journal/appendBatch(_:)`` (bounded commits, by default each fsynced in turn). Memory stays
    /// bounded by one chunk whatever the input size.
    ///
    /// Each record keeps its original time. On invalid input the error names the line or entry;
    /// the chunks before it stay committed (``ImportProgress`` given to `progress` says how far it
    /// got) and nothing of the failing chunk is written. To write nothing at all on invalid input,
    /// call ``check(_:format:timeZone:unmatchedCorrections:progress:)`` on the same input first.
    ///
    /// Records get the journal's next numbers; an amendment from an export is pointed at the
    /// record it corrects as numbered here (FORMAT.md 10.1), and one whose record is not in the
    /// import before it is refused, or kept as what it corrects to (`unmatchedCorrections`). A chunk
    /// holding a correction of a record in the same chunk must get the numbers it was counted
    /// with: if another writer appends just before it is committed, the import stops with an
    /// error and nothing of that chunk is written.
    /// - Parameters:
    ///   - input: where the bytes come from (a file handle, data, or chunks of your own).
    ///   - format: the input format.
    ///   - journal: the journal to append to, open for writing.
    ///   - timeZone: the time zone for input times that carry no offset.
    ///   - chunkRecords: records per chunk (default ``chunkRecords``).
    ///   - unmatchedCorrections: what to do with a correction whose record is not in the input
    ///     before it.
    ///   - progress: called after every committed chunk.
    /// - Returns: what was imported.
    /// - Throws: ``JournalError/invalidField(field:reason:)``, append errors.
    @discardableResult
    public static func importRecords(from input: ImportInput, format: Format, into journal: Journal, timeZone: TimeZone = .current,
                                     chunkRecords: Int = JournalImport.chunkRecords,
                                     unmatchedCorrections: UnmatchedCorrections = .refuse,
                                     progress: ((ImportProgress) -> Void)? = nil) throws(JournalError) -> ImportProgress {
        guard journal.mode == .readWrite else { throw .readOnly }
        let chunkRecords = max(1, chunkRecords)
        // Records are parsed, encoded and checked here as they are read (each batch in parts on
        // both cores, see ImportItems), then sealed here ahead of their commit (see below).
        var pending: [SealInput] = []
        pending.reserveCapacity(min(chunkRecords, JournalImport.chunkRecords))
        var pendingBytes = 0
        var committed = 0
        var bytesRead = 0
        var first: UInt64?
        var last: UInt64?
        // On two cores a chunk is committed (folded, signed, written and fsynced) on a second
        // thread while the next one is parsed and sealed; at most one commit is outstanding, so
        // memory holds two chunks' records and frames (plus, for a moment, the next chunk's frames).
        // (Not under the test-only deterministic randomness, a task-local the thread would not see.)
        let committer = Cores.areSeveral && DeterministicRandomness.generator == nil
            ? ChunkCommitter(journal: journal) : nil
        defer { committer?.stop() }
        /// Where each committed chunk starts: its first record's position in the import and
        /// sequence number in the journal (a chunk's records get consecutive numbers).
        var chunkStarts: [(position: Int, sequence: UInt64)] = []
        /// Corrections kept as what they correct to: in the pending chunk, the outstanding one, committed.
        var pendingKept = 0, outstandingKept = 0, committedKept = 0
        /// What was committed so far, read up to `readTo`.
        func imported(readTo: Int) -> ImportProgress {
            ImportProgress(records: committed, bytesRead: readTo, sequences: first.flatMap { f in last.map { f...$0 } },
                           correctionsKept: committedKept)
        }
        /// Accounts for a committed chunk of `count` records read up to `readTo`, `kept` of them
        /// corrections kept as what they correct to.
        func committedChunk(_ receipt: AppendReceipt, count: Int, readTo: Int, kept: Int) {
            chunkStarts.append((committed, receipt.sequences.lowerBound))
            first = first ?? receipt.sequences.lowerBound
            last = receipt.sequences.upperBound
            committed += count
            committedKept += kept
            progress?(imported(readTo: readTo))
        }
        /// Waits for the outstanding commit, if any; its error ends the import.
        func settle() throws(JournalError) {
            guard let done = committer?.awaitOutstanding() else { return }
            committedChunk(try done.receipt.get(), count: done.count, readTo: done.readTo, kept: outstandingKept)
        }
        /// Reports the outstanding commit (or throws its error) as soon as it has ended: checked
        /// after every record and before every read of the input, so a slow input never holds
        /// back what is already on disk for longer than one read.
        func poll() throws(JournalError) {
            guard let done = committer?.pollOutstanding() else { return }
            committedChunk(try done.receipt.get(), count: done.count, readTo: done.readTo, kept: outstandingKept)
        }
        var polledError: JournalError?
        let polledInput = committer == nil ? input : ImportInput { () throws -> [UInt8] in
            do throws(JournalError) { try poll() } catch {
                polledError = error
                throw ImportInput.PassedOn(error: error)
            }
            do throws(JournalError) { return try input.read() } catch { throw ImportInput.PassedOn(error: error) }
        }
        /// The pending chunk's corrections: where each is in `pending`, and the position in the
        /// import of the record it corrects (``ImportedItem/amendedPosition``).
        var corrections: [(index: Int, item: ImportedItem)] = []
        /// Points the pending chunk's corrections at their records' numbers, once every chunk
        /// before it is committed: exactly for a record in those chunks (as their receipts say),
        /// and for one in this chunk from the number its first record will get, which the commit
        /// then requires (`expectedFirst`; another writer's append in between refuses it).
        func pointCorrections(next: UInt64) throws(JournalError) -> Bool {
            guard !corrections.isEmpty else { return false }
            var inThisChunk = false
            for (index, item) in corrections {
                let position = item.amendedPosition!
                let target: UInt64
                if position >= committed {
                    target = next + UInt64(position - committed)
                    inThisChunk = true
                } else {
                    // The last chunk starting at or before `position` (chunkStarts is in position order).
                    var low = 0, high = chunkStarts.count
                    while low < high {
                        let middle = (low + high) / 2
                        if chunkStarts[middle].position <= position { low = middle + 1 } else { high = middle }
                    }
                    let chunk = chunkStarts[low - 1]
                    target = chunk.sequence + UInt64(position - chunk.position)
                }
                pending[index] = try item.retargeted(to: target)
            }
            corrections.removeAll()
            return inThisChunk
        }
        // With the committing thread, each chunk is sealed here (in parts on both cores) while the
        // chunk before it is still being written and fsynced, with the numbers it will get if no
        // other writer appends in between; its commit requires them (and seals it again with the
        // right ones if another writer took them). The committing thread then only folds, signs,
        // writes and fsyncs. Not under the test-only deterministic randomness (no committer).
        let sealing = try committer == nil ? nil : JournalError.mapping {
            (cipher: try RecordCipher(masterKey: journal.masterKey, journalID: journal.journalID),
             sealers: Journal.sealers(masterKey: journal.masterKey, journalID: journal.journalID))
        }
        /// The number the record after the outstanding chunk gets if nobody else appends.
        var outstandingEnd: UInt64?
        func seal(_ inputs: [SealInput], from first: UInt64) throws(JournalError) -> [Journal.SealedFrame] {
            try JournalError.mapping { try Journal.sealFrames(inputs, firstSequence: first, cipher: sealing!.cipher, sealers: sealing!.sealers) }
        }
        func flush() throws(JournalError) {
            guard !pending.isEmpty else { return }
            if let committer {
                let predicted = outstandingEnd ?? journal.recordCount
                // Sealed ahead unless a correction is still to be pointed (it needs the chunk before committed).
                var sealed = corrections.isEmpty ? try seal(pending, from: predicted) : nil
                try settle()
                outstandingEnd = nil
                let first = journal.recordCount
                let correctsItself = try pointCorrections(next: first)
                if sealed == nil || first != predicted {
                    sealed = nil  // the frames sealed ahead go before the new ones are made
                    sealed = try seal(pending, from: first)
                }
                committer.submit(ChunkCommitter.Chunk(records: pending, readTo: bytesRead, expectedFirst: first, presealed: sealed,
                                                      renumberable: !correctsItself))
                outstandingEnd = first + UInt64(pending.count)
                outstandingKept = pendingKept
                pending = []
                pending.reserveCapacity(min(chunkRecords, JournalImport.chunkRecords))
            } else {
                // One reading of the next number, for the corrections and for the commit that must give it.
                let next = journal.recordCount
                let correctsItself = try pointCorrections(next: next)
                committedChunk(try journal.appendSealed(pending, onOneThread: false, expectedFirst: correctsItself ? next : nil),
                               count: pending.count, readTo: bytesRead, kept: pendingKept)
                pending.removeAll(keepingCapacity: true)
            }
            pendingBytes = 0
            pendingKept = 0
        }
        do throws(JournalError) {
            try forEachRecord(polledInput, format: format, timeZone: timeZone, unmatchedCorrections: unmatchedCorrections) { (item: ImportedItem) throws(JournalError) in
                if item.amendedPosition != nil { corrections.append((pending.count, item)) }
                if item.correctionKept { pendingKept += 1 }
                bytesRead = item.consumed
                pending.append(item.input)
                pendingBytes += item.byteCount
                if pending.count >= chunkRecords || pendingBytes >= chunkPayloadBytes { try flush() } else { try poll() }
            }
            try flush()
        } catch {
            // A commit error seen while reading the input is that error, not "could not be read".
            if let polledError { throw polledError }
            // The chunks before the failure stay committed (and reported), as in order; a
            // failed commit of the chunk before is the earlier error, so it is the one thrown.
            try settle()
            throw error
        }
        try settle()
        return imported(readTo: bytesRead)
    }

    /// Calls `body` with every record of `input` (parsed, encoded and checked as an append
    /// would), in input order.
    ///
    /// An amendment on a line numbered by its export (NDJSON `sequence`) names the record it
    /// corrects by that export's number: it gets the position in this import of the record with
    /// that number in its own export (``SourceNumbering``, ``ImportedItem/amendedPosition``), and
    /// is refused when there is none (a filtered or salvaged export that left it out), or with
    /// ``UnmatchedCorrections/keep`` kept as what it corrects to, so the importer can point it at that
    /// record's new number. An amendment on a line without a number keeps its `amends` as
    /// a number of the journal imported into.
    ///
    /// Lines or entries are gathered in small batches (``ImportItems``) parsed in parts on
    /// several threads at once; `body` always runs on the caller's thread, in order, and an error
    /// comes after every record before it, exactly as when parsing one item at a time. A batch is
    /// handed on before each read of the input, so a slow input holds nothing back.
    static func forEachRecord(_ input: ImportInput, format: Format, timeZone: TimeZone,
                              unmatchedCorrections: UnmatchedCorrections = .refuse,
                              _ body: (ImportedItem) throws(JournalError) -> Void) throws(JournalError) {
        var items = ImportItems()
        var numbering = SourceNumbering()
        func numbered(_ item: ImportedItem) throws(JournalError) {
            var item = item
            if let target = item.input.amends, item.source != nil {
                if let position = numbering.position(of: target) {
                    item.amendedPosition = position
                } else if unmatchedCorrections == .keep {
                    item.input = try item.input.unmatchedCorrectionKept(exportNumber: target, place: "line \(item.number)")
                    item.correctionKept = true
                } else {
                    throw .invalidField(field: "line \(item.number)", reason: JournalImport.unmatchedCorrectionReason(target))
                }
            }
            numbering.note(item.source)
            try body(item)
        }
        let parse: @Sendable (UnsafeBufferPointer<UInt8>, Int) throws(JournalError) -> PendingRecord?
        switch format {
        case .ndjson:
            parse = { (line, lineNumber) throws(JournalError) in try ndjsonRecord(line, lineNumber: lineNumber) }
        case .jrnlJSON:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let fixed = calendar
            parse = { (bytes, entryNumber) throws(JournalError) in
                // Plain entries are read by hand (ImportFastPath); anything else by JSONSerialization, as before.
                guard let entry = ImportFastPath.jrnlEntry(UnsafeRawBufferPointer(bytes))
                        ?? (try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]).map(JrnlFields.init) else {
                    throw .invalidField(field: "entry \(entryNumber)", reason: "is not a JSON object")
                }
                return try jrnlRecord(entry, entryNumber: entryNumber, calendar: fixed)
            }
        }
        func deliver() throws(JournalError) { try items.parse(with: parse, numbered) }
        do throws(JournalError) {
            switch format {
            case .ndjson:
                var lineNumber = 0
                try NDJSONLines.forEach(input, atChunkEnd: deliver) { (line: ArraySlice<UInt8>, consumed: Int) throws(JournalError) in
                    lineNumber += 1
                    items.add(line, number: lineNumber, consumed: consumed)
                    if items.isFull { try deliver() }
                }
            case .jrnlJSON:
                var entryNumber = 0
                var scanner = JrnlEntryScanner()
                try scanner.forEachEntry(input, atChunkEnd: deliver) { (entryBytes: ArraySlice<UInt8>, consumed: Int) throws(JournalError) in
                    entryNumber += 1
                    items.add(entryBytes, number: entryNumber, consumed: consumed)
                    if items.isFull { try deliver() }
                }
            }
        } catch {
            // Items gathered before a failure of the input or its structure come first, as in
            // order (an error of one of them is the earlier error, so it is the one thrown).
            try deliver()
            throw error
        }
        try deliver()
    }
}

/// A batch of an import's lines or entries, copied out of the input (at most
/// ``maximumCount`` items or about ``maximumBytes`` bytes, or one larger item alone), parsed in
/// parts on several threads at once on a machine with more than one core.
struct ImportItems {
    static let maximumCount = 256
    static let maximumBytes = 1 << 20
    /// Below this many items a batch is parsed on the caller's thread alone.
    static let parallelMinimum = 16
    /// Parts of a batch parsed at once (no state of their own).
    private static let parts = SplitWork<Void>(minimumPartCount: 8) {}

    /// Where an item ends in the batch's bytes, its line or entry number, the input consumed up to its end.
    private typealias Item = (end: Int, number: Int, consumed: Int)

    private var bytes: [UInt8] = []
    private var items: [Item] = []

    var isFull: Bool { items.count >= Self.maximumCount || bytes.count >= Self.maximumBytes }

    mutating func add(_ item: ArraySlice<UInt8>, number: Int, consumed: Int) {
        bytes.append(contentsOf: item)
        items.append((bytes.count, number, consumed))
    }

    /// Parses items `range` into their slots, stopping at the first failure (what follows it is
    /// never delivered).
    private static func parseRange(_ range: Range<Int>, of all: UnsafeBufferPointer<UInt8>, _ items: UnsafeBufferPointer<Item>,
                              into slots: UnsafeMutableBufferPointer<Parsed?>,
                              with parse: (UnsafeBufferPointer<UInt8>, Int) throws(JournalError) -> PendingRecord?) {
        for index in range {
            do throws(JournalError) {
                if let record = try parse(UnsafeBufferPointer(rebasing: all[start(of: index, in: items)..<items[index].end]), items[index].number) {
                    slots[index] = .record(try record.sealInput(), source: record.sourceSequence)
                } else {
                    slots[index] = .skipped
                }
            } catch {
                slots[index] = .failed(error)
                return
            }
        }
    }

    /// Where item `index` starts in the batch's bytes (where the one before it ends).
    private static func start<Items: RandomAccessCollection<Item>>(of index: Int, in items: Items) -> Int where Items.Index == Int {
        index == 0 ? 0 : items[index - 1].end
    }

    private enum Parsed {
        case record(SealInput, source: UInt64?)
        case skipped
        case failed(JournalError)
    }

    /// Parses every item with `parse` (its bytes and its line or entry number) and encodes it as
    /// an append would, then calls `body` with each record in order, on this thread; throws the
    /// first failing item's error after every record before it. Empties the batch (also when it throws).
    mutating func parse(with parse: @escaping @Sendable (UnsafeBufferPointer<UInt8>, Int) throws(JournalError) -> PendingRecord?,
                        _ body: (ImportedItem) throws(JournalError) -> Void) throws(JournalError) {
        guard !items.isEmpty else { return }
        defer {
            // A batch that held one huge item gives its memory back.
            bytes.removeAll(keepingCapacity: bytes.capacity <= 2 * Self.maximumBytes)
            items.removeAll(keepingCapacity: true)
        }
        var results = [Parsed?](repeating: nil, count: items.count)
        bytes.withUnsafeBufferPointer { all in
            items.withUnsafeBufferPointer { items in
                results.withUnsafeMutableBufferPointer { slots in
                    guard items.count >= Self.parallelMinimum else {
                        return Self.parseRange(0..<items.count, of: all, items, into: slots, with: parse)
                    }
                    // In parts on both cores (see SplitWork): each part writes only its own slots.
                    Self.parts.run(count: items.count, { range, _ in
                        Self.parseRange(range, of: all, items, into: slots, with: parse)
                    }, failed: { range, error in  // (a part needs no state: none fails to be made)
                        slots[range.lowerBound] = .failed(.invalidField(field: "input", reason: "could not be parsed (\(error))"))
                    })
                }
            }
        }
        for (index, result) in results.enumerated() {
            switch result {
            case let .record(input, source)?:
                try body(ImportedItem(input: input, source: source, number: items[index].number, consumed: items[index].consumed,
                                      byteCount: items[index].end - Self.start(of: index, in: items)))
            case .skipped?: continue
            case let .failed(error)?: throw error
            case nil: preconditionFailure("an import item after a failure was delivered")  // unreachable: the failure throws first
            }
        }
    }
}

/// Commits import chunks on a thread of its own, one at a time, while the importing thread
/// parses the next chunk. The caller's closures (input, progress) stay on the importing thread;
/// only the commit (writing frames the importing thread sealed ahead, or sealing them here when
/// their numbers were taken, as ``Journal/appendBatch(_:)`` does) runs here. The thread is joined by ``stop()``.
final class ChunkCommitter: Sendable {
    struct Done: Sendable {
        let receipt: Result<AppendReceipt, JournalError>
        let count: Int
        let readTo: Int
    }

    /// A chunk to commit: its records, how far the input was read, the number its first record
    /// must get (and its frames sealed ahead with those numbers), and whether it may be sealed
    /// again with other numbers when another writer took them (not when a correction in it
    /// points at a record in it).
    struct Chunk: Sendable {
        let records: [SealInput]
        let readTo: Int
        let expectedFirst: UInt64?
        var presealed: [Journal.SealedFrame]?
        let renumberable: Bool
    }

    private let work = BoundedChannel<Chunk>(capacity: 1)
    private let results = BoundedChannel<Done>(capacity: 1)
    /// Whether a submitted chunk's result has not been collected yet (importing thread only).
    private let outstanding = Locked(false)
    /// Unchecked: only the importing thread joins it (in stop()).
    private let thread: UncheckedSendable<JoinedThread>

    init(journal: Journal) {
        let work = self.work, results = self.results
        thread = UncheckedSendable(JoinedThread {
            while var chunk = work.take() {
                let receipt: Result<AppendReceipt, JournalError>
                do throws(JournalError) {
                    do throws(JournalError) {
                        receipt = .success(try journal.appendSealed(chunk.records, onOneThread: false, expectedFirst: chunk.expectedFirst, presealed: chunk.presealed))
                    } catch where chunk.renumberable && Journal.isNumberTaken(error) {
                        // Another writer appended since the chunk was sealed: seal it again with the numbers it gets.
                        chunk.presealed = nil
                        receipt = .success(try journal.appendSealed(chunk.records, onOneThread: false))
                    }
                } catch { receipt = .failure(error) }
                guard results.put(Done(receipt: receipt, count: chunk.records.count, readTo: chunk.readTo)) else { return }
            }
        })
    }

    /// Hands a chunk over (the previous one's result must have been collected).
    func submit(_ chunk: Chunk) {
        outstanding.withLock { $0 = true }
        _ = work.put(chunk)
    }

    /// The outstanding chunk's result, waiting for it; `nil` when none is outstanding.
    func awaitOutstanding() -> Done? {
        guard outstanding.withLock({ $0 }) else { return nil }
        outstanding.withLock { $0 = false }
        return results.take()
    }

    /// The outstanding chunk's result if its commit has ended, without waiting.
    func pollOutstanding() -> Done? {
        guard outstanding.withLock({ $0 }), let done = results.tryTake() else { return nil }
        outstanding.withLock { $0 = false }
        return done
    }

    /// Lets the thread finish (after the commit in progress, if any) and joins it.
    func stop() {
        work.finish()
        results.abandon()
        thread.value.join()
    }
}

/// Splits a byte stream into lines (LF), holding at most one line plus one read chunk.
enum NDJSONLines {
    /// Calls `body` with each line and the bytes consumed up to its end, and `atChunkEnd` after
    /// the lines of each read (before the next read).
    static func forEach(_ input: ImportInput, atChunkEnd: () throws(JournalError) -> Void = {},
                        _ body: (ArraySlice<UInt8>, Int) throws(JournalError) -> Void) throws(JournalError) {
        var carry: [UInt8] = []
        var consumed = 0
        var lineNumber = 0
        while true {
            let chunk = try input.read()
            if chunk.isEmpty { break }
            var start = 0
            // memchr finds each line end (a byte-by-byte search was a visible cost on 1 KiB lines).
            func nextNewline(from start: Int) -> Int? {
                chunk.withUnsafeBytes { raw -> Int? in
                    guard start < raw.count, let found = memchr(raw.baseAddress! + start, 0x0A, raw.count - start) else { return nil }
                    return UnsafeRawPointer(found) - raw.baseAddress!
                }
            }
            while let newline = nextNewline(from: start) {
                lineNumber += 1
                consumed += newline - start + 1
                if carry.isEmpty {
                    try body(chunk[start..<newline], consumed)
                } else {
                    carry += chunk[start..<newline]
                    try body(carry[...], consumed)
                    carry.removeAll(keepingCapacity: false)
                }
                start = newline + 1
            }
            carry += chunk[start...]
            consumed += chunk.count - start
            try atChunkEnd()
            if carry.count > JournalImport.maximumItemBytes {
                throw .invalidField(field: "line \(lineNumber + 1)", reason: "is longer than \(JournalImport.maximumItemBytes >> 20) MiB")
            }
        }
        if !carry.isEmpty { try body(carry[...], consumed) }
    }
}

/// Finds the objects of the `entries` array of a jrnl JSON export (`{"tags": ..., "entries":
/// [{...}, ...]}`) in a byte stream, tracking only strings and nesting, so each entry is parsed on
/// its own and memory holds one entry plus one read chunk. Each entry is then parsed in full by
/// `JSONSerialization`; bytes outside entries are checked for balanced nesting and strings only.
struct JrnlEntryScanner {
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var sawRoot = false
    private var rootClosed = false
    /// The bytes of the last string that ended at depth 1 (a key of the root object).
    private var lastKey: [UInt8] = []
    private var capturingKey = false
    private var inEntries = false
    private var sawEntries = false
    private var entry: [UInt8] = []
    private var capturing = false
    private var entries = 0

    private static let entriesKey = Array("entries".utf8)

    private func notJrnl(_ reason: String = "is not a jrnl JSON export (no \"entries\" array)") -> JournalError {
        .invalidField(field: "input", reason: reason)
    }

    /// Calls `body` with each entry's bytes and the bytes consumed up to its end, and
    /// `atChunkEnd` after the entries of each read (before the next read).
    mutating func forEachEntry(_ input: ImportInput, atChunkEnd: () throws(JournalError) -> Void = {},
                               _ body: (ArraySlice<UInt8>, Int) throws(JournalError) -> Void) throws(JournalError) {
        var consumed = 0
        while true {
            let chunk = try input.read()
            if chunk.isEmpty { break }
            var captureStart = capturing ? 0 : -1
            var next = chunk.startIndex
            while next < chunk.endIndex {
                let index = next
                next += 1
                let byte = chunk[index]
                if inString {
                    // Inside a string (not a key being captured), plain bytes change nothing: jump them.
                    if !escaped && !capturingKey && byte != 0x22 && byte != 0x5C {
                        next = chunk.withUnsafeBytes { JSONPlainRun.skipToQuoteOrBackslash($0.baseAddress!, from: index + 1, to: $0.count) }
                        continue
                    }
                    if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 {
                        inString = false
                        if capturingKey { capturingKey = false }
                    } else if capturingKey { lastKey.append(byte) }
                    continue
                }
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D:
                    continue
                case 0x22:
                    if rootClosed { throw notJrnl("has bytes after the end of the JSON document") }
                    guard sawRoot else { throw notJrnl() }
                    inString = true
                    if depth == 1 { capturingKey = true; lastKey.removeAll(keepingCapacity: true) }
                case 0x7B, 0x5B:  // { [
                    if rootClosed { throw notJrnl("has bytes after the end of the JSON document") }
                    if !sawRoot {
                        guard byte == 0x7B else { throw notJrnl() }
                        sawRoot = true
                    } else if depth == 1 && byte == 0x5B && lastKey == Self.entriesKey && !sawEntries {
                        inEntries = true
                        sawEntries = true
                    } else if inEntries && depth == 2 {
                        guard byte == 0x7B else { throw .invalidField(field: "entry \(entries + 1)", reason: "is not a JSON object") }
                        capturing = true
                        captureStart = index
                    }
                    depth += 1
                case 0x7D, 0x5D:  // } ]
                    guard depth > 0 else { throw notJrnl() }
                    depth -= 1
                    if capturing && depth == 2 {
                        capturing = false
                        entries += 1
                        if entry.isEmpty {
                            // The whole entry is in this chunk: handed on in place.
                            try body(chunk[captureStart...index], consumed + index + 1)
                        } else {
                            entry += chunk[captureStart...index]
                            try body(entry[...], consumed + index + 1)
                            entry.removeAll(keepingCapacity: true)
                        }
                        captureStart = -1
                    } else if inEntries && depth == 1 {
                        inEntries = false
                    }
                    if depth == 0 { rootClosed = true }
                default:
                    if rootClosed { throw notJrnl("has bytes after the end of the JSON document") }
                    guard sawRoot else { throw notJrnl() }
                    if inEntries && depth == 2 && byte != 0x2C {
                        throw .invalidField(field: "entry \(entries + 1)", reason: "is not a JSON object")
                    }
                }
            }
            if capturing {
                entry += chunk[max(0, captureStart)...]
                if entry.count > JournalImport.maximumItemBytes {
                    throw .invalidField(field: "entry \(entries + 1)", reason: "is longer than \(JournalImport.maximumItemBytes >> 20) MiB")
                }
            }
            consumed += chunk.count
            try atChunkEnd()
        }
        guard sawEntries else { throw notJrnl() }
        guard rootClosed, !inString else { throw notJrnl("is not complete JSON (cut short?)") }
    }
}

extension ImportInput.PassedOn: JournalErrorConvertible {
    var journalError: JournalError { error }
}
