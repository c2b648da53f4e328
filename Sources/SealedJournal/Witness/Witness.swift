import Foundation

/// A journal a witness follows, and the latest checkpoint it cosigned for it.
public struct EnrolledJournal: Equatable, Sendable, Codable {
    /// The checkpoint origin, `sealed-journal/<journal id hex>`.
    public let origin: String
    /// The journal's Ed25519 public key.
    public let publicKey: [UInt8]
    /// Tree size of the latest cosigned checkpoint (0 before the first).
    public let cosignedSize: UInt64
    /// Root hash of the latest cosigned checkpoint (the empty-tree root before the first).
    public let cosignedRoot: [UInt8]
    /// Witness time of the latest cosignature, POSIX seconds (0 before the first).
    public let cosignedTime: UInt64
    /// The latest cosigned checkpoint note as submitted (kept as evidence for later conflicts).
    public let cosignedCheckpoint: String?

    /// An entry from its fields (for state stores other than the witness directory).
    public init(origin: String, publicKey: [UInt8], cosignedSize: UInt64, cosignedRoot: [UInt8], cosignedTime: UInt64, cosignedCheckpoint: String?) {
        self.origin = origin
        self.publicKey = publicKey
        self.cosignedSize = cosignedSize
        self.cosignedRoot = cosignedRoot
        self.cosignedTime = cosignedTime
        self.cosignedCheckpoint = cosignedCheckpoint
    }

    /// A new enrolment from a journal verifier key (`sealed-journal/<id>+<key id>+<base64(0x01 || key)>`):
    /// nothing cosigned yet.
    /// - Throws: ``WitnessError/malformedRequest(reason:)`` for anything else.
    public init(journalVerifierKey: String) throws(WitnessError) {
        let (origin, publicKey) = try Witness.parseJournalVerifierKey(journalVerifierKey)
        self.init(origin: origin, publicKey: publicKey, cosignedSize: 0, cosignedRoot: MerkleTree.emptyRoot, cosignedTime: 0, cosignedCheckpoint: nil)
    }
}

/// What a witness decides about one request, before any state is written: cosign (with the
/// entry to store, atomically with the check) or refuse (with evidence to keep, for conflicts).
public enum WitnessDecision: Sendable {
    /// Store `updated` (in the same transaction as the read of the entry), then answer `response`.
    case cosign(WitnessResponse, updated: EnrolledJournal)
    /// Answer `error`; keep `evidence` (a text of public data) when given. Change no entry.
    case refuse(WitnessError, evidence: String?)
}

/// What a witness returns for an accepted request.
public struct WitnessResponse: Sendable, Equatable {
    /// The checkpoint that was cosigned (verified with the journal key).
    public let checkpoint: Checkpoint
    /// The new cosignature.
    public let cosignature: Cosignature

    /// The HTTP 200 body of `add-checkpoint`: the cosignature line and a newline.
    public var body: String { cosignature.line + "\n" }

    /// The response file (FORMAT.md 12.3): the submitted note with the cosignature line added.
    public var cosignedNote: String { checkpoint.text + body }
}

/// A witness (DESIGN.md property 7): it cosigns a journal's checkpoint with its own clock only
/// if the checkpoint is signed by the enrolled journal key and consistent with the last one it
/// cosigned for that journal (C2SP `tlog-witness`, `tlog-cosignature`).
///
/// State lives in a directory (FORMAT.md 12): `witness.key` (the sealed key pair), `journals/`
/// (one file per enrolled journal: its key and latest cosigned checkpoint), `evidence/` (refused
/// conflicting checkpoints) and `lock`. A cosignature is handed out only after the new state is
/// durable (written to a new file, fsynced, renamed over, directory fsynced), and the check and
/// the update happen under one exclusive `flock`, so neither a crash nor concurrent requests
/// (threads or processes) can make it cosign two inconsistent checkpoints of one journal.
///
/// `Sendable`: immutable after opening; every state change goes through the lock file.
public final class Witness: Sendable {
    /// The witness directory.
    public let directory: String
    /// The witness's name and public key (its verifier key is what programs hand out).
    public let identity: WitnessPublicKey
    private let signingKey: Ed25519.SigningKey

    static let keyFileName = "witness.key"
    static let journalsDirectoryName = "journals"
    static let evidenceDirectoryName = "evidence"
    static let lockFileName = "lock"

