import Foundation

/// One thing `verify` found wrong.
public struct VerificationProblem: Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the file, when the problem has a place.
    public let offset: UInt64?
    /// Record sequence number, when the problem is in a record.
    public let sequence: UInt64?
    /// What is wrong (never content).
    public let message: String

    /// `MESSAGE (record #N, byte OFFSET)`, with the parts that are known (never content).
    public var description: String {
        var place: [String] = []
        if let sequence { place.append("record #\(sequence)") }
        if let offset { place.append("byte \(offset)") }
        return place.isEmpty ? message : "\(message) (\(place.joined(separator: ", ")))"
    }
}

/// What `verify` checked and what it found.
public struct VerificationReport: Sendable, CustomStringConvertible {
    /// Header copies that are intact (0 to 2).
    public internal(set) var intactHeaderCopies = 0
    /// Record frames hashed into the Merkle tree.
    public internal(set) var recordCount: UInt64 = 0
    /// Checkpoints whose signature, position and root were checked.
    public internal(set) var checkpointCount = 0
    /// Records decrypted and authenticated (only when verifying with a key).
    public internal(set) var recordsOpened: UInt64?
    /// The newest intact checkpoint seen.
    public internal(set) var latestCheckpoint: Checkpoint?
    /// Whether a held checkpoint was compared (and found consistent, if `isValid`).
    public internal(set) var checkedHeldCheckpoint = false
    /// Whether a pinned fingerprint was compared (and matched, if `isValid`).
    public internal(set) var checkedFingerprint = false
    /// The journal's fingerprint.
    public internal(set) var fingerprint: Fingerprint?
    /// Fingerprints this journal was re-keyed from, oldest first (each vouched for its successor).
    public internal(set) var predecessorFingerprints: [Fingerprint] = []
    /// Bytes of the file examined.
    public internal(set) var bytesChecked: UInt64 = 0
    /// Whether the walk over the frames found them intact (false when it stopped at damage).
    public internal(set) var framesIntact = true
    /// Things that are not wrong but worth knowing (an interrupted key change, a rekey followed).
    public internal(set) var notes: [String] = []
    /// Problems, the first one first. Checking stops at the first damaged frame.
    public internal(set) var problems: [VerificationProblem] = []
    /// A checkpoint text checked on a second core failed (the walk is then redone in order).
    var deferredCheckFailed = false

    /// `true` when every check passed.
    public var isValid: Bool { problems.isEmpty }

    /// One plain sentence for a person: what the result means.
    public var summary: String {
        guard let first = problems.first else {
            var text = "Verified: \(recordCount) record\(recordCount == 1 ? "" : "s"); nothing was altered, reordered or spliced in"
            if checkedHeldCheckpoint { text += ", and nothing was removed since the checkpoint you hold" }
            return text + "."
        }
        return "NOT verified: " + first.description + "."
    }

    /// The checks that passed, one fact per line (a failed or skipped check is never listed).
    public var checks: [String] {
        var lines: [String] = []
        if checkedFingerprint, !problems.contains(where: { $0.message.hasPrefix("the journal's fingerprint") }) {
            lines.append("fingerprint: matches the pinned value" + (predecessorFingerprints.isEmpty ? "" : " (through a signed rekey)"))
        }
        // Only when both hold: with one damaged, the problem names it and no "ok" line implies all is well.
        if intactHeaderCopies == 2 { lines.append("header: 2 of 2 copies intact (signature over every byte)") }
        if checkpointCount > 0, framesIntact, !problems.contains(where: { $0.message.contains("not covered by a checkpoint") }) {
            lines.append("records: \(recordCount) frames hashed into the RFC 6962 tree")
            lines.append("checkpoints: \(checkpointCount) signatures, positions and roots checked")
        }
        if let recordsOpened, recordsOpened > 0 { lines.append("records opened with the key: \(recordsOpened)") }
        if checkedHeldCheckpoint && isValid { lines.append("held checkpoint: the journal still contains that history") }
        return lines
    }

    /// The passed checks, notes, problems and the summary, one per line.
    public var description: String {
        (checks + notes.map { "note: \($0)" } + problems.map { "PROBLEM: \($0)" } + [summary]).joined(separator: "\n")
    }

    mutating func fail(_ message: String, offset: UInt64? = nil, sequence: UInt64? = nil) {
        problems.append(VerificationProblem(offset: offset, sequence: sequence, message: message))
    }
}

