import Foundation

/// An audit bundle (FORMAT.md 9.4): what an auditor needs to check a journal's integrity without
/// reading it, plus the records the owner chose to disclose.
///
/// It carries the journal id, public key, fingerprint and latest signed checkpoint; optionally a
/// consistency proof from a checkpoint the auditor kept earlier; and for each disclosed record its
/// stored frame, its envelope key (kind and day only) and, when its content is disclosed, its
/// content key, with an RFC 6962 inclusion proof to the checkpoint. A bundle that claims
/// completeness for a scope (e.g. "every check-in from 1 to 30 November") opens the envelope of
/// every record in the journal, so the auditor can see that nothing in scope was left out, and
/// learns only the kind and day of the records outside it.
public struct AuditBundle: Codable, Sendable, Equatable {
    /// The value of ``format`` in every bundle this library writes and reads.
    static let formatName = "sealed-journal-audit-bundle"
    /// The bundle version this library writes (``AuditVerifier`` refuses others).
    static let currentVersion = 2
    /// Largest bundle ``AuditVerifier`` reads (hostile-input bound).
    public static let maximumByteCount = 256 << 20
    /// Most records in one bundle.
    static let maximumRecords = 200_000

    /// What the bundle was made for: the filter and date range, and whether it claims completeness.
    public struct Scope: Codable, Sendable, Equatable {
        /// Kinds in scope, sorted; `nil` for every kind. (JSON: an array of kind names.)
        public let kinds: [RecordKind]?
        /// First and last local day in scope (`YYYY-MM-DD`), inclusive; `nil` for no bound.
        public let from: String?
        /// Last local day in scope (`YYYY-MM-DD`), inclusive; `nil` for no bound.
        public let to: String?
        /// `true`: every record whose envelope is in scope has its content disclosed, and every
        /// record's envelope is in the bundle to prove it.
        public let complete: Bool

        /// A scope over `kinds` (`nil`: all) from `from` to `to` (inclusive local days; `nil`: no bound).
        public init(kinds: Set<RecordKind>?, from: LocalDate?, to: LocalDate?, complete: Bool) {
            self.kinds = kinds?.sorted()
            self.from = from?.description
            self.to = to?.description
            self.complete = complete
        }

        func contains(_ envelope: RecordEnvelope) -> Bool {
            if let kinds, !kinds.contains(RecordKind(rawValue: envelope.kind)) { return false }
            let day = LocalDate(daysSinceEpoch: envelope.day)
            if let from = from.flatMap({ try? LocalDate($0) }), day < from { return false }
            if let to = to.flatMap({ try? LocalDate($0) }), to < day { return false }
            return true
        }
    }

    /// One record in the bundle: its stored frame and the keys the owner chose to reveal for it.
    struct DisclosedRecord: Codable, Sendable, Equatable {
        /// The record's sequence number (its leaf index).
        let sequence: UInt64
        /// The record frame exactly as stored, base64.
        let frame: String
        /// The record's envelope key, base64: reveals its kind and day, nothing else.
        let envelopeKey: String
        /// The record's content key, base64, when its content is disclosed: opens this record and nothing else.
        let contentKey: String?
        /// RFC 6962 audit path from the frame's leaf to the checkpoint root, base64 hashes (empty
        /// when the bundle holds every record: the verifier then recomputes the root).
        let inclusionProof: [String]
    }

    /// A proof that the bundle's checkpoint extends a checkpoint the auditor kept earlier (nothing
    /// was removed or rewritten since).
    struct Consistency: Codable, Sendable, Equatable {
        /// The earlier checkpoint (signed note text) the proof starts from.
        let fromCheckpoint: String
        /// RFC 6962 consistency proof to ``AuditBundle/checkpoint``, base64 hashes.
        let proof: [String]
    }