    private init(directory: String, identity: WitnessPublicKey, signingKey: Ed25519.SigningKey) {
        self.directory = directory
        self.identity = identity
        self.signingKey = signingKey
    }

    /// Creates a witness directory with a fresh key pair named `name` (a schema-less URL such as
    /// `witness.example.org/monitoring`), sealed with `passphrase`. Cost: one Argon2id run.
    /// - Throws: ``WitnessError/damagedState(path:reason:)`` when a key already exists there.
    public static func create(at directory: String, name: String, passphrase: SecretBytes, kdf: KDFPreset = .moderate) throws(WitnessError) -> Witness {
        try WitnessFiles.makeDirectory(directory)
        let keyPath = path(directory, keyFileName)
        guard try WitnessFiles.read(keyPath) == nil else { throw .damagedState(path: keyPath, reason: "a witness key already exists; refusing to overwrite it") }
        let created = try WitnessKeyFile.create(name: name, passphrase: passphrase, kdf: kdf)
        try WitnessFiles.makeDirectory(path(directory, journalsDirectoryName))
        try WitnessFiles.makeDirectory(path(directory, evidenceDirectoryName))
        try WitnessFiles.create(keyPath, Array(created.text.utf8))
        let identity = try WitnessKeyFile.identity(created.text, path: keyPath)
        return Witness(directory: directory, identity: identity, signingKey: created.key)
    }

    /// Opens a witness with its passphrase. Cost: one Argon2id run.
    /// - Throws: ``WitnessError/wrongPassphrase``, ``WitnessError/damagedState(path:reason:)``.
    public static func open(at directory: String, passphrase: SecretBytes) throws(WitnessError) -> Witness {
        let keyPath = path(directory, keyFileName)
        let text = try keyText(keyPath)
        let opened = try WitnessKeyFile.open(text, path: keyPath, passphrase: passphrase)
        return Witness(directory: directory, identity: opened.identity, signingKey: opened.key)
    }

    /// The public identity of the witness in `directory` (no passphrase needed).
    public static func identity(at directory: String) throws(WitnessError) -> WitnessPublicKey {
        let keyPath = path(directory, keyFileName)
        return try WitnessKeyFile.identity(try keyText(keyPath), path: keyPath)
    }

    /// Enrolls a journal by its verifier key (`sealed-journal/<id>+<key id>+<base64(0x01 || key)>`,
    /// printed by the owner with `Journal.verifierKey`). Without the key nothing is ever cosigned
    /// for that origin. Enrolling the same key twice is harmless; another key for an enrolled
    /// origin is refused.
    public func enroll(journalVerifierKey: String) throws(WitnessError) -> EnrolledJournal {
        let entry = try EnrolledJournal(journalVerifierKey: journalVerifierKey)
        let origin = entry.origin
        return try WitnessFiles.withExclusiveLock(lockPath) { () throws(WitnessError) -> EnrolledJournal in
            if let existing = try load(origin: origin) {
                guard existing.publicKey == entry.publicKey else { throw .alreadyEnrolled(origin: origin) }
                return existing
            }
            try WitnessFiles.create(journalPath(origin), try encode(entry))
            return entry
        }
    }

    /// The enrolled journal with this origin, or `nil`.
    public func enrolledJournal(origin: String) throws(WitnessError) -> EnrolledJournal? {
        try WitnessFiles.withExclusiveLock(lockPath) { () throws(WitnessError) -> EnrolledJournal? in try load(origin: origin) }
    }

    /// Paths of the evidence files kept so far (refused conflicting checkpoints), sorted.
    public func evidenceFiles() -> [String] {
        let folder = Witness.path(directory, Witness.evidenceDirectoryName)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted().map { Witness.path(folder, $0) }
    }