/// Options for verification.
public struct VerificationOptions: Sendable {
    /// A checkpoint text held from earlier (it may sit inside an email; see FORMAT.md 5.4): the
    /// journal must still contain that exact history.
    public var heldCheckpoint: String?
    /// The fingerprint the journal must have, or have been re-keyed from (shared by its owner out of band).
    public var fingerprint: Fingerprint?

    /// Options for ``Journal/verify(at:options:progress:)``: both checks are skipped when `nil`.
    public init(heldCheckpoint: String? = nil, fingerprint: Fingerprint? = nil) {
        self.heldCheckpoint = heldCheckpoint
        self.fingerprint = fingerprint
    }
}

extension Journal {
    /// Verifies a journal without any key: a pinned fingerprint first, then both header copies,
    /// the lineage of a re-keyed journal, every frame, the Merkle tree, every checkpoint signature
    /// and the header the last checkpoint binds; optionally a held checkpoint (which detects
    /// truncation and rollback).
    ///
    /// Cost: one sequential read of the file and one SHA-256 per frame; one Ed25519 verify per
    /// checkpoint. On two cores the frames are hashed in two halves of each batch (1 MiB at
    /// most in memory) and the checkpoint signatures checked on the second core while the walk
    /// goes on (a failure there makes the walk run again in order, so the report is the same
    /// either way). Never throws: what cannot be read is a problem in the report.
    /// `progress` is called with (bytes checked, file size) about every MiB.
    public static func verify(at path: String, options: VerificationOptions = .init(),
                              progress: ((UInt64, UInt64) -> Void)? = nil) -> VerificationReport {
        Verifier.run(path: path, options: options, cipher: nil, progress: progress)
    }

    /// Verifies as ``verify(at:options:progress:)`` does, and also decrypts and authenticates
    /// every record with this journal's key.
    public func verify(options: VerificationOptions = .init(), progress: ((UInt64, UInt64) -> Void)? = nil) -> VerificationReport {
        let cipher = try? RecordCipher(masterKey: masterKey, journalID: journalID)
        // The walk opens the records of each batch in two halves at once, the second with a cipher of its own.
        let second = Cores.areSeveral ? try? RecordCipher(masterKey: masterKey, journalID: journalID) : nil
        var report = Verifier.run(path: path, options: options, cipher: cipher, secondCipher: second, progress: progress)
        if cipher == nil { report.fail("could not allocate guarded memory to open records") }
        return report
    }
}

/// The verification walk, one function per check.
struct Verifier {
    var report = VerificationReport()
    let options: VerificationOptions
    let cipher: RecordCipher?
    /// Opens the second half of each batch's records on another thread (with a key, on two cores).
    var secondCipher: RecordCipher?
    let progress: ((UInt64, UInt64) -> Void)?
    let file: AppendOnlyFile
    let size: UInt64
    let headerState: HeaderState
    var header: FileHeader { headerState.header }
    var lineage = LineageChain(statements: [])
    var held: Checkpoint?
    /// A held checkpoint of a predecessor journal, with the statement that hands it over.
    var heldPredecessor: (checkpoint: Checkpoint, statement: LineageStatement, isLast: Bool)?

    /// Checkpoint texts (parse and Ed25519 signature) are checked on a second core while the
    /// walk hashes on, when there is one; see ``DeferredCheckpointChecks``.
    var deferred: DeferredCheckpointChecks?
    /// On two cores, record frames are read in batches whose leaf hashes (and, with a key,
    /// openings) are computed in two halves at once; see ``nextBatchedItem(_:_:state:)``.
    var batched = false

    static func run(path: String, options: VerificationOptions, cipher: RecordCipher?, secondCipher: RecordCipher? = nil,
                    progress: ((UInt64, UInt64) -> Void)?) -> VerificationReport {
        let parallel = Cores.areSeveral
        var reported: UInt64 = 0
        let first = run(path: path, options: options, cipher: cipher, secondCipher: secondCipher, progress: progress.map { progress in
            { checked, size in
                reported = max(reported, checked)
                progress(checked, size)
            }
        }, deferSignatures: parallel)
        guard parallel, first.deferredCheckFailed else { return first }
        // A checkpoint text failed on the second core: walk again in order, so the report names
        // the first failure and stops there exactly as a sequential walk does. Progress goes on
        // from where the first walk got (never backwards), and ends with the usual last call.
        return run(path: path, options: options, cipher: cipher, progress: progress.map { progress in
            { checked, size in
                if checked > reported || checked == size { progress(checked, size) }
            }
        }, deferSignatures: false, finalProgress: progress)
    }

