import Foundation

/// One thing `verify` found wrong.
public struct VerificationProblem: Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the file, when the problem has a place.
    public let offset: UInt64?
    /// Record sequence number, when the problem is in a record.
    public let sequence: UInt64?
    /// What is wrong (never content).
    public let message: String

    public var description: String {
        var place: [String] = []
        if let sequence { place.append("record \(sequence)") }
        if let offset { place.append("offset \(offset)") }
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
    /// Whether a pinned fingerprint was compared.
    public internal(set) var checkedFingerprint = false
    /// Bytes of the file examined.
    public internal(set) var bytesChecked: UInt64 = 0
    /// Things that are not wrong but worth knowing (a stale header copy after an interrupted update).
    public internal(set) var notes: [String] = []
    /// Problems, the first one first. Checking stops at the first damaged frame.
    public internal(set) var problems: [VerificationProblem] = []

    /// `true` when every check passed.
    public var isValid: Bool { problems.isEmpty }

    /// A short account of what was checked, one fact per line.
    public var checks: [String] {
        var lines = ["header: \(intactHeaderCopies) of 2 copies intact (signature over every byte)"]
        lines.append("records: \(recordCount) frames hashed into the RFC 6962 tree")
        lines.append("checkpoints: \(checkpointCount) signatures, positions and roots checked")
        if let recordsOpened { lines.append("records opened with the key: \(recordsOpened)") }
        if checkedFingerprint { lines.append("fingerprint: matches the pinned value") }
        if checkedHeldCheckpoint { lines.append("held checkpoint: compared with the journal's history") }
        return lines
    }

    public var description: String {
        (checks + notes.map { "note: \($0)" } + problems.map { "PROBLEM: \($0)" }).joined(separator: "\n")
    }

    mutating func fail(_ message: String, offset: UInt64? = nil, sequence: UInt64? = nil) {
        problems.append(VerificationProblem(offset: offset, sequence: sequence, message: message))
    }
}

/// Options for verification.
public struct VerificationOptions: Sendable {
    /// A checkpoint text held from earlier: the journal must still contain that exact history.
    public var heldCheckpoint: String?
    /// The fingerprint the journal must have (shared by its owner out of band).
    public var fingerprint: String?

    public init(heldCheckpoint: String? = nil, fingerprint: String? = nil) {
        self.heldCheckpoint = heldCheckpoint
        self.fingerprint = fingerprint
    }
}

extension Journal {
    /// Verifies a journal without any key: both header copies, every frame, the Merkle tree
    /// and every checkpoint signature; optionally a pinned fingerprint and a held checkpoint
    /// (which detects truncation and rollback).
    ///
    /// Cost: one sequential read of the file and one SHA-256 per frame; one Ed25519 verify per
    /// checkpoint. Never throws: what cannot be read is a problem in the report.
    /// `progress` is called with (bytes checked, file size) about every MiB.
    public static func verify(at path: String, options: VerificationOptions = .init(),
                              progress: ((UInt64, UInt64) -> Void)? = nil) -> VerificationReport {
        Verifier.run(path: path, options: options, cipher: nil, progress: progress)
    }

    /// Verifies as ``verify(at:options:progress:)`` does, and also decrypts and authenticates
    /// every record with this journal's key.
    public func verify(options: VerificationOptions = .init(), progress: ((UInt64, UInt64) -> Void)? = nil) -> VerificationReport {
        let cipher = try? RecordCipher(masterKey: masterKey, journalID: journalID)
        var report = Verifier.run(path: path, options: options, cipher: cipher, progress: progress)
        if cipher == nil { report.fail("could not allocate guarded memory to open records") }
        return report
    }
}

