import Foundation

/// A sealed, append-only journal file, unlocked.
///
/// `Journal` is thread-safe: appends from many tasks are serialised in order; across processes,
/// writers are serialised by an exclusive file lock. Reading never takes the lock.
///
/// ```swift
/// let created = try Journal.create(at: path, passphrase: passphrase)
/// print(created.recoveryKey.displayString)   // show once
/// let receipt = try created.journal.append(JournalEntry(text: "Day 1."))
/// for try await record in created.journal.records() { ... }
/// ```
public final class Journal: Sendable {
    /// The journal file's path.
    public let path: String
    /// Whether this instance may append (``OpenMode/readWrite``, holding the file lock) or only read.
    public let mode: OpenMode
    /// Whether appends are fsynced before they return (``Durability/synchronous``, the default).
    public let durability: Durability
    /// Bytes of a torn tail (an interrupted append that holds no checkpoint) found when opening:
    /// cut off in ``OpenMode/readWrite`` mode, ignored in ``OpenMode/readOnly`` mode. Usually 0.
    public let tornTailBytesAtOpen: UInt64
    /// What an open found that the caller should know: for a read-only open, what it read past
    /// (damage after the last intact commit, a header older than the checkpoints bind); for any
    /// open, a pinned fingerprint that was followed through a rekey to a new key (confirm the new
    /// fingerprint with the owner). Empty for a healthy journal opened as pinned; `verify` gives detail.
    public let warningsAtOpen: [String]

    let file: AppendOnlyFile
    let journalID: [UInt8]
    let publicKey: [UInt8]
    let masterKey: SecretBytes
    let signingKey: Ed25519.SigningKey
    let state: Locked<WriterState>

    struct WriterState {
        var tail: CommittedTail
        /// The header that new checkpoints bind, and the state it was read from.
        var header: HeaderState
        /// The writer's record cipher (created on first append).
        var cipher: RecordCipher?
        /// The ciphers that seal a large batch in parts on several threads (created on the first
        /// such batch; see ``Journal/sealFrames(_:firstSequence:cipher:state:onOneThread:)``).
        var sealers: SplitWork<RecordCipher>?
        /// File offsets of record frames, filled lazily for random access.
        var recordOffsets: [UInt64] = []
        /// How far (file offset) `recordOffsets` has been built.
        var indexedTo: UInt64 = FileHeader.framesOffset
        /// Set when ``Journal/rekey(to:kdf:omitting:)`` replaced the file: this instance refuses further use.
        var retired = false
        /// A key change in effect whose record is not written yet, and why
        /// (``Journal/unrecordedKeyChange``): the next commit of this instance writes it first.
        var unrecordedKeyChange: (change: KeyChange.Change, error: JournalError)?
    }

    init(path: String, mode: OpenMode, durability: Durability, file: AppendOnlyFile, header: HeaderState,
         masterKey: SecretBytes, signingKey: Ed25519.SigningKey, tail: CommittedTail, tornTailBytes: UInt64, warnings: [String] = []) {
        self.path = path
        self.mode = mode
        self.durability = durability
        self.file = file
        self.journalID = header.header.journalID
        self.publicKey = header.header.publicKey
        self.masterKey = masterKey
        self.signingKey = signingKey
        self.tornTailBytesAtOpen = tornTailBytes
        self.warningsAtOpen = warnings
        self.state = Locked(WriterState(tail: tail, header: header))
    }

    // MARK: Creating

    /// The result of ``create(at:passphrase:kdf:durability:)``.
    public struct Creation: Sendable {
        /// The new journal, open for reading and appending.
        public let journal: Journal
        /// Shown once: the only other way in if the passphrase is lost.
        public let recoveryKey: RecoveryKey
    }