    /// One walk; `deferSignatures` uses the second core (checkpoint texts checked there, record
    /// frames hashed and opened in two halves of each batch); tests compare both ways.
    static func run(path: String, options: VerificationOptions, cipher: RecordCipher?, secondCipher: RecordCipher? = nil,
                    progress: ((UInt64, UInt64) -> Void)?, deferSignatures: Bool,
                    finalProgress: ((UInt64, UInt64) -> Void)? = nil) -> VerificationReport {
        var report = VerificationReport()
        if (try? Sodium.ensureInitialized()) == nil {
            report.fail("libsodium is unavailable")
            return report
        }
        let file: AppendOnlyFile, size: UInt64, headerState: HeaderState
        do {
            file = try AppendOnlyFile.open(path: path, writable: false)
            size = try file.size()
            headerState = try HeaderStore.read(file: file, fileSize: size)
        } catch {
            report.fail("this is not a readable journal: \(error)")
            return report
        }
        var verifier = Verifier(report: report, options: options, cipher: cipher, progress: progress,
                                file: file, size: size, headerState: headerState)
        verifier.report.fingerprint = Fingerprint.of(publicKey: headerState.header.publicKey)
        verifier.readLineage()
        guard verifier.checkFingerprint() else { return verifier.report }
        verifier.checkHeaderCopies()
        verifier.readHeldCheckpoint()
        if deferSignatures {
            verifier.deferred = DeferredCheckpointChecks(publicKey: headerState.header.publicKey, journalID: headerState.header.journalID)
            verifier.batched = true
            verifier.secondCipher = secondCipher
        }
        let walk = verifier.walkFrames()
        if let deferred = verifier.deferred {
            let outcome = deferred.finish()
            guard !outcome.failed else {
                verifier.report.deferredCheckFailed = true
                return verifier.report
            }
            verifier.report.latestCheckpoint = outcome.latest
        }
        verifier.report.framesIntact = !walk.stoppedAtDamage
        verifier.checkHeaderBinding()
        verifier.checkHeldCheckpoint(walk)
        (finalProgress ?? progress)?(verifier.report.bytesChecked, size)
        return verifier.report
    }

    /// The lineage statements of a re-keyed journal (problems are reported by the frame walk).
    mutating func readLineage() {
        lineage = (try? LineageChain.read(file: file, header: header)) ?? LineageChain(statements: [])
        report.predecessorFingerprints = lineage.statements.map { Fingerprint.of(publicKey: $0.predecessorPublicKey) }
    }

    /// Identity first: a journal that is not the pinned one is reported before anything else.
    mutating func checkFingerprint() -> Bool {
        guard let pinned = options.fingerprint else { return true }
        report.checkedFingerprint = true
        let current = Fingerprint.of(publicKey: header.publicKey)
        if pinned == current {
            report.predecessorFingerprints = []
            return true
        }
        if let index = lineage.statements.firstIndex(where: { pinned == Fingerprint.of(publicKey: $0.predecessorPublicKey) }) {
            let hops = lineage.statements[index...].map { Fingerprint.of(publicKey: $0.successorPublicKey) }
            report.predecessorFingerprints = Array(report.predecessorFingerprints[index...])
            report.notes.append("re-keyed: the pinned key \(pinned) signed a statement handing the journal over to \(hops.map(\.description).joined(separator: " -> ")). "
                                + "A retired key may be the one that leaked, and whoever holds it could sign such a statement for another file: "
                                + "confirm \(current) with the journal's owner before you pin it")
            return true
        }
        report.fail("the journal's fingerprint is \(current), not the pinned \(pinned): this is a different journal (or it was replaced)")
        return false
    }

    mutating func checkHeaderCopies() {
        for (index, problem) in headerState.copyProblems.enumerated() {
            if let problem {
                report.fail("header copy \(index + 1) is damaged: \(problem)", offset: UInt64(index * FileHeader.copyByteCount))
            } else {
                report.intactHeaderCopies += 1
            }
        }
        if headerState.copiesConflict {
            report.fail("the two header copies have the same sequence number but differ", offset: 0)
        } else if report.intactHeaderCopies == 2, headerState.copySequences[0] != headerState.copySequences[1] {
            report.notes.append("the header copies have different sequence numbers (an interrupted key change); opening for writing repairs it")
        }
    }

