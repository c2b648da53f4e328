import Foundation

/// The accounting record of stored cosignatures (kind `witness`): which witness cosigned which
/// tree size at what witness time. It is sealed like every record; the cosignatures themselves
/// travel, public, in the extension frame of the same commit (FORMAT.md 12.4).
public struct WitnessReceipt: JournalRecordContent, Equatable {
    /// The record kind name.
    public static let recordKind = RecordKind.witness
    /// The witness's key name.
    public var witness: String
    /// The witness's key id, 8 hex digits.
    public var keyID: String
    /// The cosigned tree size.
    public var treeSize: UInt64
    /// The witness time, POSIX seconds.
    public var witnessedAt: UInt64

    /// A receipt from its fields.
    public init(witness: String, keyID: String, treeSize: UInt64, witnessedAt: UInt64) {
        self.witness = witness
        self.keyID = keyID
        self.treeSize = treeSize
        self.witnessedAt = witnessedAt
    }
}

/// One cosignature stored in a journal, verified against the journal's own history.
public struct StoredCosignature: Equatable, Sendable {
    /// The cosigned checkpoint (one of the journal's own checkpoints).
    public let checkpoint: Checkpoint
    /// The cosignature line's contents.
    public let cosignature: Cosignature
    /// The pinned witness key it verified with, or `nil` when no pinned key matched its name
    /// and key id (then it is unverified and proves nothing).
    public let verifiedBy: WitnessPublicKey?
    /// File offset of the extension frame that carries it.
    public let frameOffset: UInt64
}

/// What the stored cosignatures of a journal prove, for reports and `verify --witness`.
public struct WitnessTimeline: Sendable, Equatable {
    /// Every stored cosignature, in file order.
    public let cosignatures: [StoredCosignature]
    /// Problems with stored cosignature frames (malformed, not this journal's history, bad
    /// signature by a pinned witness). Empty when all is well.
    public let problems: [String]

    /// Earliest verified witness time per cosigned tree size.
    public var witnessTimes: [UInt64: Date] {
        var times: [UInt64: Date] = [:]
        for stored in cosignatures where stored.verifiedBy != nil {
            let date = stored.cosignature.date
            if let known = times[stored.checkpoint.treeSize], known <= date { continue }
            times[stored.checkpoint.treeSize] = date
        }
        return times
    }

    /// The earliest verified witness time that proves record `sequence` existed: the earliest
    /// time of a cosigned checkpoint whose tree contains it (tree size above the sequence).
    public func witnessedBy(sequence: UInt64) -> Date? {
        witnessTimes.filter { $0.key > sequence }.map(\.value).min()
    }

    /// The largest tree size `witness` has cosigned in this journal (0 when none): the old size of
    /// the next request to that witness.
    public func latestCosignedSize(by witness: WitnessPublicKey) -> UInt64 {
        cosignatures.filter { $0.verifiedBy == witness }.map(\.checkpoint.treeSize).max() ?? 0
    }
}

extension Journal {
    /// Extension frame kind for stored cosignatures (FORMAT.md 12.4).
    static let cosignatureFrameKind: UInt8 = 128
    static let cosignatureFrameMagic = "sealed-journal-cosignatures/v1\n"

    /// The journal's signed-note verifier key, `sealed-journal/<id>+<key id hex>+<base64(0x01 || public key)>`:
    /// what a witness operator enrolls. Public, like the fingerprint.
    public var verifierKey: String {
        let origin = Checkpoint.origin(journalID: journalID)
        return "\(origin)+\(Hex.encode(Checkpoint.keyID(keyName: origin, publicKey: publicKey)))+"
            + Data([Checkpoint.signatureType] + publicKey).base64EncodedString()
    }