    /// Creates a new journal file (mode 0600) with a passphrase slot and a recovery-key slot.
    ///
    /// Cost: one Argon2id run at `kdf` (about 0.5 s and 256 MiB for `.moderate`) and two fsyncs.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` (field `"passphrase"`) if the passphrase
    ///   breaks ``PassphrasePolicy``; ``JournalError/alreadyExists(path:)`` if the file exists; I/O and
    ///   memory errors. On failure no file is left behind.
    public static func create(at path: String, passphrase: SecretBytes, kdf: KDFPreset = .moderate,
                              durability: Durability = .synchronous) throws(JournalError) -> Creation {
        try PassphrasePolicy.validate(passphrase)
        return try JournalError.mapping {
            try Sodium.ensureInitialized()
            let keys = try NewJournalKeys(passphrase: passphrase, kdf: kdf)
            let layout = try keys.initialLayout(lineage: [])
            let file: AppendOnlyFile
            do {
                file = try AppendOnlyFile.create(path: path)
            } catch let error as SystemError where error.code == EEXIST {
                throw JournalError.alreadyExists(path: path)
            }
            do {
                try file.write(layout.bytes, at: 0)
                try file.sync()
                try AppendOnlyFile.syncDirectory(containing: path)
            } catch {
                unlink(path)
                throw error
            }
            let journal = Journal(path: path, mode: .readWrite, durability: durability, file: file, header: layout.headerState,
                                  masterKey: keys.masterKey, signingKey: keys.signingKey, tail: layout.tail, tornTailBytes: 0)
            return Creation(journal: journal, recoveryKey: RecoveryKey(secret: keys.recoverySecret))
        }
    }

    /// The result of ``openOrCreate(at:passphrase:kdf:durability:)``.
    public struct OpenedOrCreated: Sendable {
        /// The journal, open for reading and appending.
        public let journal: Journal
        /// Set only when the journal was created by this call: show it to the user once (it is
        /// the only other way in if the passphrase is lost). `nil` when an existing journal opened.
        public let recoveryKey: RecoveryKey?
        /// `true` when this call created the journal.
        public var wasCreated: Bool { recoveryKey != nil }
    }

    /// Opens the journal at `path` for writing, or creates it (mode 0600) when there is no file
    /// there. Safe when two processes race: the loser of the creation opens the winner's journal.
    ///
    /// Only a missing file leads to creation: an empty, damaged or foreign file is reported as
    /// such and never replaced. When another process creates the journal at the same moment, this
    /// call waits (up to about a second) for its first bytes and opens it.
    /// - Throws: ``JournalError/wrongPassphrase`` for an existing journal; the errors of
    ///   ``create(at:passphrase:kdf:durability:)`` and ``open(at:passphrase:mode:durability:expectedFingerprint:)``.
    public static func openOrCreate(at path: String, passphrase: SecretBytes, kdf: KDFPreset = .moderate,
                                    durability: Durability = .synchronous) throws(JournalError) -> OpenedOrCreated {
        do {
            return OpenedOrCreated(journal: try open(at: path, passphrase: passphrase, durability: durability), recoveryKey: nil)
        } catch .notFound {
            do {
                let created = try create(at: path, passphrase: passphrase, kdf: kdf, durability: durability)
                return OpenedOrCreated(journal: created.journal, recoveryKey: created.recoveryKey)
            } catch .alreadyExists {
                return OpenedOrCreated(journal: try openWhileCreated(at: path, passphrase: passphrase, durability: durability), recoveryKey: nil)
            }
        } catch .emptyFile, .notAJournal, .noValidCheckpoint, .corruptHeader {
            return OpenedOrCreated(journal: try openWhileCreated(at: path, passphrase: passphrase, durability: durability), recoveryKey: nil)
        }
    }

    /// Opens a journal another process is creating right now: its name appears (empty) before its
    /// first bytes are written, so an empty or not yet complete file is re-read for up to about
    /// a second before the error is reported (and nothing is ever replaced).
    private static func openWhileCreated(at path: String, passphrase: SecretBytes, durability: Durability) throws(JournalError) -> Journal {
        var attempt = 0
        while true {
            do {
                return try open(at: path, passphrase: passphrase, durability: durability)
            } catch {
                switch error {
                case .emptyFile, .notAJournal, .noValidCheckpoint, .corruptHeader:
                    guard attempt < 20 else { throw error }
                    attempt += 1
                    usleep(50_000)
                default:
                    throw error
                }
            }
        }
    }