    /// Reads a held checkpoint the way people send it, and tells garbled, foreign and forged apart.
    mutating func readHeldCheckpoint() {
        guard let text = options.heldCheckpoint else { return }
        let canonical: String
        do {
            canonical = try HeldCheckpointText.canonicalNote(in: text)
        } catch {
            report.fail("the checkpoint you hold cannot be read: \(error)")
            return
        }
        let origin = String(canonical.prefix { $0 != "\n" })
        func describe(_ error: FormatError, whose: String) -> String {
            if case .badSignature = error { return "the checkpoint you hold names \(whose) but is not signed by its key (forged or altered)" }
            return "the checkpoint you hold cannot be read (garbled: \(error))"
        }
        if origin == Checkpoint.origin(journalID: header.journalID) {
            do { held = try Checkpoint.parse(canonical, publicKey: header.publicKey, held: true) } catch {
                report.fail(describe(error, whose: "this journal"))
            }
        } else if let (statement, isLast) = lineage.statement(forPredecessorOrigin: origin) {
            do {
                heldPredecessor = (try Checkpoint.parse(canonical, publicKey: statement.predecessorPublicKey, held: true), statement, isLast)
            } catch {
                report.fail(describe(error, whose: "this journal's predecessor"))
            }
        } else {
            report.fail("the checkpoint you hold is for another journal (\(origin.prefix(80)))")
        }
    }

    /// What the frame walk established.
    struct Walk {
        var range = CompactRange()
        var committedSize: UInt64 = 0
        var heldRoot: [UInt8]?
        var carriedRoot: [UInt8]?
        /// The walk stopped at a problem in the frames themselves (not a missing record).
        var stoppedAtDamage = false
    }

    /// Walks every frame once, in order: records are hashed into the tree (and opened, with a
    /// key), lineage statements counted, checkpoints checked against the tree and their
    /// signatures; the first damage stops the walk (see ``Walk/stoppedAtDamage``). One function
    /// per kind of frame below.
    mutating func walkFrames() -> Walk {
        var state = WalkState()
        if let held, held.treeSize == 0 { state.walk.heldRoot = CompactRange().root }
        if let carried = lineage.statements.last, carried.carriedCount == 0 { state.walk.carriedRoot = CompactRange().root }
        var reader = FrameReader(file: file, to: size)
        var batch = WalkBatch()
        do throws(WalkStop) {
            while let item = try nextBatchedItem(&reader, &batch, state: state) {
                switch item {
                case let .record(offset, endOffset, leafHash, openFailure):
                    noteProgress(endOffset, state: &state)
                    try checkRecord(offset: offset, leafHash: leafHash, openFailure: openFailure, state: &state)
                case let .other(frame):
                    noteProgress(frame.endOffset, state: &state)
                    switch frame.kind {
                    case .lineage: try checkLineage(frame, state: &state)
                    case .record, .extensionFrame:
                        guard state.sawCreation else { throw WalkStop("the journal does not start with its creation checkpoint", offset: frame.offset) }
                    case .checkpoint: try checkCheckpoint(frame, state: &state)
                    }
                }
            }
        } catch {
            if !error.alreadyReported { report.fail(error.message, offset: error.offset, sequence: error.sequence) }
            state.walk.stoppedAtDamage = true
            report.recordCount = state.walk.range.size
            return state.walk
        }
        return finishWalk(state)
    }

    /// What one pass over the frames has seen so far.
    struct WalkState {
        var walk = Walk()
        var previousCheckpointOffset: UInt64 = 0
        var previousBinding: UInt64 = 0
        var sawCreation = false
        var lineageIndex = 0
        var lastCheckpointEnd: UInt64 = 0
        var lastProgress: UInt64 = 0
        var opened: UInt64 = 0
    }

    /// Why the walk stops at a frame (reported once, as a problem).
    struct WalkStop: Error {
        let message: String, offset: UInt64?, sequence: UInt64?
        /// The problem was reported already (with a more specific message).
        var alreadyReported = false
        init(_ message: String, offset: UInt64?, sequence: UInt64? = nil) {
            self.message = message
            self.offset = offset
            self.sequence = sequence
        }
    }