    /// Always ``formatName``.
    let format: String
    /// The bundle version (``currentVersion`` when written by this library).
    let version: Int
    /// The journal's random id, 32 hex digits (public: it is in every checkpoint).
    public let journalID: String
    /// The journal's Ed25519 checkpoint-signing public key, base64.
    let publicKey: String
    /// The journal's fingerprint (see ``Fingerprint``): the auditor compares it with the one the
    /// owner shared out of band.
    public let fingerprint: String
    /// The journal's signed checkpoint (C2SP signed note).
    public let checkpoint: String
    /// A consistency proof from an earlier checkpoint the auditor holds; `nil` when none was asked for.
    let consistency: Consistency?
    /// The scope the bundle was made for (not signed: a verifier confirms it by passing the scope it
    /// expects); `nil` for a bundle that only discloses chosen records.
    public let scope: Scope?
    /// The records in the bundle, in sequence order: disclosed ones with their content key, and (for
    /// a complete scope) every other record with its envelope key only.
    let records: [DisclosedRecord]
    /// Witnessed checkpoints of the journal (FORMAT.md 12.5), each with a consistency proof to
    /// ``checkpoint``; absent when the journal stores no cosignature.
    var witnessed: [WitnessedCheckpoint]? = nil
    /// The lineage statements of a re-keyed journal (FORMAT.md 7, 10.4), oldest first: who re-keyed
    /// it from which key, and which positions each rekey left out; absent for a journal never re-keyed.
    var lineage: [String]? = nil

    /// The bundle as pretty-printed JSON with sorted keys.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` if a field cannot be encoded as JSON.
    public func encoded() throws(JournalError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw .invalidField(field: "audit bundle", reason: "cannot be encoded as JSON")
        }
    }

    /// Number of records whose content is disclosed.
    public var disclosedContentCount: Int { records.filter { $0.contentKey != nil }.count }
}

extension Journal {
    /// Builds an audit bundle at the journal's latest checkpoint.
    ///
    /// - Parameters:
    ///   - sequences: records whose content to disclose (ignored when `scope` claims completeness:
    ///     then exactly the records whose envelope is in scope are disclosed).
    ///   - scope: what the bundle is for; with `complete: true`, every record's envelope is included.
    ///   - heldCheckpoint: a checkpoint the auditor kept, to prove consistency from.
    ///
    /// Cost: one pass over the journal's frames (a SHA-256 per record, an envelope opened per record
    /// for complete scopes) and 32 bytes of memory per record for the leaf hashes.
    /// - Throws: ``JournalError/noSuchRecord(sequence:recordCount:)``; ``JournalError/invalidField(field:reason:)``
    ///   when the held checkpoint is not this journal's or is not part of its history.
    /// Internal: a bundle carries record keys, so embedders get one only through
    /// `disclose(AuditBundle.Request(...))`, which records the disclosure.
    func auditBundle(disclosing sequences: [UInt64] = [], scope: AuditBundle.Scope? = nil,
                            consistencyFrom heldCheckpoint: String? = nil) throws(JournalError) -> AuditBundle {
        try checkCurrent()
        return try JournalError.mapping {
            let tail = committedTail
            let size = tail.frame.treeSize
            let complete = scope?.complete ?? false
            var wanted = Set(sequences)
            if !complete, let missing = wanted.filter({ $0 >= size }).min() { throw JournalError.noSuchRecord(sequence: missing, recordCount: size) }
            let cipher = try makeRecordCipher()
            var leaves: [[UInt8]] = []
            leaves.reserveCapacity(Int(size))
            var frames: [UInt64: [UInt8]] = [:]
            var reader = committedFrameReader(to: tail.endOffset)
            while UInt64(leaves.count) < size, let frame = try reader.next() {
                guard frame.kind == .record else { continue }
                let sequence = UInt64(leaves.count)
                if complete {
                    frames[sequence] = frame.bytes
                    if let scope, scope.contains(try cipher.openEnvelope(body: frame.body, sequence: sequence)) { wanted.insert(sequence) }
                } else if wanted.contains(sequence) {
                    frames[sequence] = frame.bytes
                }
                leaves.append(MerkleTree.leafHash(frame.bytes))
            }
            guard UInt64(leaves.count) == size, MerkleTree.root(ofLeafHashes: leaves[...]) == tail.checkpoint.rootHash else {
                throw JournalError.corruptFrame(offset: tail.frame.frameOffset, sequence: nil, reason: "the records do not match the latest checkpoint; run verify")
            }
            let consistency = try heldCheckpoint.map { text throws -> AuditBundle.Consistency in
                let held: Checkpoint
                do { held = try Checkpoint.parse(try HeldCheckpointText.canonicalNote(in: text), publicKey: publicKey) } catch {
                    throw JournalError.invalidField(field: "held checkpoint", reason: "is not signed by this journal's key (\(error))")
                }
                guard held.origin == Checkpoint.origin(journalID: journalID), held.treeSize <= size,
                      MerkleTree.root(ofLeafHashes: leaves[0..<Int(held.treeSize)]) == held.rootHash else {
                    throw JournalError.invalidField(field: "held checkpoint", reason: "is not part of this journal's history (rewritten or rolled back?)")
                }
                let proof = MerkleTree.consistencyProof(oldSize: Int(held.treeSize), leaves: leaves[...])
                return .init(fromCheckpoint: held.text, proof: proof.map { Data($0).base64EncodedString() })
            }
            var disclosed: [AuditBundle.DisclosedRecord] = []
            for (sequence, bytes) in frames.sorted(by: { $0.key < $1.key }) {
                let body = Array(bytes[Frame.prefixByteCount..<(bytes.count - Frame.suffixByteCount)])
                let keys = try cipher.keys(body: body, sequence: sequence)
                let proof = complete ? [] : MerkleTree.inclusionProof(index: Int(sequence), leaves: leaves[...]).map { Data($0).base64EncodedString() }
                disclosed.append(.init(sequence: sequence, frame: Data(bytes).base64EncodedString(),
                                       envelopeKey: keys.envelopeKey.withUnsafeBytes { Data($0).base64EncodedString() },
                                       contentKey: wanted.contains(sequence) ? keys.contentKey.withUnsafeBytes { Data($0).base64EncodedString() } : nil,
                                       inclusionProof: proof))
            }
            var bundle = AuditBundle(format: AuditBundle.formatName, version: AuditBundle.currentVersion, journalID: journalIDHex,
                                     publicKey: Data(publicKey).base64EncodedString(), fingerprint: fingerprint.description,
                                     checkpoint: tail.checkpoint.text, consistency: consistency, scope: scope, records: disclosed)
            bundle.witnessed = try witnessedCheckpoints(for: disclosed.map(\.sequence), leaves: leaves, end: tail.endOffset)
            let chain = try LineageChain.read(file: file, header: state.withLock { $0.header.header })
            bundle.lineage = chain.texts.isEmpty ? nil : chain.texts
            return bundle
        }
    }

