import Foundation

/// An audit bundle (FORMAT.md, "Audit bundles"): what an auditor needs to check a journal's
/// integrity without reading it, plus any records the owner chose to disclose.
///
/// It carries the journal id, public key, fingerprint and latest signed checkpoint; optionally a
/// consistency proof from a checkpoint the auditor kept earlier; and for each disclosed record its
/// stored frame, its record key (which opens that record only) and an RFC 6962 inclusion proof
/// to the checkpoint. Nothing else about content.
public struct AuditBundle: Codable, Sendable, Equatable {
    public static let formatName = "sealed-journal-audit-bundle"
    public static let currentVersion = 1
    /// Largest bundle ``AuditVerifier`` reads (hostile-input bound).
    public static let maximumByteCount = 256 << 20
    /// Most disclosed records in one bundle.
    public static let maximumRecords = 100_000

    public struct DisclosedRecord: Codable, Sendable, Equatable {
        /// The record's sequence number (its leaf index).
        public let sequence: UInt64
        /// The record frame exactly as stored, base64.
        public let frame: String
        /// The record's key, base64: opens this record and nothing else.
        public let recordKey: String
        /// RFC 6962 audit path from the frame's leaf to the checkpoint root, base64 hashes.
        public let inclusionProof: [String]
    }

    public struct Consistency: Codable, Sendable, Equatable {
        /// The earlier checkpoint (signed note text) the proof starts from.
        public let fromCheckpoint: String
        /// RFC 6962 consistency proof to ``AuditBundle/checkpoint``, base64 hashes.
        public let proof: [String]
    }

    public let format: String
    public let version: Int
    public let journalID: String
    public let publicKey: String
    public let fingerprint: String
    /// The journal's signed checkpoint (C2SP signed note).
    public let checkpoint: String
    public let consistency: Consistency?
    public let records: [DisclosedRecord]

    /// The bundle as pretty-printed JSON with sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension Journal {
    /// Builds an audit bundle at the journal's latest checkpoint, disclosing the records whose
    /// sequence numbers are given (may be empty), with a consistency proof from `heldCheckpoint`
    /// when one is given.
    ///
    /// Cost: one pass over the journal's frames (a SHA-256 per record) and 32 bytes of memory per
    /// record for the leaf hashes the proofs need.
    /// - Throws: ``JournalError/noSuchRecord(sequence:recordCount:)``; ``JournalError/invalidField(field:reason:)``
    ///   when the held checkpoint is not this journal's or is not part of its history.
    public func auditBundle(disclosing sequences: [UInt64] = [], consistencyFrom heldCheckpoint: String? = nil) throws -> AuditBundle {
        let tail = state.withLock { $0.tail }
        let size = tail.frame.treeSize
        let wanted = Set(sequences)
        if let missing = wanted.first(where: { $0 >= size }) { throw JournalError.noSuchRecord(sequence: missing, recordCount: size) }
        var leaves: [[UInt8]] = []
        leaves.reserveCapacity(Int(size))
        var frames: [UInt64: [UInt8]] = [:]
        var reader = FrameReader(file: file, to: tail.endOffset)
        while let frame = try reader.next() {
            guard frame.kind == .record else { continue }
            if wanted.contains(UInt64(leaves.count)) { frames[UInt64(leaves.count)] = frame.bytes }
            leaves.append(MerkleTree.leafHash(frame.bytes))
        }
        guard UInt64(leaves.count) == size, MerkleTree.root(ofLeafHashes: leaves[...]) == tail.checkpoint.rootHash else {
            throw JournalError.corruptFrame(offset: tail.frame.frameOffset, sequence: nil, reason: "the records do not match the latest checkpoint; run verify")
        }
        var consistency: AuditBundle.Consistency?
        if let heldCheckpoint {
            let held: Checkpoint
            do { held = try Checkpoint.parse(heldCheckpoint, publicKey: publicKey) } catch {
                throw JournalError.invalidField(field: "held checkpoint", reason: "is not signed by this journal's key")
            }
            guard held.origin == Checkpoint.origin(journalID: journalID), held.treeSize <= size,
                  MerkleTree.root(ofLeafHashes: leaves[0..<Int(held.treeSize)]) == held.rootHash else {
                throw JournalError.invalidField(field: "held checkpoint", reason: "is not part of this journal's history (rewritten or rolled back?)")
            }
            let proof = MerkleTree.consistencyProof(oldSize: Int(held.treeSize), leaves: leaves[...])
            consistency = .init(fromCheckpoint: heldCheckpoint, proof: proof.map { Data($0).base64EncodedString() })
        }
        var disclosed: [AuditBundle.DisclosedRecord] = []
        for sequence in sequences.sorted() where frames[sequence] != nil {
            let key = try RecordSealing.recordKey(sequence: sequence, masterKey: masterKey)
            let proof = MerkleTree.inclusionProof(index: Int(sequence), leaves: leaves[...])
            disclosed.append(.init(sequence: sequence, frame: Data(frames[sequence]!).base64EncodedString(),
                                   recordKey: key.withUnsafeBytes { Data($0).base64EncodedString() },
                                   inclusionProof: proof.map { Data($0).base64EncodedString() }))
            frames[sequence] = nil
        }
        return AuditBundle(format: AuditBundle.formatName, version: AuditBundle.currentVersion, journalID: journalIDHex,
                           publicKey: Data(publicKey).base64EncodedString(), fingerprint: fingerprint,
                           checkpoint: tail.checkpoint.text, consistency: consistency, records: disclosed)
    }