    /// Handles one `add-checkpoint` request body (HTTP or request file).
    ///
    /// Checks, in the order C2SP `tlog-witness` gives: size limit and syntax (400/413), enrolled
    /// origin (404), journal signature (403), old size not above the checkpoint (400), old size
    /// equal to the last cosigned size (409 with that size), equal sizes with equal roots (409,
    /// evidence kept), the consistency proof (422, evidence kept). Then, under the same lock, the
    /// new state is made durable before the cosignature is returned.
    ///
    /// Cost: one Ed25519 verify, one sign, a file write with two fsyncs.
    /// - Parameter requestBytes: the request body as received (hostile input).
    /// - Parameter now: the witness clock (tests pass a fixed time). A cosignature's time is never
    ///   earlier than the previous one's for the same journal.
    public func cosign(_ requestBytes: [UInt8], now: Date = Date()) throws(WitnessError) -> WitnessResponse {
        let request = try WitnessRequest.parse(requestBytes)
        let origin = request.origin
        guard Witness.journalFileName(origin) != nil else { throw .unknownJournal(origin: Witness.printable(origin)) }
        return try WitnessFiles.withExclusiveLock(lockPath) { () throws(WitnessError) -> WitnessResponse in
            switch decide(request, entry: try load(origin: origin), now: now) {
            case let .cosign(response, updated):
                try WitnessFiles.replace(journalPath(origin), try encode(updated))
                return response
            case let .refuse(error, evidence):
                guard let evidence else { throw error }
                let path = keepEvidence(evidence, origin: origin)
                switch error {
                case let .fork(origin, size, _): throw .fork(origin: origin, treeSize: size, evidencePath: path)
                case let .inconsistent(origin, from, to, _): throw .inconsistent(origin: origin, fromSize: from, toSize: to, evidencePath: path)
                default: throw error
                }
            }
        }
    }