    // Disclosing a bundle: journal.disclose(AuditBundle.Request(...), to:output:), below.

    /// Sequence numbers of the records matching `filter` (for disclosing "by filter").
    public func sequences(matching filter: RecordFilter) throws(JournalError) -> [UInt64] {
        var result: [UInt64] = []
        var cursor = try cursor(filter)
        while let record = try cursor.next() { result.append(record.sequence) }
        return result
    }
}

/// A record's kind and local day, as an audit bundle shows it (from its envelope).
public struct AuditEnvelope: Sendable, Equatable {
    /// The record's position in the journal.
    public let sequence: UInt64
    /// The record's kind.
    public let kind: RecordKind
    /// The record's local day (the check-in's day, or the writer's local day when it was written).
    public let day: LocalDate
    /// Whether the record's content is disclosed in the bundle.
    public let contentDisclosed: Bool
}

/// One day of a check-in bundle, for the per-day table.
public struct AuditDay: Sendable {
    /// The local day of this row.
    public let day: LocalDate
    /// Disclosed check-ins for the day (usually one).
    public let checkIns: [CheckIn]
    /// Check-ins for the day whose content is not in the bundle.
    public let undisclosedCheckIns: Int
    /// Other records of the day (kind and day only): private entries, disclosures...
    public let privateRecords: Int
}

/// One rekey of the journal, from a signed lineage statement in the bundle (FORMAT.md 7).
public struct AuditRekey: Sendable, Equatable {
    /// The retired key's fingerprint (it signed the statement).
    public let from: Fingerprint
    /// The key it handed over to.
    public let to: Fingerprint
    /// Records the journal had under the retired key.
    public let previousRecordCount: UInt64
    /// Positions (in the retired key's numbering) the rekey left out: erased at the owner's request.
    public let omitted: [ClosedRange<UInt64>]
    /// How many positions were left out.
    public var omittedCount: UInt64 { omitted.reduce(0) { $0 + ($1.upperBound - $1.lowerBound + 1) } }
}