    /// Builds a cosignature request for the latest checkpoint, with the consistency proof from
    /// `oldSize` (the size the witness last cosigned; 0 the first time).
    ///
    /// Cost: one pass over the record frames (a SHA-256 each). Nothing is written.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` when `oldSize` is above the journal's size.
    public func witnessRequest(oldSize: UInt64) throws(JournalError) -> WitnessRequest {
        let tail = state.withLock { $0.tail }
        guard oldSize <= tail.frame.treeSize else {
            throw .invalidField(field: "old size", reason: "\(oldSize) is above the journal's \(tail.frame.treeSize) records")
        }
        let scan = try scanForWitnessing(end: tail.endOffset, witnesses: [])
        guard UInt64(scan.leaves.count) == tail.frame.treeSize else {
            throw .corruptFrame(offset: tail.frame.frameOffset, sequence: nil, reason: "the records do not match the latest checkpoint; run verify")
        }
        let proof = oldSize == 0 || oldSize == tail.frame.treeSize ? [] : MerkleTree.consistencyProof(oldSize: Int(oldSize), leaves: scan.leaves[...])
        return WitnessRequest(oldSize: oldSize, proof: proof, checkpointText: tail.checkpoint.text)
    }

    /// Builds a request to `witness` from the size it last cosigned, as stored in this journal.
    public func witnessRequest(for witness: WitnessPublicKey) throws(JournalError) -> WitnessRequest {
        try witnessRequest(oldSize: witnessTimeline(witnesses: [witness]).latestCosignedSize(by: witness))
    }

    /// Stores a witness's answer (a checkpoint note of this journal carrying cosignature lines):
    /// checks the note is one of this journal's own checkpoints, keeps the cosignature lines that
    /// verify with `witness`, and commits them in one commit: a ``WitnessReceipt`` record per
    /// cosignature and one extension frame carrying the note and those lines.
    ///
    /// Cost: one pass over the journal, one commit (fsynced by default).
    /// - Throws: ``JournalError/invalidField(field:reason:)`` when the text is not a checkpoint of
    ///   this journal's history, or holds no valid cosignature by `witness`.
    @discardableResult
    public func storeCosignatures(_ cosignedNote: String, witness: WitnessPublicKey) throws(JournalError) -> [Cosignature] {
        guard mode == .readWrite else { throw .readOnly }
        let checkpoint: Checkpoint
        do {
            guard cosignedNote.utf8.count <= Checkpoint.maximumTextByteCount else {
                throw FormatError.limitExceeded(what: "cosigned checkpoint", limit: Checkpoint.maximumTextByteCount)
            }
            checkpoint = try Checkpoint.parse(cosignedNote, publicKey: publicKey)
        } catch {
            throw .invalidField(field: "cosigned checkpoint", reason: "is not a checkpoint signed by this journal (\(error))")
        }
        let verified = checkpoint.cosignatures(by: [witness]).map(\.cosignature)
        guard !verified.isEmpty else {
            throw .invalidField(field: "cosigned checkpoint", reason: "holds no valid cosignature by \(witness.name)")
        }
        let tail = state.withLock { $0.tail }
        let scan = try scanForWitnessing(end: tail.endOffset, witnesses: [])
        guard scan.checkpointNotes[checkpoint.treeSize] == canonicalPart(of: checkpoint) else {
            throw .invalidField(field: "cosigned checkpoint", reason: "is not one of this journal's checkpoints (another history?)")
        }
        let found = verified.filter { new in !scan.stored.contains { $0.cosignature == new && $0.checkpoint.treeSize == checkpoint.treeSize } }
        guard !found.isEmpty else { throw .invalidField(field: "cosigned checkpoint", reason: "its cosignatures are already stored") }
        // The frame names the checkpoint by tree size only: its text is already in the journal, and
        // an origin line here would look like a signed note to the torn-tail check (FORMAT.md 6.2).
        let body = Journal.cosignatureFrameMagic + "size \(checkpoint.treeSize)\n" + found.map { $0.line + "\n" }.joined()
        let frame = Frame.encode(kind: .extensionFrame(Journal.cosignatureFrameKind), body: Array(body.utf8))
        var inputs: [SealInput] = []
        for cosignature in found {
            inputs.append(try PendingRecord(WitnessReceipt(witness: witness.name, keyID: Hex.encode(witness.keyID),
                                                           treeSize: checkpoint.treeSize, witnessedAt: cosignature.timestamp)).sealInput())
        }
        try commit(inputs, extensionFrames: [frame])
        return found
    }