    /// A record frame is hashed (and opened) in place; other frames are copied out.
    enum WalkItem {
        case record(offset: UInt64, endOffset: UInt64, leafHash: [UInt8], openFailure: (any Error)?)
        case other(StoredFrame)
    }

    /// The next frame, or `nil` at the end; a frame that cannot be read stops the walk.
    private func nextItem(_ reader: inout FrameReader, state: WalkState) throws(WalkStop) -> WalkItem? {
        do {
            let cipher = self.cipher, sequence = state.walk.range.size, sawCreation = state.sawCreation
            return try reader.withNextFrame({ view -> WalkItem in
                guard view.kind == .record else { return .other(StoredFrame(offset: view.offset, kind: view.kind, bytes: Array(view.bytes))) }
                var failure: (any Error)?
                if let cipher, sawCreation {
                    do { _ = try cipher.open(body: view.body, sequence: sequence) } catch { failure = error }
                }
                return .record(offset: view.offset, endOffset: view.endOffset, leafHash: MerkleTree.leafHash(view.bytes), openFailure: failure)
            })
        } catch FrameReadError.incomplete(let offset) {
            throw WalkStop("\(size - offset) bytes at the end do not form a complete frame (an interrupted write, or a cut)", offset: offset)
        } catch FrameReadError.malformed(let offset, let reason) {
            throw WalkStop("the frame here is damaged (\(reason))", offset: offset)
        } catch {
            throw WalkStop("read error: \(error)", offset: reader.offset)
        }
    }

    /// Frames read ahead by ``nextBatchedItem(_:_:state:)``: items handed out in order, then the
    /// stop (a damaged or cut frame) that ended the batch, if any.
    struct WalkBatch {
        var items: [WalkItem] = []
        var next = 0
        var stop: WalkStop?
        var ended = false
    }

    static let batchFrameCount = 256
    static let batchByteCount = 1 << 20

    /// The next frame, as ``nextItem(_:state:)`` gives it. Once the creation checkpoint was seen
    /// (and when ``batched``), frames are read a batch at a time (up to 256 frames or 1 MiB,
    /// copied out) and the records' leaf hashes and openings computed in two halves at once;
    /// the items then come out in order, and a frame that could not be read stops the walk
    /// exactly where it is, after the frames before it.
    private func nextBatchedItem(_ reader: inout FrameReader, _ batch: inout WalkBatch, state: WalkState) throws(WalkStop) -> WalkItem? {
        if batch.next < batch.items.count {
            defer { batch.next += 1 }
            return batch.items[batch.next]
        }
        if let stop = batch.stop { throw stop }
        if batch.ended { return nil }
        guard batched, state.sawCreation else { return try nextItem(&reader, state: state) }
        batch = readBatch(&reader, firstSequence: state.walk.range.size)
        return try nextBatchedItem(&reader, &batch, state: state)
    }