/// What ``AuditVerifier`` established.
public struct AuditReport: Sendable {
    /// The checkpoint the bundle proves (tree size = record count).
    public let checkpoint: Checkpoint?
    /// The journal id the bundle names; `nil` when the bundle could not be parsed.
    public let journalID: JournalID?
    /// The fingerprint of the key that signed the bundle's checkpoint.
    public let fingerprint: Fingerprint?
    /// Disclosed records, opened and proven to be in the journal at their position.
    public let records: [JournalRecord]
    /// The kind and day of every record whose envelope the bundle opens.
    public let envelopes: [AuditEnvelope]
    /// The scope completeness was judged against: the one the verifier asked for, or else the
    /// one the bundle states (which is not signed: see ``scopeConfirmed``).
    public let scope: AuditBundle.Scope?
    /// `true` when the verifier gave the scope it expected and the bundle was made for exactly that.
    public let scopeConfirmed: Bool
    /// `true` when the bundle claims completeness and the claim holds.
    public let isComplete: Bool
    /// Whether a consistency proof from an earlier checkpoint (or the held checkpoint itself) was checked.
    public let checkedConsistency: Bool
    /// What failed, first problem first (never record content). Empty when every check passed.
    public let problems: [String]
    /// `true` when every check passed: signature, proofs, disclosed keys and (when claimed) completeness.
    public var isValid: Bool { problems.isEmpty }
    /// The journal's rekeys, oldest first, from the signed lineage statements the bundle carries
    /// (each verified with the key it retired); empty for a journal never re-keyed.
    public internal(set) var rekeys: [AuditRekey] = []
    /// The pinned fingerprint when it was a retired key that signed a rekey of this journal (the
    /// pin was followed; confirm the current fingerprint with the owner), else `nil`.
    public internal(set) var followedFingerprint: Fingerprint? = nil

    /// For a bundle with a day range: one row per day from `scope.from` to `scope.to`.
    public var days: [AuditDay] {
        guard let scope, let from = scope.from.flatMap({ try? LocalDate($0) }), let to = scope.to.flatMap({ try? LocalDate($0) }), from <= to else { return [] }
        var checkIns: [LocalDate: [CheckIn]] = [:]
        for record in records {
            if case let .checkIn(checkIn) = record.content { checkIns[checkIn.day, default: []].append(checkIn) }
        }
        var undisclosed: [LocalDate: Int] = [:], others: [LocalDate: Int] = [:]
        for envelope in envelopes {
            if envelope.kind == RecordKind.checkIn {
                if !envelope.contentDisclosed { undisclosed[envelope.day, default: 0] += 1 }
            } else {
                others[envelope.day, default: 0] += 1
            }
        }
        var rows: [AuditDay] = []
        var day = from
        while day <= to, rows.count < 3660 {
            rows.append(AuditDay(day: day, checkIns: checkIns[day] ?? [], undisclosedCheckIns: undisclosed[day] ?? 0, privateRecords: others[day] ?? 0))
            if day.next == day { break }
            day = day.next
        }
        return rows
    }
}