    /// The cosignatures stored in this journal, checked against `witnesses` (pinned keys).
    public func witnessTimeline(witnesses: [WitnessPublicKey]) throws(JournalError) -> WitnessTimeline {
        let tail = state.withLock { $0.tail }
        return try scanForWitnessing(end: tail.endOffset, witnesses: witnesses).timeline
    }

    /// Earliest verified witness time per cosigned tree size (for reports: a record with sequence
    /// `s` existed by the earliest time of any tree size above `s`).
    public func witnessTimes(witnesses: [WitnessPublicKey]) throws(JournalError) -> [UInt64: Date] {
        try witnessTimeline(witnesses: witnesses).witnessTimes
    }

    /// Reads the stored cosignatures of the journal at `path` without any key, checking each
    /// against the journal's own checkpoints and the pinned `witnesses`.
    public static func witnessTimeline(at path: String, witnesses: [WitnessPublicKey]) throws(JournalError) -> WitnessTimeline {
        try JournalError.mapping {
            let file = try AppendOnlyFile.open(path: path, writable: false)
            let located = try locate(file: file)
            let header = located.headerState.header
            return try WitnessScan.run(file: file, end: located.scan.committed.endOffset, publicKey: header.publicKey,
                                       journalID: header.journalID, witnesses: witnesses).timeline
        }
    }

    /// The verifier key of the journal at `path` (see ``verifierKey``), without any key.
    public static func verifierKey(at path: String) throws(JournalError) -> String {
        let info = try Journal.info(at: path)
        let journalID = info.journalID.bytes
        guard let publicKey = Data(base64Encoded: info.publicKey) else {
            throw .corruptHeader(path: path, reason: "unreadable public key")
        }
        let origin = Checkpoint.origin(journalID: journalID)
        return "\(origin)+\(Hex.encode(Checkpoint.keyID(keyName: origin, publicKey: [UInt8](publicKey))))+"
            + Data([Checkpoint.signatureType] + [UInt8](publicKey)).base64EncodedString()
    }

    /// Builds a cosignature request for the latest checkpoint of the journal at `path` without
    /// any key (checkpoints and record frames are public), from the size `witness` last
    /// cosigned as stored in the journal, or from `oldSize` when given.
    ///
    /// Cost: one pass over the frames (a SHA-256 per record). Nothing is written.
    public static func witnessRequest(at path: String, for witness: WitnessPublicKey, oldSize: UInt64? = nil) throws(JournalError) -> WitnessRequest {
        try JournalError.mapping {
            let file = try AppendOnlyFile.open(path: path, writable: false)
            let located = try locate(file: file)
            let header = located.headerState.header
            let tail = located.scan.committed
            let scan = try WitnessScan.run(file: file, end: tail.endOffset, publicKey: header.publicKey,
                                           journalID: header.journalID, witnesses: [witness])
            let from = oldSize ?? scan.timeline.latestCosignedSize(by: witness)
            guard from <= tail.frame.treeSize else {
                throw JournalError.invalidField(field: "old size", reason: "\(from) is above the journal's \(tail.frame.treeSize) records")
            }
            guard UInt64(scan.leaves.count) == tail.frame.treeSize else {
                throw JournalError.corruptFrame(offset: tail.frame.frameOffset, sequence: nil, reason: "the records do not match the latest checkpoint; run verify")
            }
            let proof = from == 0 || from == tail.frame.treeSize ? [] : MerkleTree.consistencyProof(oldSize: Int(from), leaves: scan.leaves[...])
            return WitnessRequest(oldSize: from, proof: proof, checkpointText: tail.checkpoint.text)
        }
    }