    private func readBatch(_ reader: inout FrameReader, firstSequence: UInt64) -> WalkBatch {
        var batch = WalkBatch()
        var frames: [StoredFrame] = []
        var bytes = 0
        while frames.count < Verifier.batchFrameCount && bytes < Verifier.batchByteCount {
            do {
                guard let frame = try reader.next() else {
                    batch.ended = true
                    break
                }
                frames.append(frame)
                bytes += frame.bytes.count
            } catch FrameReadError.incomplete(let offset) {
                batch.stop = WalkStop("\(size - offset) bytes at the end do not form a complete frame (an interrupted write, or a cut)", offset: offset)
                break
            } catch FrameReadError.malformed(let offset, let reason) {
                batch.stop = WalkStop("the frame here is damaged (\(reason))", offset: offset)
                break
            } catch {
                batch.stop = WalkStop("read error: \(error)", offset: reader.offset)
                break
            }
        }
        // Record i of the batch is sequence firstSequence + (records before it in the batch).
        var sequences = [UInt64](repeating: 0, count: frames.count)
        var sequence = firstSequence
        for (index, frame) in frames.enumerated() where frame.kind == .record {
            sequences[index] = sequence
            sequence += 1
        }
        var results = [(leafHash: [UInt8], failure: (any Error)?)?](repeating: nil, count: frames.count)
        let ciphers = cipher.map { first in [first, secondCipher ?? first] }
        let two = frames.count >= 8 && (cipher == nil || secondCipher != nil)
        let split = frames.count / 2
        results.withUnsafeMutableBufferPointer { slots in
            // Unchecked: half 0 uses only the first cipher and the slots below `split`, half 1 only
            // the second cipher and the slots from `split`; both end before this returns.
            let halves = UncheckedSendable((slots: slots, frames: frames, sequences: sequences, ciphers: ciphers))
            let count = frames.count
            DispatchQueue.concurrentPerform(iterations: two ? 2 : 1) { half in
                let shared = halves.value
                for index in two ? (half == 0 ? 0..<split : split..<count) : 0..<count where shared.frames[index].kind == .record {
                    let frame = shared.frames[index]
                    var failure: (any Error)?
                    if let ciphers = shared.ciphers {
                        // The body is opened in place in the frame's bytes (no copy).
                        do {
                            _ = try frame.bytes.withUnsafeBytes { raw in
                                try ciphers[half].open(body: UnsafeRawBufferPointer(rebasing: raw[Frame.prefixByteCount..<(raw.count - Frame.suffixByteCount)]),
                                                       sequence: shared.sequences[index])
                            }
                        } catch { failure = error }
                    }
                    shared.slots[index] = (MerkleTree.leafHash(frame.bytes), failure)
                }
            }
        }
        batch.items = frames.enumerated().map { index, frame in
            guard frame.kind == .record, let result = results[index] else { return .other(frame) }
            return .record(offset: frame.offset, endOffset: frame.endOffset, leafHash: result.leafHash, openFailure: result.failure)
        }
        return batch
    }

    /// Counts the bytes checked and reports progress every MiB.
    private mutating func noteProgress(_ endOffset: UInt64, state: inout WalkState) {
        report.bytesChecked = endOffset
        if let progress, endOffset - state.lastProgress >= 1 << 20 {
            state.lastProgress = endOffset
            progress(endOffset, size)
        }
    }

    /// A record: after the creation checkpoint, hashed into the tree; with a key, it must open.
    private mutating func checkRecord(offset: UInt64, leafHash: [UInt8], openFailure: (any Error)?, state: inout WalkState) throws(WalkStop) {
        guard state.sawCreation else { throw WalkStop("the journal does not start with its creation checkpoint", offset: offset) }
        let sequence = state.walk.range.size
        state.walk.range.append(leafHash: leafHash)
        if let held, state.walk.range.size == held.treeSize { state.walk.heldRoot = state.walk.range.root }
        if let carried = lineage.statements.last, state.walk.range.size == carried.carriedCount { state.walk.carriedRoot = state.walk.range.root }
        guard cipher != nil else { return }
        guard let openFailure else {
            state.opened += 1
            return
        }
        if case .unsupportedRecordVersion = JournalError.recordOpenFailure(openFailure, offset: offset, sequence: sequence) {
            report.notes.append("record #\(sequence) uses a record encoding this version does not read")
        } else {
            throw WalkStop("record #\(sequence) was altered: it does not open with the journal key", offset: offset, sequence: sequence)
        }
    }

    /// A lineage statement: only before the creation checkpoint, one per statement read.
    private func checkLineage(_ frame: StoredFrame, state: inout WalkState) throws(WalkStop) {
        guard !state.sawCreation, state.lineageIndex < lineage.statements.count else {
            throw WalkStop("a lineage statement is out of place or does not verify with the key it names", offset: frame.offset)
        }
        state.lineageIndex += 1
    }