/// Verifies audit bundles with nothing but the bundle (and optionally a pinned fingerprint and a
/// checkpoint the auditor kept). Treats the bundle as hostile input.
public enum AuditVerifier {
    /// Verifies `data` as an audit bundle.
    /// - Parameters:
    ///   - data: the bundle's bytes, as received (at most ``AuditBundle/maximumByteCount``).
    ///   - pinned: the fingerprint the journal must have (checked first).
    ///   - heldCheckpoint: a checkpoint the auditor kept (read as people send it).
    ///   - expectedScope: what the auditor asked for. The bundle's own `scope` is not signed, so a
    ///     completeness claim is only as good as the scope it is judged against: give it, and a
    ///     bundle made (or edited) for any other scope fails.
    public static func verify(_ data: Data, fingerprint pinned: Fingerprint? = nil, heldCheckpoint: String? = nil,
                              expectedScope: AuditBundle.Scope? = nil) -> AuditReport {
        func failure(_ message: String, checkpoint: Checkpoint? = nil) -> AuditReport {
            AuditReport(checkpoint: checkpoint, journalID: nil, fingerprint: nil, records: [], envelopes: [], scope: nil,
                        scopeConfirmed: false, isComplete: false, checkedConsistency: false, problems: [message])
        }
        guard data.count <= AuditBundle.maximumByteCount else { return failure("the bundle is larger than \(AuditBundle.maximumByteCount) bytes") }
        if let probe = try? JSONDecoder().decode(VersionProbe.self, from: data), probe.format == AuditBundle.formatName,
           probe.version != AuditBundle.currentVersion {
            return failure("audit bundle version \(probe.version) is not supported (this verifier reads \(AuditBundle.currentVersion))")
        }
        guard let bundle = try? JSONDecoder().decode(AuditBundle.self, from: data) else {
            if data.starts(with: Array("age-encryption.org/".utf8)) || data.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)) {
                return failure("not an audit bundle yet: it is age-encrypted; decrypt it first (age -d -i YOUR-KEY-FILE BUNDLE), then verify what comes out")
            }
            return failure("not an audit bundle (malformed JSON or missing fields)")
        }
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
        let fingerprint = Fingerprint.of(publicKey: publicKey)
        // The rekey history, checked as a chain ending at this key (each statement signed by the key it retired).
        var chain = LineageChain(statements: [])
        if let texts = bundle.lineage {
            do {
                guard texts.count <= 64 else { throw FormatError.limitExceeded(what: "lineage statements", limit: 64) }
                chain = LineageChain(statements: try texts.map { text throws(FormatError) in try LineageStatement.parse(text) }, texts: texts)
                try chain.check(journalID: journalID, publicKey: publicKey)
            } catch {
                return failure("the bundle's rekey history does not verify: \(error)")
            }
        }
        // Identity first: a bundle from another journal is reported before anything else. A pin
        // of a retired key holds through the signed statement it made.
        var followed: Fingerprint?
        if let pinned, pinned != fingerprint {
            guard chain.statements.contains(where: { Fingerprint.of(publicKey: $0.predecessorPublicKey) == pinned }) else {
                return failure("the journal's fingerprint is \(fingerprint), not the pinned \(pinned): this bundle is from a different journal")
            }
            followed = pinned
        }
        var problems: [String] = []
        if bundle.fingerprint != fingerprint.description { problems.append("the bundle's fingerprint does not match its public key") }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.parse(bundle.checkpoint, publicKey: publicKey)
        } catch {
            return AuditReport(checkpoint: nil, journalID: JournalID(bytes: journalID), fingerprint: fingerprint, records: [], envelopes: [],
                               scope: bundle.scope, scopeConfirmed: false, isComplete: false, checkedConsistency: false,
                               problems: problems + ["the checkpoint does not verify: \(error)"])
        }
        if checkpoint.origin != Checkpoint.origin(journalID: journalID) { problems.append("the checkpoint is for another journal") }
        var checkedConsistency = false
        let provenFrom = verifyConsistency(bundle, checkpoint: checkpoint, publicKey: publicKey, problems: &problems)
        if provenFrom != nil { checkedConsistency = true }
        if let heldCheckpoint {
            checkedConsistency = compareHeld(heldCheckpoint, checkpoint: checkpoint, provenFrom: provenFrom, publicKey: publicKey,
                                             chain: chain, problems: &problems)
        }
        if let expectedScope, bundle.scope != expectedScope {
            problems.append("the bundle was made for \(describe(bundle.scope)), not for the scope you asked for (\(describe(expectedScope)))")
        }
        let scope = expectedScope ?? bundle.scope
        let opened = openRecords(bundle, checkpoint: checkpoint, journalID: journalID, problems: &problems)
        let isComplete = checkCompleteness(scope, bundle: bundle, opened: opened, treeSize: checkpoint.treeSize, problems: &problems)
        if let last = chain.statements.last, bundle.scope?.complete == true {
            // With every frame at hand, the records the last rekey carried over are checked too.
            let carried = (0..<min(last.carriedCount, checkpoint.treeSize)).compactMap { opened.leafHashes[$0] }
            if UInt64(carried.count) != last.carriedCount || MerkleTree.root(ofLeafHashes: carried[...]) != last.carriedRoot {
                problems.append("the journal's first \(last.carriedCount) records are not the ones its last rekey signed as carried over")
            }
        }
        var report = AuditReport(checkpoint: checkpoint, journalID: JournalID(bytes: journalID), fingerprint: fingerprint, records: opened.records,
                                 envelopes: opened.envelopes, scope: scope, scopeConfirmed: expectedScope != nil && bundle.scope == expectedScope,
                                 isComplete: isComplete, checkedConsistency: checkedConsistency, problems: problems)
        report.rekeys = chain.statements.map { statement in
            AuditRekey(from: Fingerprint.of(publicKey: statement.predecessorPublicKey), to: Fingerprint.of(publicKey: statement.successorPublicKey),
                       previousRecordCount: statement.predecessorTreeSize, omitted: statement.omitted)
        }
        report.followedFingerprint = followed
        return report
    }

    private struct VersionProbe: Decodable {
        let format: String
        let version: Int
    }

    /// Checks the bundle's consistency proof; returns the checkpoint it proves from.
    private static func verifyConsistency(_ bundle: AuditBundle, checkpoint: Checkpoint, publicKey: [UInt8], problems: inout [String]) -> Checkpoint? {
        guard let consistency = bundle.consistency else { return nil }
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
            return old
        } catch {
            problems.append("the journal's history is not consistent with the earlier checkpoint (records removed or rewritten): \(error)")
            return nil
        }
    }

    /// Compares with the checkpoint the auditor holds (read the way people send it).
    private static func compareHeld(_ text: String, checkpoint: Checkpoint, provenFrom: Checkpoint?, publicKey: [UInt8],
                                    chain: LineageChain, problems: inout [String]) -> Bool {
        let held: Checkpoint
        do {
            let canonical = try HeldCheckpointText.canonicalNote(in: text)
            guard canonical.hasPrefix(checkpoint.origin + "\n") else {
                let origin = String(canonical.prefix { $0 != "\n" })
                guard let (statement, isLast) = chain.statement(forPredecessorOrigin: origin) else {
                    problems.append("the checkpoint you hold is for another journal")
                    return false
                }
                return compareHeldPredecessor(canonical, statement: statement, isLast: isLast, problems: &problems)
            }
            held = try Checkpoint.parse(canonical, publicKey: publicKey, held: true)
        } catch {
            if case .badSignature = error {
                problems.append("the checkpoint you hold names this journal but is not signed by its key (forged or altered)")
            } else {
                problems.append("the checkpoint you hold cannot be read (garbled: \(error))")
            }
            return false
        }
        if held.treeSize > checkpoint.treeSize {
            problems.append("the checkpoint you hold covers \(held.treeSize) records but the bundle only \(checkpoint.treeSize): the bundle was made "
                            + "before your checkpoint, or records were removed (rollback); ask for a bundle made now with --against your checkpoint")
        } else if held.treeSize == checkpoint.treeSize {
            if held.rootHash == checkpoint.rootHash { return true }
            problems.append("the bundle's history differs from the checkpoint you hold")
        } else if let provenFrom, provenFrom.treeSize == held.treeSize, provenFrom.rootHash == held.rootHash {
            return true
        } else {
            problems.append("the bundle has no consistency proof from the checkpoint you hold (ask for one made with --against)")
        }
        return false
    }

    /// A held checkpoint of a key the journal was re-keyed from: it cannot vouch for the bundle
    /// (FORMAT.md 7); the problem says why, as `verify` does.
    private static func compareHeldPredecessor(_ canonical: String, statement: LineageStatement, isLast: Bool, problems: inout [String]) -> Bool {
        let held: Checkpoint
        do {
            held = try Checkpoint.parse(canonical, publicKey: statement.predecessorPublicKey, held: true)
        } catch {
            problems.append("the checkpoint you hold names a key this journal was re-keyed from but does not verify with it (forged or altered)")
            return false
        }
        // Never a pass: across a rekey a held checkpoint proves nothing about the records now in
        // the journal (LineageStatement.problem).
        problems.append(statement.problem(withHeld: held, isLast: isLast))
        return false
    }

    private struct Opened {
        var records: [JournalRecord] = []
        var envelopes: [AuditEnvelope] = []
        var envelopeBySequence: [UInt64: RecordEnvelope] = [:]
        var leafHashes: [UInt64: [UInt8]] = [:]
    }

    /// Proves each record's place and opens its envelope (and content when disclosed).
    private static func openRecords(_ bundle: AuditBundle, checkpoint: Checkpoint, journalID: [UInt8], problems: inout [String]) -> Opened {
        var opened = Opened()
        let complete = bundle.scope?.complete ?? false  // decides only how positions are proven (all frames, or proofs)
        for disclosed in bundle.records {
            let place = "record #\(disclosed.sequence)"
            guard opened.leafHashes[disclosed.sequence] == nil else { problems.append("\(place) appears twice"); continue }
            guard disclosed.sequence < checkpoint.treeSize else { problems.append("\(place) is beyond the checkpoint"); continue }
            guard let frame = canonicalBase64(disclosed.frame), frame.count >= Frame.overhead,
                  frame.count <= Frame.maximumBodyByteCount + Frame.overhead,
                  let prefix = try? Frame.parsePrefix(frame[0..<Frame.prefixByteCount]), prefix.kind == .record,
                  (try? Frame.checkSuffix(frame, bodyLength: prefix.bodyLength)) != nil else {
                problems.append("\(place): the frame is malformed"); continue
            }
            let leaf = MerkleTree.leafHash(frame)
            if !complete {
                guard disclosed.inclusionProof.count <= 64,
                      let proof = try? disclosed.inclusionProof.map({ text -> [UInt8] in
                          guard let hash = canonicalBase64(text), hash.count == MerkleTree.hashByteCount else { throw FormatError.invalidField(what: "proof") }
                          return hash
                      }),
                      MerkleTree.verifyInclusion(index: disclosed.sequence, treeSize: checkpoint.treeSize,
                                                 leafHash: leaf, proof: proof, root: checkpoint.rootHash) else {
                    problems.append("\(place): the inclusion proof does not lead to the signed checkpoint"); continue
                }
            }
            opened.leafHashes[disclosed.sequence] = leaf
            let body = Array(frame[Frame.prefixByteCount..<(frame.count - Frame.suffixByteCount)])
            guard let envelopeKey = canonicalBase64(disclosed.envelopeKey), envelopeKey.count == RecordSealing.keyByteCount,
                  let envelope = try? envelopeKey.withUnsafeBytes({ try RecordSealing.openEnvelope(body: body, key: $0, journalID: journalID, sequence: disclosed.sequence) }) else {
                problems.append("\(place): the envelope key does not open the record's envelope (wrong key or altered record)"); continue
            }
            opened.envelopeBySequence[disclosed.sequence] = envelope
            opened.envelopes.append(AuditEnvelope(sequence: disclosed.sequence, kind: RecordKind(rawValue: envelope.kind), day: LocalDate(daysSinceEpoch: envelope.day),
                                                  contentDisclosed: disclosed.contentKey != nil))
            guard let contentText = disclosed.contentKey else { continue }
            guard let contentKey = canonicalBase64(contentText), contentKey.count == RecordSealing.keyByteCount,
                  let plaintext = try? contentKey.withUnsafeBytes({ try RecordSealing.openContent(body: body, key: $0, journalID: journalID, sequence: disclosed.sequence) }) else {
                problems.append("\(place): the content key does not open the record (wrong key or altered record)"); continue
            }
            let record = JournalRecord(plaintext, sequence: disclosed.sequence)
            guard plaintext.kind == envelope.kind else { problems.append("\(place): its envelope and content disagree on its kind"); continue }
            if case let .checkIn(checkIn) = record.content, checkIn.day.daysSinceEpoch != envelope.day {
                problems.append("\(place): its envelope and content disagree on its day"); continue
            }
            opened.records.append(record)
        }
        if complete {
            let leaves = (0..<checkpoint.treeSize).compactMap { opened.leafHashes[$0] }
            if UInt64(leaves.count) != checkpoint.treeSize {
                problems.append("the bundle claims completeness but holds \(leaves.count) of the journal's \(checkpoint.treeSize) records")
            } else if MerkleTree.root(ofLeafHashes: leaves[...]) != checkpoint.rootHash {
                problems.append("the bundle's records do not hash to the signed checkpoint (altered, missing or reordered)")
            }
        }
        return opened
    }

    static func describe(_ scope: AuditBundle.Scope?) -> String {
        guard let scope else { return "no stated scope" }
        let kinds = scope.kinds.map { $0.map(\.rawValue).joined(separator: ", ") } ?? "all kinds"
        return "\(kinds), \(scope.from ?? "the start") to \(scope.to ?? "the end")" + (scope.complete ? ", complete" : "")
    }

    /// A complete bundle must disclose the content of every record whose envelope is in scope.
    private static func checkCompleteness(_ scope: AuditBundle.Scope?, bundle: AuditBundle, opened: Opened, treeSize: UInt64,
                                          problems: inout [String]) -> Bool {
        guard let scope, scope.complete else { return false }
        let before = problems.count
        let missing = opened.envelopeBySequence.filter { scope.contains($0.value) }
            .filter { sequence, _ in !opened.records.contains { $0.sequence == sequence } }
            .sorted { $0.key < $1.key }
        for (sequence, envelope) in missing.prefix(20) {
            problems.append("incomplete: the \(envelope.kind == RecordKind.checkIn ? "check-in" : envelope.kind) of \(LocalDate(daysSinceEpoch: envelope.day)) (record #\(sequence)) is in scope but not disclosed")
        }
        if missing.count > 20 { problems.append("incomplete: \(missing.count - 20) more record(s) in scope are not disclosed") }
        return problems.count == before && opened.envelopeBySequence.count == Int(treeSize)
    }

    /// Strict standard base64 (with padding): decodes and re-encodes to the same text.
    static func canonicalBase64(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else { return nil }
        return [UInt8](data)
    }
}