    // MARK: Opening

    /// Opens and unlocks a journal with its passphrase.
    ///
    /// Cost: reads the header and the last commit only (O(1) in journal size) and one Argon2id run.
    /// In ``OpenMode/readWrite`` mode a torn tail (an interrupted append that holds no checkpoint)
    /// is cut off (see ``tornTailBytesAtOpen``); anything else after the last intact commit is
    /// damage and makes a write-open fail with ``JournalError/damaged(offset:reason:)`` (see
    /// ``repair(at:passphrase:acceptingLoss:)``). A read-only open reads what is intact and reports the rest in
    /// ``warningsAtOpen``. A wrong passphrase changes nothing.
    /// - Parameter path: the journal file.
    /// - Parameter passphrase: the passphrase, in guarded memory (see ``SecretBytes``).
    /// - Parameter mode: ``OpenMode/readWrite`` (default; takes the file lock) or ``OpenMode/readOnly``.
    /// - Parameter durability: ``Durability/synchronous`` (default) fsyncs every append.
    /// - Parameter expectedFingerprint: when given, the journal's fingerprint (or one it was re-keyed
    ///   from) must match it; checked before any key derivation, so a substituted file costs nothing.
    /// - Throws: ``JournalError/wrongPassphrase``, ``JournalError/fingerprintMismatch(expected:found:)``,
    ///   format errors naming what is damaged, I/O errors.
    public static func open(at path: String, passphrase: SecretBytes, mode: OpenMode = .readWrite,
                            durability: Durability = .synchronous, expectedFingerprint: Fingerprint? = nil) throws(JournalError) -> Journal {
        try open(at: path, mode: mode, durability: durability, expectedFingerprint: expectedFingerprint) { header in
            try KeySlots.unlock(header: header, passphrase: passphrase)
        }
    }

    /// Opens and unlocks a journal with its recovery key. Then set a new passphrase with
    /// ``changePassphrase(to:kdf:)``.
    public static func open(at path: String, recoveryKey: RecoveryKey, mode: OpenMode = .readWrite,
                            durability: Durability = .synchronous, expectedFingerprint: Fingerprint? = nil) throws(JournalError) -> Journal {
        try open(at: path, mode: mode, durability: durability, expectedFingerprint: expectedFingerprint) { header in
            try KeySlots.unlock(header: header, recoveryKey: recoveryKey.secret)
        }
    }

    private static func open(at path: String, mode: OpenMode, durability: Durability, expectedFingerprint: Fingerprint?,
                             unlock: (FileHeader) throws -> SecretBytes) throws(JournalError) -> Journal {
        try JournalError.mapping {
            try Sodium.ensureInitialized()
            let file = try AppendOnlyFile.open(path: path, writable: mode == .readWrite)
            var pinWarnings: [String] = []
            if let expectedFingerprint {
                // Identity first: a substituted file costs one header read, no tail search, no Argon2id.
                let header = try HeaderStore.read(file: file, fileSize: try file.size()).header
                if let followed = try checkFingerprint(expectedFingerprint, file: file, header: header) {
                    pinWarnings.append("the pinned fingerprint \(expectedFingerprint) was re-keyed to \(followed): a retired key may be the one "
                                       + "that leaked, and whoever holds it could sign such a hand-over; confirm \(followed) with the journal's owner and pin it")
                }
            }
            let located = try locate(file: file)
            let masterKey = try unlock(located.headerState.header)
            let signingKey = try KeySlots.signingKey(masterKey: masterKey)
            guard ConstantTime.equals(signingKey.publicKey, located.headerState.header.publicKey) else {
                throw JournalError.headerMismatch(path: path, reason: "the key slots unlock a different journal's key")
            }
            guard mode == .readWrite else {
                return Journal(path: path, mode: mode, durability: durability, file: file, header: located.headerState,
                               masterKey: masterKey, signingKey: signingKey, tail: located.scan.committed,
                               tornTailBytes: located.tornBytes, warnings: pinWarnings + located.warnings)
            }
            let journal = try file.withExclusiveLock { () throws -> Journal in
                // Re-check under the lock if another writer appended meanwhile.
                let current = try file.size() == located.fileSize ? located : locate(file: file)
                try current.refuseDamage(path: path)
                if case let .torn(bytes) = current.scan.status {
                    try file.truncate(to: current.scan.committed.endOffset)
                    if durability == .synchronous { try file.sync() }
                    _ = bytes
                }
                let journal = Journal(path: path, mode: mode, durability: durability, file: file, header: current.headerState,
                                      masterKey: masterKey, signingKey: signingKey, tail: current.scan.committed,
                                      tornTailBytes: current.tornBytes, warnings: pinWarnings)
                try journal.completeHeaderMaintenance(current)
                return journal
            }
            return journal
        }
    }