    /// A checkpoint: at its own offset, linked to the previous one, over exactly the records
    /// before it, adding at least one (but the creation checkpoint), signed by the journal's key,
    /// binding a header no older than the one before.
    private mutating func checkCheckpoint(_ frame: StoredFrame, state: inout WalkState) throws(WalkStop) {
        if !state.sawCreation && state.lineageIndex < lineage.statements.count {
            throw WalkStop("a lineage statement does not verify with the key it names", offset: frame.offset)
        }
        let decoded: CheckpointFrame
        do {
            decoded = try CheckpointFrame.decode(body: frame.body)
            guard decoded.frameOffset == frame.offset else { throw FormatError.invalidField(what: "checkpoint position") }
            guard decoded.previousFrameOffset == state.previousCheckpointOffset else {
                throw FormatError.invalidField(what: "link to the previous checkpoint")
            }
        } catch {
            throw WalkStop("a checkpoint is damaged or forged: \(error)", offset: frame.offset)
        }
        guard decoded.treeSize == state.walk.range.size, decoded.compactRange == state.walk.range else {
            let first = state.walk.committedSize, last = state.walk.range.size
            if decoded.treeSize == last {
                let which = last - first == 1 ? "record #\(first) was altered" : "a record among #\(first)-#\(last - 1) (one commit) was altered"
                report.fail("\(which): it no longer hashes to the signed checkpoint that follows it", offset: frame.offset)
            } else if decoded.treeSize > last {
                report.fail("\(decoded.treeSize - last) record(s) were removed before the checkpoint here (it covers \(decoded.treeSize), the file has \(last))", offset: frame.offset)
            } else {
                report.fail("\(last - decoded.treeSize) record(s) were inserted before the checkpoint here (it covers \(decoded.treeSize), the file has \(last))", offset: frame.offset)
            }
            var stop = WalkStop("", offset: frame.offset)
            stop.alreadyReported = true
            throw stop
        }
        if let deferred {
            guard !state.sawCreation || decoded.treeSize > state.walk.committedSize else {
                throw WalkStop("a checkpoint is damaged or forged: \(FormatError.invalidField(what: "commit (a checkpoint that adds no record)"))", offset: frame.offset)
            }
            deferred.enqueue(decoded)
            state.sawCreation = true
            state.lastCheckpointEnd = frame.endOffset
            report.checkpointCount += 1
            state.previousCheckpointOffset = frame.offset
            state.walk.committedSize = state.walk.range.size
            return
        }
        do {
            guard !state.sawCreation || decoded.treeSize > state.walk.committedSize else {
                throw FormatError.invalidField(what: "commit (a checkpoint that adds no record)")
            }
            let checkpoint = try decoded.verifiedCheckpoint(publicKey: header.publicKey, journalID: header.journalID)
            if let binding = checkpoint.headerBinding {
                guard binding.sequence >= state.previousBinding else { throw FormatError.invalidField(what: "checkpoint header line (older than the one before)") }
                state.previousBinding = binding.sequence
            }
            state.sawCreation = true
            state.lastCheckpointEnd = frame.endOffset
            report.checkpointCount += 1
            report.latestCheckpoint = checkpoint
            state.previousCheckpointOffset = frame.offset
            state.walk.committedSize = state.walk.range.size
        } catch {
            throw WalkStop("a checkpoint is damaged or forged: \(error)", offset: frame.offset)
        }
    }

    /// After the last frame: nothing uncovered at the end, at least one checkpoint, and the
    /// records a rekey carried over exactly as its signed statement says.
    private mutating func finishWalk(_ state: WalkState) -> Walk {
        let walk = state.walk
        report.recordCount = walk.range.size
        if cipher != nil { report.recordsOpened = state.opened }
        if walk.range.size > walk.committedSize {
            report.fail("\(walk.range.size - walk.committedSize) record(s) at the end are not covered by a checkpoint (an interrupted write, or tampering)",
                        sequence: walk.committedSize)
        } else if state.lastCheckpointEnd > 0, size > state.lastCheckpointEnd {
            report.fail("\(size - state.lastCheckpointEnd) bytes after the last checkpoint are not covered by it (an interrupted write, or something appended)",
                        offset: state.lastCheckpointEnd)
        }
        if report.checkpointCount == 0 {
            report.fail("the journal has no intact checkpoint")
        }
        if let carried = lineage.statements.last, report.problems.isEmpty {
            if walk.range.size < carried.carriedCount {
                report.fail("the journal holds fewer records (\(walk.range.size)) than its rekey statement says were carried over (\(carried.carriedCount))")
            } else if walk.carriedRoot != carried.carriedRoot {
                report.fail("the records carried over by the rekey differ from what the previous key signed")
            } else if carried.omittedCount > 0 {
                report.notes.append("the last rekey left out \(carried.omittedCount) record(s) at the owner's request (erasure), as its signed statement says")
            }
        }
        return walk
    }