extension AuditBundle {
    /// An audit bundle to disclose (``Journal/disclose(_:to:output:beforeRecording:)``): built at the
    /// journal's latest checkpoint, its JSON written, recorded with format `audit-bundle` (digest =
    /// SHA-256 of the bundle JSON). A bundle that discloses records carries their keys: give the
    /// output age recipients. The summary is the bundle.
    public struct Request: Disclosable {
        /// Records whose content to disclose (ignored when `scope` claims completeness).
        public var sequences: [UInt64]
        /// What the bundle is for; with `complete: true` every record's envelope is included.
        public var scope: AuditBundle.Scope?
        /// A checkpoint the auditor kept, to prove consistency from.
        public var heldCheckpoint: String?

        /// A bundle disclosing `sequences` (or everything in a complete `scope`), with a
        /// consistency proof from `heldCheckpoint` when given.
        ///
        /// The bundle is built at the journal's latest checkpoint. Cost: one pass over the frames
        /// (a SHA-256 per record, an envelope opened per record for complete scopes) and 32 bytes
        /// of memory per record. Producing it throws ``JournalError/noSuchRecord(sequence:recordCount:)``
        /// for a record that does not exist, and ``JournalError/invalidField(field:reason:)`` when
        /// the held checkpoint is not this journal's or not part of its history.
        public init(disclosing sequences: [UInt64] = [], scope: AuditBundle.Scope? = nil, consistencyFrom heldCheckpoint: String? = nil) {
            self.sequences = sequences
            self.scope = scope
            self.heldCheckpoint = heldCheckpoint
        }