    /// Builds an audit bundle, hands its JSON to `write` (age-encrypted to `recipients` if any:
    /// a bundle that discloses records carries their keys), then records a ``Disclosure``
    /// (format `audit-bundle`, digest = SHA-256 of the bundle JSON). Returns the bundle.
    @discardableResult
    public func discloseAuditBundle(disclosing sequences: [UInt64] = [], consistencyFrom heldCheckpoint: String? = nil,
                                    request: DisclosureRequest, recipients: [AgeRecipient] = [], armored: Bool = false,
                                    write: @escaping (Data) throws -> Void,
                                    beforeRecording: () throws -> Void = {}) throws -> AuditBundle {
        let bundle = try auditBundle(disclosing: sequences, consistencyFrom: heldCheckpoint)
        let json = String(decoding: try bundle.encoded(), as: UTF8.self)
        let treeSize = recordCount
        _ = try OwnerExport.disclose(self, request: request, recipients: recipients, armored: armored, formatName: "audit-bundle",
                                 scope: { _ in
                                     (bundle.records.isEmpty ? "integrity only (no records)"
                                         : "records: " + bundle.records.map { String($0.sequence) }.joined(separator: ","))
                                         + "; checkpoint of \(treeSize) records" + (heldCheckpoint == nil ? "" : "; consistency proof")
                                 },
                                 write: write, beforeRecording: beforeRecording) { sink in
            try sink(json)
            return bundle.records.count
        }
        return bundle
    }

    /// Sequence numbers of the records matching `filter` (for disclosing "by filter").
    public func sequences(matching filter: RecordFilter) throws -> [UInt64] {
        var result: [UInt64] = []
        try forEachRecord(filter) { result.append($0.sequence) }
        return result
    }
}

/// What ``AuditVerifier`` established.
public struct AuditReport: Sendable {
    /// The checkpoint the bundle proves (tree size = record count).
    public let checkpoint: Checkpoint?
    public let journalID: String?
    public let fingerprint: String?
    /// Disclosed records, opened and proven to be in the journal at their position.
    public let records: [JournalRecord]
    /// Whether a consistency proof from an earlier checkpoint was checked.
    public let checkedConsistency: Bool
    public let problems: [String]
    public var isValid: Bool { problems.isEmpty }
}

/// Verifies audit bundles with nothing but the bundle (and optionally a pinned fingerprint and a
/// checkpoint the auditor kept). Treats the bundle as hostile input.
public enum AuditVerifier {
    public static func verify(_ data: Data, fingerprint pinned: String? = nil, heldCheckpoint: String? = nil) -> AuditReport {
        func failure(_ message: String) -> AuditReport {
            AuditReport(checkpoint: nil, journalID: nil, fingerprint: nil, records: [], checkedConsistency: false, problems: [message])
        }
        guard data.count <= AuditBundle.maximumByteCount else { return failure("the bundle is larger than \(AuditBundle.maximumByteCount) bytes") }
        guard let bundle = try? JSONDecoder().decode(AuditBundle.self, from: data) else { return failure("not an audit bundle (malformed JSON or missing fields)") }
        guard bundle.format == AuditBundle.formatName else { return failure("not an audit bundle (format is \"\(bundle.format.prefix(40))\")") }
        guard bundle.version == AuditBundle.currentVersion else {
            return failure("audit bundle version \(bundle.version) is not supported (this verifier reads \(AuditBundle.currentVersion))")
        }
        guard bundle.records.count <= AuditBundle.maximumRecords else { return failure("too many records in the bundle") }
        guard let publicKey = canonicalBase64(bundle.publicKey), publicKey.count == Ed25519.publicKeyByteCount,
              let journalID = Hex.decode(bundle.journalID), journalID.count == FileHeader.journalIDByteCount,
              Hex.encode(journalID) == bundle.journalID else {
            return failure("the bundle's public key or journal id is malformed")
        }
        var problems: [String] = []
        let fingerprint = Fingerprint.of(publicKey: publicKey)
        if bundle.fingerprint != fingerprint { problems.append("the bundle's fingerprint does not match its public key") }
        if let pinned, !Fingerprint.matches(pinned, fingerprint) { problems.append("the journal's fingerprint \(fingerprint) is not the pinned one") }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.parse(bundle.checkpoint, publicKey: publicKey)
        } catch {
            return AuditReport(checkpoint: nil, journalID: bundle.journalID, fingerprint: fingerprint, records: [], checkedConsistency: false,
                               problems: problems + ["the checkpoint does not verify: \(error)"])
        }
        if checkpoint.origin != Checkpoint.origin(journalID: journalID) { problems.append("the checkpoint is for another journal") }