    /// Checks a pinned fingerprint against the journal's key and the keys it was re-keyed from.
    /// Returns the current fingerprint when the pin was followed through a rekey (`nil`: exact match).
    @discardableResult
    static func checkFingerprint(_ expected: Fingerprint, file: AppendOnlyFile, header: FileHeader) throws -> Fingerprint? {
        let current = Fingerprint.of(publicKey: header.publicKey)
        if expected == current { return nil }
        let chain = (try? LineageChain.read(file: file, header: header)) ?? LineageChain(statements: [])
        if chain.statements.contains(where: { expected == Fingerprint.of(publicKey: $0.predecessorPublicKey) }) { return current }
        throw JournalError.fingerprintMismatch(expected: expected, found: current)
    }

    /// Called under the lock on a write-open: repairs a damaged or stale header copy by copying the
    /// one in force, and commits a pending header change (see ``Located/headerStatus``).
    private func completeHeaderMaintenance(_ located: Located) throws {
        var headerState = located.headerState
        if !headerState.isClean, headerState.copyProblems.contains(where: { if case .unsupportedVersion? = $0 { return true } else { return false } }) {
            throw JournalError.unsupportedVersion(found: headerState.unknownVersionFound ?? 0, supported: Int(FileHeader.formatVersion))
        }
        if !headerState.isClean {
            try HeaderStore.copyInForceOverOther(headerState, file: file)
            headerState = try HeaderStore.read(file: file, fileSize: try file.size()).choosing(headerState.bestCopy)
            state.withLock { $0.header = headerState }
        }
        if located.headerStatus == .uncommittedChange {
            try commitLocked([], keyChange: KeyChange(change: .header))
        }
    }

    struct Located {
        let headerState: HeaderState
        let scan: TailScan
        let fileSize: UInt64
        let headerStatus: HeaderStatus

        var tornBytes: UInt64 { if case let .torn(bytes) = scan.status { return bytes } else { return 0 } }

        var warnings: [String] {
            var result: [String] = []
            if case let .damaged(offset, reason) = scan.status { result.append("damaged at byte offset \(offset): \(reason); records up to the last intact commit are readable") }
            if headerStatus == .rolledBack { result.append("the header is older than the journal's checkpoints bind (old header copies were written back)") }
            return result
        }

        /// Throws when a write-open must refuse.
        func refuseDamage(path: String) throws {
            if case let .damaged(offset, reason) = scan.status { throw JournalError.damaged(offset: offset, reason: reason) }
            if headerStatus == .rolledBack {
                throw JournalError.headerMismatch(path: path, reason: "the header is older than the journal's last checkpoint binds (old header copies were written back); nothing was changed, run verify")
            }
        }
    }

    /// How the header in force relates to the header the last checkpoint binds.
    enum HeaderStatus: Equatable {
        /// The header is exactly the one bound.
        case bound
        /// A newer header (higher sequence) than the one bound: a key change whose commit was interrupted.
        case uncommittedChange
        /// An older header, or a different one with the same sequence: old copies were written back.
        case rolledBack
    }