    /// The last checkpoint binds the header in force: old header copies written back are caught.
    mutating func checkHeaderBinding() {
        guard let bound = report.latestCheckpoint?.headerBinding else { return }
        if let match = headerState.copyDigests.firstIndex(where: { $0 == bound.digest }), headerState.copies[match]?.sequence == bound.sequence {
            if header.sequence > bound.sequence {
                report.notes.append("the header was changed after the last checkpoint (an interrupted passphrase change); opening for writing completes it")
            }
        } else if header.sequence > bound.sequence {
            report.notes.append("the header was changed after the last checkpoint (an interrupted passphrase change); opening for writing completes it")
        } else {
            report.fail("the header is not the one the last checkpoint binds: old header copies were written back (this can revive an old passphrase)", offset: 0)
        }
    }

    /// Compares with a held checkpoint: only when the walk reached it, naming the real cause.
    mutating func checkHeldCheckpoint(_ walk: Walk) {
        if let (checkpoint, statement, isLast) = heldPredecessor {
            // Never a pass: across a rekey a held checkpoint proves nothing about the records now
            // in the file (LineageStatement.problem).
            report.fail(statement.problem(withHeld: checkpoint, isLast: isLast))
            return
        }
        guard let held else { return }
        if let binding = held.headerBinding, binding.sequence > header.sequence {
            report.fail("the checkpoint you hold binds a newer header (\(binding.sequence)) than the file has (\(header.sequence)): the header was rolled back", offset: 0)
        }
        guard !walk.stoppedAtDamage else { return }  // the damage is the finding; no false accusation of removal
        report.checkedHeldCheckpoint = true
        if held.treeSize > walk.committedSize {
            report.fail("\(held.treeSize - walk.committedSize) record(s) were removed after record #\(walk.committedSize == 0 ? 0 : walk.committedSize - 1): the checkpoint you hold covers \(held.treeSize) records, the journal has \(walk.committedSize) (truncation or rollback)")
        } else if let found = walk.heldRoot, found != held.rootHash {
            report.fail("the journal's first \(held.treeSize) records differ from the checkpoint you hold: history was rewritten")
        } else if walk.heldRoot == nil {
            report.fail("could not compare with the checkpoint you hold")
        }
    }
}

/// Checks checkpoint texts, in file order, on a serial queue while the walk goes on hashing
/// records: the text parses, its Ed25519 signature verifies, it agrees with its frame (tree
/// size, offset, root of the compact range the walk already compared with its own tree), and
/// the header it binds is never older than the one before. At most ``maximumPending`` checks
/// wait, so memory stays flat; the walk marks the journal valid only after ``finish()`` says
/// every check passed, and any failure makes ``Verifier`` walk again in order (so the report is
/// exactly the sequential walk's).
final class DeferredCheckpointChecks: Sendable {
    static let maximumPending = 64

    struct Outcome: Sendable {
        var latest: Checkpoint?
        var previousBinding: UInt64 = 0
        var failed = false
    }

    private let publicKey: [UInt8]
    private let journalID: [UInt8]
    private let queue = DispatchQueue(label: "SealedJournal.verify.checkpoints")
    private let slots = DispatchSemaphore(value: DeferredCheckpointChecks.maximumPending)
    private let outcome = Locked(Outcome())

    init(publicKey: [UInt8], journalID: [UInt8]) {
        self.publicKey = publicKey
        self.journalID = journalID
    }

    /// Queues the check of one checkpoint frame (waits while ``maximumPending`` are queued).
    func enqueue(_ frame: CheckpointFrame) {
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard !outcome.withLock({ $0.failed }) else { return }
            let checkpoint = try? frame.verifiedCheckpoint(publicKey: publicKey, journalID: journalID)
            outcome.withLock { state in
                guard let checkpoint else { return state.failed = true }
                if let binding = checkpoint.headerBinding {
                    guard binding.sequence >= state.previousBinding else { return state.failed = true }
                    state.previousBinding = binding.sequence
                }
                state.latest = checkpoint
            }
        }
    }

    /// Waits for every queued check and returns what they found.
    func finish() -> Outcome {
        queue.sync {}
        return outcome.withLock { $0 }
    }
}

/// A walk stop never leaves `walkFrames` (it becomes a reported problem); mapped anyway so the
/// error contract holds for every error type in the library.
extension Verifier.WalkStop: JournalErrorConvertible {
    var journalError: JournalError { .corruptFrame(offset: offset ?? 0, sequence: sequence, reason: message) }
}