/// The verification walk.
enum Verifier {
    static func run(path: String, options: VerificationOptions, cipher: RecordCipher?,
                    progress: ((UInt64, UInt64) -> Void)?) -> VerificationReport {
        var report = VerificationReport()
        if (try? Sodium.ensureInitialized()) == nil {
            report.fail("libsodium is unavailable")
            return report
        }
        let file: AppendOnlyFile
        let size: UInt64
        let headerState: HeaderState
        do {
            file = try AppendOnlyFile.open(path: path, writable: false)
            size = try file.size()
            headerState = try HeaderStore.read(file: file, fileSize: size)
        } catch {
            report.fail(String(describing: error))
            return report
        }
        let header = headerState.header
        for (index, problem) in headerState.copyProblems.enumerated() {
            if let problem {
                report.fail("header copy \(index + 1) is damaged: \(problem)", offset: UInt64(index * FileHeader.copyByteCount))
            } else {
                report.intactHeaderCopies += 1
            }
        }
        if report.intactHeaderCopies == 2, headerState.copySequences[0] != headerState.copySequences[1] {
            report.notes.append("the header copies have different sequence numbers (an interrupted key change); opening for writing repairs it")
        }
        if let pinned = options.fingerprint {
            report.checkedFingerprint = true
            if !Fingerprint.matches(pinned, Fingerprint.of(publicKey: header.publicKey)) {
                report.fail("the journal's fingerprint \(Fingerprint.of(publicKey: header.publicKey)) is not the pinned one")
            }
        }
        var held: Checkpoint?
        if let text = options.heldCheckpoint {
            do {
                held = try Checkpoint.parse(text, publicKey: header.publicKey)
                if held?.origin != Checkpoint.origin(journalID: header.journalID) {
                    report.fail("the held checkpoint is for another journal")
                    held = nil
                }
            } catch {
                report.fail("the held checkpoint is not signed by this journal's key (\(error))")
            }
        }
        var heldRootFound: [UInt8]?
        if let held, held.treeSize == 0 { heldRootFound = CompactRange().root }

        var reader = FrameReader(file: file, to: size)
        var range = CompactRange()
        var previousCheckpointOffset: UInt64 = 0
        var coveredRecords: UInt64 = 0
        var lastProgress: UInt64 = 0
        var opened: UInt64 = 0
        scan: while true {
            let frame: StoredFrame
            do {
                guard let next = try reader.next() else { break scan }
                frame = next
            } catch FrameReadError.incomplete(let offset) {
                report.fail("\(size - offset) bytes at the end do not form a complete frame (an interrupted append, or truncation)", offset: offset)
                break scan
            } catch FrameReadError.malformed(let offset, let reason) {
                report.fail("malformed frame: \(reason)", offset: offset)
                break scan
            } catch {
                report.fail("read error: \(error)", offset: reader.offset)
                break scan
            }
            report.bytesChecked = frame.endOffset
            if let progress, frame.endOffset - lastProgress >= 1 << 20 {
                lastProgress = frame.endOffset
                progress(frame.endOffset, size)
            }
            if frame.offset == FileHeader.framesOffset && frame.kind != .checkpoint {
                report.fail("the journal does not start with its creation checkpoint", offset: frame.offset)
                break scan
            }
            switch frame.kind {
            case .record:
                let sequence = range.size
                range.append(leafHash: MerkleTree.leafHash(frame.bytes))
                if let held, range.size == held.treeSize { heldRootFound = range.root }
                if let cipher {
                    do {
                        _ = try cipher.open(body: frame.body, sequence: sequence)
                        opened += 1
                    } catch {
                        report.fail("record does not authenticate with the journal key (altered, moved, or from another journal)",
                                    offset: frame.offset, sequence: sequence)
                        break scan
                    }
                }
            case .checkpoint:
                do {
                    let decoded = try CheckpointFrame.decode(body: frame.body)
                    guard decoded.frameOffset == frame.offset else { throw FormatError.invalidField(what: "checkpoint position") }
                    guard decoded.previousFrameOffset == previousCheckpointOffset else {
                        throw FormatError.invalidField(what: "link to the previous checkpoint")
                    }
                    guard decoded.treeSize == range.size, decoded.compactRange == range else {
                        throw FormatError.invalidField(what: "tree (the records before it do not hash to its root)")
                    }
                    let checkpoint = try decoded.verifiedCheckpoint(publicKey: header.publicKey, journalID: header.journalID)
                    report.checkpointCount += 1
                    report.latestCheckpoint = checkpoint
                    previousCheckpointOffset = frame.offset
                    coveredRecords = range.size
                } catch {
                    report.fail("checkpoint does not verify: \(error)", offset: frame.offset)
                    break scan
                }
            }
        }
        report.recordCount = range.size
        if cipher != nil { report.recordsOpened = opened }
        if report.problems.isEmpty, range.size > coveredRecords {
            report.fail("\(range.size - coveredRecords) record(s) at the end are not covered by a checkpoint (an interrupted append, or tampering)",
                        sequence: coveredRecords)
        }
        if report.problems.isEmpty, report.checkpointCount == 0 {
            report.fail("the journal has no checkpoint")
        }
        if let held {
            report.checkedHeldCheckpoint = true
            let committed = report.latestCheckpoint?.treeSize ?? 0
            if held.treeSize > committed {
                report.fail("the journal has \(committed) committed records but a held checkpoint covers \(held.treeSize): records were removed (truncation or rollback)")
            } else if let found = heldRootFound, found != held.rootHash {
                report.fail("the journal's first \(held.treeSize) records differ from the held checkpoint: history was rewritten")
            } else if heldRootFound == nil && report.problems.isEmpty {
                report.fail("could not compare with the held checkpoint")
            }
        }
        progress?(report.bytesChecked, size)
        return report
    }
}