    /// Reads the header and finds the last intact commit (no key needed).
    static func locate(file: AppendOnlyFile) throws -> Located {
        let size = try file.size()
        var headerState = try HeaderStore.read(file: file, fileSize: size)
        guard let scan = try TailLocator.locate(file: file, header: headerState.header, fileSize: size) else {
            if size > FileHeader.framesOffset, try hasCheckpointSignedByAnotherKey(file: file, size: size, header: headerState.header) {
                throw JournalError.headerMismatch(path: file.path, reason: "the checkpoints are signed by another journal's key")
            }
            throw JournalError.noValidCheckpoint(path: file.path)
        }
        var status = HeaderStatus.bound
        if let bound = scan.committed.checkpoint.headerBinding {
            if let match = headerState.copyDigests.firstIndex(where: { $0 == bound.digest }),
               headerState.copies[match]?.sequence == bound.sequence {
                if headerState.copySequences[headerState.bestCopy] == bound.sequence || headerState.copiesConflict {
                    headerState = headerState.choosing(match)
                } else {
                    status = .uncommittedChange
                }
            } else if headerState.header.sequence > bound.sequence {
                status = .uncommittedChange
            } else {
                status = .rolledBack
            }
        }
        return Located(headerState: headerState, scan: scan, fileSize: size, headerStatus: status)
    }

    /// Distinguishes "header from another journal" from plain damage: the first checkpoint frame
    /// is well formed and its origin names a different journal id.
    private static func hasCheckpointSignedByAnotherKey(file: AppendOnlyFile, size: UInt64, header: FileHeader) throws -> Bool {
        var reader = FrameReader(file: file, to: size)
        while let frame = try? reader.next() {
            if frame.kind == .lineage { continue }
            guard frame.kind == .checkpoint, let decoded = try? CheckpointFrame.decode(body: frame.body) else { return false }
            return !decoded.noteText.hasPrefix(Checkpoint.origin(journalID: header.journalID) + "\n")
        }
        return false
    }

    // MARK: Public facts

    /// Number of committed records, as this instance last saw the file: at open, after its own
    /// appends, or at the last ``refresh()``. Records another process or another `Journal`
    /// instance commits are counted after ``refresh()`` (or this instance's next append).
    /// Costs nothing (no I/O).
    public var recordCount: UInt64 { state.withLock { $0.tail.frame.treeSize } }

    /// The newest signed checkpoint this instance has seen (see ``recordCount``); give its
    /// ``Checkpoint/text`` to someone to hold.
    public var latestCheckpoint: Checkpoint { state.withLock { $0.tail.checkpoint } }

    /// The journal's public facts, read from the file now (so they include what other writers
    /// committed). Same as ``Journal/info(at:)`` on ``path``.
    ///
    /// Cost: reads the header and the last commit (O(1) in journal size); no key is used.
    /// - Throws: I/O errors, or ``JournalError`` cases naming damage found in the header or the
    ///   last commit.
    public func info() throws(JournalError) -> JournalInfo {
        try Journal.info(at: path)
    }

    /// Catches up with records committed to the file since this instance last looked (by another
    /// `Journal` instance or another process) and returns the new ``recordCount``. Reads and
    /// cursors made afterwards include them.
    ///
    /// Cost: O(1) when nothing changed (one `fstat`); otherwise reads the header and the last
    /// commit. A read-write instance takes the file lock, so it waits for a writer mid-append.
    /// - Throws: ``JournalError/journalReplaced(path:)`` after a rekey (by this instance or another
    ///   process: the file open is no longer the one at ``path``); ``JournalError/headerMismatch(path:reason:)``
    ///   when another journal was put at the path;
    ///   ``JournalError/damaged(offset:reason:)`` when a read-write instance finds damage after the
    ///   last commit (nothing is cut); ``JournalError/corruptFrame(offset:sequence:reason:)`` when the
    ///   file shrank or lost committed records while open.
    @discardableResult
    public func refresh() throws(JournalError) -> UInt64 {
        try checkCurrent()
        return try JournalError.mapping {
            try state.withLock { state in
                if mode == .readWrite {
                    try file.withExclusiveLock { try refreshTail(&state) }
                } else {
                    try refreshTail(&state)
                }
                return state.tail.frame.treeSize
            }
        }
    }