    /// The checks of ``cosign(_:now:)`` on a parsed request and the journal's current entry (`nil`
    /// when not enrolled), with no I/O: state stores call it inside their own transaction, store
    /// the updated entry, and only then answer. Refusals never ask for the entry to change.
    public func decide(_ request: WitnessRequest, entry: EnrolledJournal?, now: Date) -> WitnessDecision {
        let origin = request.origin
        guard let entry, entry.origin == origin else { return .refuse(.unknownJournal(origin: Witness.printable(origin)), evidence: nil) }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.parse(request.checkpointText, publicKey: entry.publicKey)
        } catch FormatError.badSignature {
            return .refuse(.badSignature(origin: origin), evidence: nil)
        } catch {
            return .refuse(.malformedRequest(reason: "checkpoint: \(error)"), evidence: nil)
        }
        guard checkpoint.origin == origin else { return .refuse(.malformedRequest(reason: "checkpoint origin"), evidence: nil) }
        guard request.oldSize <= checkpoint.treeSize else {
            return .refuse(.malformedRequest(reason: "old size \(request.oldSize) is above the checkpoint size \(checkpoint.treeSize)"), evidence: nil)
        }
        guard request.oldSize == entry.cosignedSize else {
            return .refuse(.staleOldSize(origin: origin, latestCosignedSize: entry.cosignedSize), evidence: nil)
        }
        if checkpoint.treeSize == entry.cosignedSize {
            guard checkpoint.rootHash == entry.cosignedRoot else {
                return .refuse(.fork(origin: origin, treeSize: checkpoint.treeSize, evidencePath: nil),
                               evidence: Witness.evidenceText(reason: "fork", entry: entry, request: request))
            }
            guard request.proof.isEmpty else { return .refuse(.malformedRequest(reason: "a proof between equal sizes must be empty"), evidence: nil) }
        } else if entry.cosignedSize > 0 {
            guard MerkleTree.verifyConsistency(oldSize: entry.cosignedSize, newSize: checkpoint.treeSize, oldRoot: entry.cosignedRoot,
                                               newRoot: checkpoint.rootHash, proof: request.proof) else {
                return .refuse(.inconsistent(origin: origin, fromSize: entry.cosignedSize, toSize: checkpoint.treeSize, evidencePath: nil),
                               evidence: Witness.evidenceText(reason: "inconsistent", entry: entry, request: request))
            }
        }
        let clock = now.timeIntervalSince1970
        let seconds = clock.isFinite && clock > 0 ? UInt64(min(clock, Double(Cosignature.maximumTimestamp / 2))) : 0
        let timestamp = max(seconds, entry.cosignedTime)
        let cosignature = Cosignature.sign(checkpointBody: checkpoint.noteBody, timestamp: timestamp, witnessName: identity.name, key: signingKey)
        let updated = EnrolledJournal(origin: origin, publicKey: entry.publicKey, cosignedSize: checkpoint.treeSize,
                                      cosignedRoot: checkpoint.rootHash, cosignedTime: timestamp, cosignedCheckpoint: checkpoint.text)
        return .cosign(WitnessResponse(checkpoint: checkpoint, cosignature: cosignature), updated: updated)
    }

    /// The evidence kept for a refused conflicting request: the last cosigned checkpoint and the request.
    static func evidenceText(reason: String, entry: EnrolledJournal, request: WitnessRequest) -> String {
        "sealed-journal-witness-evidence/v1\nreason \(reason)\norigin \(entry.origin)\n"
            + "cosigned-size \(entry.cosignedSize)\n\n-- last cosigned checkpoint\n\(entry.cosignedCheckpoint ?? "(none)\n")"
            + "\n-- refused request\n\(request.encoded)"
    }

    // MARK: - State files

    private var lockPath: String { Witness.path(directory, Witness.lockFileName) }

    private func journalPath(_ origin: String) -> String {
        Witness.path(Witness.path(directory, Witness.journalsDirectoryName), Witness.journalFileName(origin) ?? "invalid")
    }

    private func load(origin: String) throws(WitnessError) -> EnrolledJournal? {
        let path = journalPath(origin)
        guard let bytes = try WitnessFiles.read(path) else { return nil }
        guard let entry = try? JSONDecoder().decode(EnrolledJournal.self, from: Data(bytes)), entry.origin == origin,
              entry.publicKey.count == Ed25519.publicKeyByteCount, entry.cosignedRoot.count == MerkleTree.hashByteCount else {
            throw .damagedState(path: path, reason: "not a valid enrolled-journal record")
        }
        return entry
    }

    private func encode(_ entry: EnrolledJournal) throws(WitnessError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(entry) else { throw .crypto("could not encode the witness state") }
        return [UInt8](data) + [0x0A]
    }

    /// Writes an evidence file. Returns its path, or `nil` if it could not be written (the
    /// refusal stands either way).
    private func keepEvidence(_ text: String, origin: String) -> String? {
        let stamp = UInt64(max(0, Date().timeIntervalSince1970))
        let random = Hex.encode((try? RandomBytes.generate(count: 4)) ?? [0, 0, 0, 0])
        let name = "\(Witness.journalFileName(origin) ?? "unknown")-\(stamp)-\(random).txt"
        let path = Witness.path(Witness.path(directory, Witness.evidenceDirectoryName), name)
        return (try? WitnessFiles.create(path, Array(text.utf8))) == nil ? nil : path
    }

    // MARK: - Helpers

    static func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    private static func keyText(_ keyPath: String) throws(WitnessError) -> String {
        guard let bytes = try WitnessFiles.read(keyPath) else { throw .damagedState(path: keyPath, reason: "no witness key here (run witness init)") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .damagedState(path: keyPath, reason: "not UTF-8") }
        return text
    }

    /// The file name for an origin: the 32 hex digits of a `sealed-journal/<id>` origin, or `nil`.
    static func journalFileName(_ origin: String) -> String? {
        guard origin.hasPrefix(Checkpoint.originPrefix) else { return nil }
        let id = origin.dropFirst(Checkpoint.originPrefix.count)
        guard id.utf8.count == 32, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        return String(id)
    }

    /// An origin quoted in an error: at most 80 printable ASCII characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(80).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? $0 : "?" }))
    }

    /// Parses a journal verifier key: `sealed-journal/<id>+<key id hex>+<base64(0x01 || public key)>`.
    static func parseJournalVerifierKey(_ text: String) throws(WitnessError) -> (origin: String, publicKey: [UInt8]) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, journalFileName(String(parts[0])) != nil,
              let material = Data(base64Encoded: String(parts[2])), material.base64EncodedString() == parts[2],
              material.count == 33, material.first == Checkpoint.signatureType else {
            throw .malformedRequest(reason: "not a journal verifier key (sealed-journal/<id>+<key id>+<base64 key>)")
        }
        let origin = String(parts[0])
        let publicKey = Array(material.dropFirst())
        guard Hex.decode(String(parts[1]).lowercased()) == Checkpoint.keyID(keyName: origin, publicKey: publicKey) else {
            throw .malformedRequest(reason: "the journal verifier key's key id does not match its key")
        }
        return (origin, publicKey)
    }
}