        var checkedConsistency = false
        var provenFrom: Checkpoint?
        if let consistency = bundle.consistency {
            do {
                let old = try Checkpoint.parse(consistency.fromCheckpoint, publicKey: publicKey)
                let proof = try consistency.proof.map { text -> [UInt8] in
                    guard let hash = canonicalBase64(text), hash.count == MerkleTree.hashByteCount else { throw FormatError.invalidField(what: "proof hash") }
                    return hash
                }
                guard consistency.proof.count <= 128, old.origin == checkpoint.origin,
                      MerkleTree.verifyConsistency(oldSize: old.treeSize, newSize: checkpoint.treeSize, oldRoot: old.rootHash,
                                                   newRoot: checkpoint.rootHash, proof: proof) else {
                    throw FormatError.badSignature(what: "consistency proof")
                }
                provenFrom = old
                checkedConsistency = true
            } catch {
                problems.append("the journal's history is not consistent with the earlier checkpoint (records removed or rewritten): \(error)")
            }
        }
        if let heldText = heldCheckpoint {
            if let held = try? Checkpoint.parse(heldText, publicKey: publicKey), held.origin == checkpoint.origin {
                if held.treeSize > checkpoint.treeSize {
                    problems.append("the checkpoint you hold covers \(held.treeSize) records but the bundle only \(checkpoint.treeSize): records were removed (rollback)")
                } else if held.treeSize == checkpoint.treeSize {
                    if held.rootHash == checkpoint.rootHash { checkedConsistency = true } else { problems.append("the bundle's history differs from the checkpoint you hold") }
                } else if let provenFrom, provenFrom.treeSize == held.treeSize, provenFrom.rootHash == held.rootHash {
                    checkedConsistency = true
                } else {
                    problems.append("the bundle has no consistency proof from the checkpoint you hold (ask for one made with --against)")
                }
            } else {
                problems.append("the checkpoint you hold is not signed by this journal's key")
            }
        }

        var records: [JournalRecord] = []
        var seen = Set<UInt64>()
        for disclosed in bundle.records {
            let place = "record \(disclosed.sequence)"
            guard seen.insert(disclosed.sequence).inserted else { problems.append("\(place) appears twice"); continue }
            guard let frame = canonicalBase64(disclosed.frame), frame.count >= Frame.overhead,
                  frame.count <= Frame.maximumBodyByteCount + Frame.overhead,
                  let prefix = try? Frame.parsePrefix(frame[0..<Frame.prefixByteCount]), prefix.kind == .record,
                  (try? Frame.checkSuffix(frame, bodyLength: prefix.bodyLength)) != nil else {
                problems.append("\(place): the frame is malformed"); continue
            }
            guard disclosed.inclusionProof.count <= 64,
                  let proof = try? disclosed.inclusionProof.map({ text -> [UInt8] in
                      guard let hash = canonicalBase64(text), hash.count == MerkleTree.hashByteCount else { throw FormatError.invalidField(what: "proof") }
                      return hash
                  }),
                  MerkleTree.verifyInclusion(index: disclosed.sequence, treeSize: checkpoint.treeSize,
                                             leafHash: MerkleTree.leafHash(frame), proof: proof, root: checkpoint.rootHash) else {
                problems.append("\(place): the inclusion proof does not lead to the signed checkpoint"); continue
            }
            guard let keyBytes = canonicalBase64(disclosed.recordKey), keyBytes.count == XChaCha20Poly1305.keyByteCount,
                  let key = try? SecretBytes(copying: keyBytes) else {
                problems.append("\(place): the record key is malformed"); continue
            }
            do {
                let plaintext = try RecordSealing.open(body: Array(frame[Frame.prefixByteCount..<(frame.count - Frame.suffixByteCount)]),
                                                       recordKey: key, journalID: journalID, sequence: disclosed.sequence)
                records.append(JournalRecord(plaintext, sequence: disclosed.sequence))
            } catch {
                problems.append("\(place): the record key does not open the record (wrong key or altered record)")
            }
        }
        return AuditReport(checkpoint: checkpoint, journalID: bundle.journalID, fingerprint: fingerprint, records: records,
                           checkedConsistency: checkedConsistency, problems: problems)
    }

    /// Strict standard base64 (with padding): decodes and re-encodes to the same text.
    static func canonicalBase64(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else { return nil }
        return [UInt8](data)
    }
}
