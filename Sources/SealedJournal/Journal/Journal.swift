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
    public let mode: OpenMode
    public let durability: Durability
    /// Bytes of a torn tail (an interrupted append) found when opening: cut off in
    /// ``OpenMode/readWrite`` mode, ignored in ``OpenMode/readOnly`` mode. Usually 0.
    public let tornTailBytesAtOpen: UInt64

    let file: AppendOnlyFile
    let journalID: [UInt8]
    let publicKey: [UInt8]
    let masterKey: SecretBytes
    let signingKey: Ed25519.SigningKey
    let state: Locked<WriterState>

    struct WriterState {
        var tail: CommittedTail
        /// The writer's record cipher (created on first append).
        var cipher: RecordCipher?
        /// File offsets of record frames, filled lazily for random access.
        var recordOffsets: [UInt64] = []
        /// How far (file offset) `recordOffsets` has been built.
        var indexedTo: UInt64 = FileHeader.framesOffset
    }

    private init(path: String, mode: OpenMode, durability: Durability, file: AppendOnlyFile, header: FileHeader,
                 masterKey: SecretBytes, signingKey: Ed25519.SigningKey, tail: CommittedTail, tornTailBytes: UInt64) {
        self.path = path
        self.mode = mode
        self.durability = durability
        self.file = file
        self.journalID = header.journalID
        self.publicKey = header.publicKey
        self.masterKey = masterKey
        self.signingKey = signingKey
        self.tornTailBytesAtOpen = tornTailBytes
        self.state = Locked(WriterState(tail: tail))
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
            let masterKey = try SecretBytes.random(count: KeyDerivation.masterKeyByteCount)
            let recoverySecret = try SecretBytes.random(count: RecoveryKeyEncoding.keyByteCount)
            let journalID = try RandomBytes.generate(count: FileHeader.journalIDByteCount)
            let signingKey = try KeySlots.signingKey(masterKey: masterKey)
            let slots = [
                try KeySlots.passphraseSlot(masterKey: masterKey, passphrase: passphrase, preset: kdf, journalID: journalID),
                try KeySlots.recoverySlot(masterKey: masterKey, recoveryKey: recoverySecret, journalID: journalID),
            ]
            let header = FileHeader(sequence: 1, journalID: journalID, publicKey: signingKey.publicKey, keySlots: slots)
            let copy = try header.encodeCopy(signingKey: signingKey)
            let range = CompactRange()
            let checkpoint = Checkpoint.sign(journalID: journalID, treeSize: 0, rootHash: range.root, key: signingKey)
            let frame = CheckpointFrame(treeSize: 0, frameOffset: FileHeader.framesOffset, previousFrameOffset: 0,
                                        compactRange: range, noteText: checkpoint.text)
            let frameBytes = Frame.encode(kind: .checkpoint, body: frame.encodeBody())

            let file: AppendOnlyFile
            do {
                file = try AppendOnlyFile.create(path: path)
            } catch let error as SystemError where error.code == EEXIST {
                throw JournalError.alreadyExists(path: path)
            }
            do {
                try file.write(copy + copy + frameBytes, at: 0)
                try file.sync()
                try AppendOnlyFile.syncDirectory(containing: path)
            } catch {
                unlink(path)
                throw error
            }
            let tail = CommittedTail(frame: frame, checkpoint: checkpoint, endOffset: FileHeader.framesOffset + UInt64(frameBytes.count))
            let journal = Journal(path: path, mode: .readWrite, durability: durability, file: file, header: header,
                                  masterKey: masterKey, signingKey: signingKey, tail: tail, tornTailBytes: 0)
            return Creation(journal: journal, recoveryKey: RecoveryKey(secret: recoverySecret))
        }
    }

    // MARK: Opening

    /// Opens and unlocks a journal with its passphrase.
    ///
    /// Cost: reads the header and the last commit only (O(1) in journal size) and one Argon2id run.
    /// In ``OpenMode/readWrite`` mode a torn tail is cut off (see ``tornTailBytesAtOpen``) and a
    /// damaged or stale header copy is rewritten; a wrong passphrase changes nothing.
    /// - Throws: ``JournalError/wrongPassphrase``, format errors naming what is damaged, I/O errors.
    public static func open(at path: String, passphrase: SecretBytes, mode: OpenMode = .readWrite,
                            durability: Durability = .synchronous) throws(JournalError) -> Journal {
        try open(at: path, mode: mode, durability: durability) { header in
            try KeySlots.unlock(header: header, passphrase: passphrase)
        }
    }

    /// Opens and unlocks a journal with its recovery key. Then set a new passphrase with
    /// ``changePassphrase(to:kdf:)``.
    public static func open(at path: String, recoveryKey: RecoveryKey, mode: OpenMode = .readWrite,
                            durability: Durability = .synchronous) throws(JournalError) -> Journal {
        try open(at: path, mode: mode, durability: durability) { header in
            try KeySlots.unlock(header: header, recoveryKey: recoveryKey.secret)
        }
    }

    private static func open(at path: String, mode: OpenMode, durability: Durability,
                             unlock: (FileHeader) throws -> SecretBytes) throws(JournalError) -> Journal {
        try JournalError.mapping {
            try Sodium.ensureInitialized()
            let file = try AppendOnlyFile.open(path: path, writable: mode == .readWrite)
            let located = try locate(file: file)
            let masterKey = try unlock(located.headerState.header)
            let signingKey = try KeySlots.signingKey(masterKey: masterKey)
            guard signingKey.publicKey == located.headerState.header.publicKey else {
                throw JournalError.headerMismatch(path: path, reason: "the key slots unlock a different journal's key")
            }
            var tail = located.tail
            var torn = located.fileSize - located.tail.endOffset
            if mode == .readWrite {
                try file.withExclusiveLock {
                    // Re-check under the lock if another writer appended meanwhile.
                    let relocated = try file.size() == located.fileSize ? located : locate(file: file)
                    tail = relocated.tail
                    torn = relocated.fileSize - tail.endOffset
                    if torn > 0 {
                        try file.truncate(to: tail.endOffset)
                        if durability == .synchronous { try file.sync() }
                    }
                    if !relocated.headerState.isClean {
                        var header = relocated.headerState.header
                        header.sequence += 1
                        try HeaderStore.write(header, signingKey: signingKey, file: file, currentBest: relocated.headerState.bestCopy)
                    }
                }
            }
            return Journal(path: path, mode: mode, durability: durability, file: file, header: located.headerState.header,
                           masterKey: masterKey, signingKey: signingKey, tail: tail, tornTailBytes: torn)
        }
    }

    struct Located {
        let headerState: HeaderState
        let tail: CommittedTail
        let fileSize: UInt64
    }

    /// Reads the header and finds the last intact commit (no key needed).
    static func locate(file: AppendOnlyFile) throws -> Located {
        let size = try file.size()
        let headerState = try HeaderStore.read(file: file, fileSize: size)
        guard let tail = try TailLocator.locate(file: file, header: headerState.header, fileSize: size) else {
            if size > FileHeader.framesOffset, try hasCheckpointSignedByAnotherKey(file: file, size: size, header: headerState.header) {
                throw JournalError.headerMismatch(path: file.path, reason: "the checkpoints are signed by another journal's key")
            }
            throw JournalError.noValidCheckpoint(path: file.path)
        }
        return Located(headerState: headerState, tail: tail, fileSize: size)
    }

    /// Distinguishes "header from another journal" from plain damage: the first frame is a
    /// well-formed checkpoint whose origin names a different journal id.
    private static func hasCheckpointSignedByAnotherKey(file: AppendOnlyFile, size: UInt64, header: FileHeader) throws -> Bool {
        var reader = FrameReader(file: file, to: size)
        guard let first = try? reader.next(), first.kind == .checkpoint,
              let frame = try? CheckpointFrame.decode(body: first.body) else { return false }
        return !frame.noteText.hasPrefix(Checkpoint.origin(journalID: header.journalID) + "\n")
    }

    // MARK: Public facts

    /// Number of committed records.
    public var recordCount: UInt64 { state.withLock { $0.tail.frame.treeSize } }

    /// The newest signed checkpoint (give its ``Checkpoint/text`` to someone to hold).
    public var latestCheckpoint: Checkpoint { state.withLock { $0.tail.checkpoint } }

    /// The journal's public facts.
    public var info: JournalInfo {
        get throws(JournalError) { try Journal.info(at: path) }
    }

    /// The journal id, as 32 hex digits.
    public var journalIDHex: String { Hex.encode(journalID) }

    /// The journal's fingerprint (see ``Fingerprint``).
    public var fingerprint: String { Fingerprint.of(publicKey: publicKey) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