    func scanForWitnessing(end: UInt64, witnesses: [WitnessPublicKey]) throws(JournalError) -> WitnessScan {
        try JournalError.mapping {
            try WitnessScan.run(file: file, end: end, publicKey: publicKey, journalID: journalID, witnesses: witnesses)
        }
    }

    /// The note as the journal stores it: body, blank line, the journal's own signature line.
    func canonicalPart(of checkpoint: Checkpoint) -> String {
        Checkpoint.canonicalText(origin: checkpoint.origin, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash,
                                 headerBinding: checkpoint.headerBinding, frameOffset: checkpoint.frameOffset,
                                 signatureBlob: checkpoint.signatureBlob)
    }
}

/// One pass over a journal's frames: record leaf hashes, the note of every checkpoint frame by
/// tree size (roots recomputed from the records), and the stored cosignature frames.
struct WitnessScan {
    var leaves: [[UInt8]] = []
    var checkpointNotes: [UInt64: String] = [:]
    var stored: [StoredCosignature] = []
    var problems: [String] = []

    var timeline: WitnessTimeline { WitnessTimeline(cosignatures: stored, problems: problems) }

    static func run(file: AppendOnlyFile, end: UInt64, publicKey: [UInt8], journalID: [UInt8], witnesses: [WitnessPublicKey]) throws -> WitnessScan {
        var scan = WitnessScan()
        var range = CompactRange()
        var reader = FrameReader(file: file, to: end)
        while let frame = try reader.next() {
            switch frame.kind {
            case .record:
                let leaf = MerkleTree.leafHash(frame.bytes)
                range.append(leafHash: leaf)
                scan.leaves.append(leaf)
            case .checkpoint:
                guard let decoded = try? CheckpointFrame.decode(body: frame.body),
                      let checkpoint = try? decoded.verifiedCheckpoint(publicKey: publicKey, journalID: journalID),
                      checkpoint.treeSize == range.size, range.root == checkpoint.rootHash else { continue }
                scan.checkpointNotes[checkpoint.treeSize] = checkpoint.text
            case let .extensionFrame(kind) where kind == Journal.cosignatureFrameKind:
                scan.readCosignatures(frame: frame, publicKey: publicKey, witnesses: witnesses)
            case .lineage, .extensionFrame:
                continue
            }
        }
        return scan
    }

    private mutating func readCosignatures(frame: StoredFrame, publicKey: [UInt8], witnesses: [WitnessPublicKey]) {
        let place = "cosignature frame at byte \(frame.offset)"
        guard let text = String(validating: frame.body, as: UTF8.self), text.hasPrefix(Journal.cosignatureFrameMagic) else {
            problems.append("\(place) is malformed")
            return
        }
        var lines = text.dropFirst(Journal.cosignatureFrameMagic.count).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines.last?.isEmpty == true, let sizeLine = lines.first, sizeLine.hasPrefix("size "),
              let size = UInt64(sizeLine.dropFirst(5)), "size \(size)" == sizeLine else {
            problems.append("\(place) is malformed")
            return
        }
        guard let own = checkpointNotes[size], let checkpoint = try? Checkpoint.parse(own, publicKey: publicKey) else {
            problems.append("\(place) cosigns tree size \(size), which is not one of this journal's checkpoints")
            return
        }
        lines = Array(lines.dropFirst().dropLast())
        let body = checkpoint.noteBody
        for line in lines {
            guard let cosignature = try? Cosignature.parse(line: line) else {
                problems.append("\(place) holds a line that is not a cosignature")
                continue
            }
            let named = witnesses.filter { $0.name == cosignature.witnessName && $0.keyID == cosignature.keyID }
            let verifier = named.first { cosignature.isValid(for: body, witness: $0) }
            if !named.isEmpty, verifier == nil {
                problems.append("\(place): the cosignature by \(cosignature.witnessName) of tree size \(checkpoint.treeSize) does not verify")
            }
            stored.append(StoredCosignature(checkpoint: checkpoint, cosignature: cosignature, verifiedBy: verifier, frameOffset: frame.offset))
        }
    }
}