    /// The journal's id (in every checkpoint; see ``JournalID``).
    public var id: JournalID { JournalID(bytes: journalID) }

    /// The journal id, as 32 hex digits.
    var journalIDHex: String { Hex.encode(journalID) }

    /// The journal's fingerprint (see ``Fingerprint``).
    public var fingerprint: Fingerprint { Fingerprint.of(publicKey: publicKey) }

    /// Throws ``JournalError/journalReplaced`` once this instance was retired by a rekey.
    func checkNotRetired() throws(JournalError) {
        if state.withLock({ $0.retired }) { throw .journalReplaced(path: path) }
    }

    /// Throws ``JournalError/journalReplaced(path:)`` when this instance was retired by a rekey, or
    /// when the file it has open is no longer the one at ``path`` (another process re-keyed or
    /// replaced it): reading on would read the predecessor, including records a rekey erased.
    func checkCurrent() throws(JournalError) {
        try checkNotRetired()
        let linked = try JournalError.mapping { try file.isStillLinked(at: path) }
        if !linked { throw .journalReplaced(path: path) }
    }
}

/// A fresh master key, signing key, recovery key and journal id, and the first bytes of a journal
/// file made from them: both header copies, any lineage frames, and the creation checkpoint.
struct NewJournalKeys {
    let masterKey: SecretBytes
    let recoverySecret: SecretBytes
    let journalID: [UInt8]
    let signingKey: Ed25519.SigningKey
    let header: FileHeader

    init(passphrase: SecretBytes, kdf: KDFPreset) throws {
        masterKey = try SecretBytes.random(count: KeyDerivation.masterKeyByteCount)
        recoverySecret = try SecretBytes.random(count: RecoveryKeyEncoding.keyByteCount)
        journalID = try RandomBytes.generate(count: FileHeader.journalIDByteCount)
        signingKey = try KeySlots.signingKey(masterKey: masterKey)
        let slots = [
            try KeySlots.passphraseSlot(masterKey: masterKey, passphrase: passphrase, preset: kdf, journalID: journalID),
            try KeySlots.recoverySlot(masterKey: masterKey, recoveryKey: recoverySecret, journalID: journalID),
        ]
        header = FileHeader(sequence: 1, journalID: journalID, publicKey: signingKey.publicKey, keySlots: slots)
    }

    struct Layout {
        let bytes: [UInt8]
        let headerState: HeaderState
        let tail: CommittedTail
        /// Offset of each lineage frame (for rewriting the last one in place).
        let lineageOffsets: [UInt64]
    }

    /// Header copies, then `lineage` frames (each a signed statement's text), then the creation checkpoint.
    func initialLayout(lineage: [String]) throws -> Layout {
        let copy = try header.encodeCopy(signingKey: signingKey)
        let digest = FileHeader.digest(ofCopy: copy)
        let headerState = HeaderState(header: header, bestCopy: 0, copyProblems: [nil, nil], copies: [header, header],
                                      copyDigests: [digest, digest], unknownVersionFound: nil)
        var bytes = copy + copy
        var lineageOffsets: [UInt64] = []
        for statement in lineage {
            lineageOffsets.append(UInt64(bytes.count))
            bytes += Frame.encode(kind: .lineage, body: Array(statement.utf8))
        }
        let range = CompactRange()
        let frameOffset = UInt64(bytes.count)
        let checkpoint = Checkpoint.sign(journalID: journalID, treeSize: 0, rootHash: range.root, headerBinding: headerState.binding,
                                         frameOffset: frameOffset, key: signingKey)
        let frame = CheckpointFrame(treeSize: 0, frameOffset: frameOffset, previousFrameOffset: 0, compactRange: range, noteText: checkpoint.text)
        bytes += Frame.encode(kind: .checkpoint, body: frame.encodeBody())
        let tail = CommittedTail(frame: frame, checkpoint: checkpoint, endOffset: UInt64(bytes.count))
        return Layout(bytes: bytes, headerState: headerState, tail: tail, lineageOffsets: lineageOffsets)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