        /// `audit-bundle`.
        public var disclosureFormat: String { "audit-bundle" }

        /// Builds the bundle and writes its JSON (a bundle carries no notice).
        public func produce(from journal: Journal, notice: String?, into sink: (String) throws -> Void) throws -> DisclosureProduct<AuditBundle> {
            let treeSize = journal.recordCount
            let bundle = try journal.auditBundle(disclosing: sequences, scope: scope, consistencyFrom: heldCheckpoint)
            try sink(String(decoding: try bundle.encoded(), as: UTF8.self))
            var parts: [String] = []
            if let scope {
                parts.append("kinds: " + (scope.kinds?.map(\.rawValue).joined(separator: ",") ?? "all"))
                parts.append("days: \(scope.from ?? "start") to \(scope.to ?? "now")")
                if scope.complete { parts.append("complete (kind and day of every record shown)") }
            }
            let disclosed = bundle.records.filter { $0.contentKey != nil }.map { String($0.sequence) }
            parts.append(disclosed.isEmpty ? "integrity only (no records)" : "records: " + disclosed.joined(separator: ","))
            parts.append("checkpoint of \(treeSize) records")
            if heldCheckpoint != nil { parts.append("consistency proof") }
            return DisclosureProduct(summary: bundle, scope: parts.joined(separator: "; "))
        }
    }
}
