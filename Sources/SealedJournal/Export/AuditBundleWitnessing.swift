import Foundation

extension AuditBundle {
    /// A cosigned checkpoint of the journal carried in an audit bundle (FORMAT.md 12.5): the
    /// journal's note of that size with the witnesses' cosignature lines, and an RFC 6962
    /// consistency proof from it to the bundle's ``AuditBundle/checkpoint``.
    struct WitnessedCheckpoint: Codable, Sendable, Equatable {
        /// The journal's checkpoint note followed by cosignature lines.
        let checkpoint: String
        /// Consistency proof (base64 hashes) from this checkpoint to the bundle's checkpoint.
        let proof: [String]
    }
}

/// Whether a check-in is proved to have existed by a witness time, and whether that time is so
/// late after its day that it may have been written afterwards.
public enum WitnessStatus: Sendable, Equatable {
    /// No verified cosignature covers the record.
    case notWitnessed
    /// The record existed by this witness time.
    case witnessed(by: Date)
    /// The earliest witness time is more than a day after the check-in's day ended anywhere on
    /// Earth (day + 1 at 12:00 UTC, the end of the day at UTC-12): it may have been written late.
    case writtenLate(witnessedBy: Date)

    /// The status of a check-in for `day` whose earliest witness time is `witnessedBy`.
    public static func of(day: LocalDate, witnessedBy: Date?) -> WitnessStatus {
        guard let witnessedBy else { return .notWitnessed }
        let dayEndsEverywhere = TimeInterval(Int64(day.daysSinceEpoch) + 1) * 86_400 + 12 * 3_600
        return witnessedBy.timeIntervalSince1970 > dayEndsEverywhere + 86_400 ? .writtenLate(witnessedBy: witnessedBy) : .witnessed(by: witnessedBy)
    }
}

/// What the witnessed checkpoints of an audit bundle prove, checked against pinned witness keys.
public struct AuditWitnessReport: Sendable, Equatable {
    /// For each record of the bundle (by sequence) that a verified cosignature covers: the
    /// earliest witness time, and the name of the witness that gave it.
    public let witnessedBy: [UInt64: (date: Date, witness: String)]
    /// Witnessed checkpoints that do not check out (not the journal's, a bad proof, a cosignature by
    /// a pinned witness that does not verify). Empty when all is well.
    public let problems: [String]

    /// Equal when the problems and every record's time and witness are equal.
    public static func == (lhs: AuditWitnessReport, rhs: AuditWitnessReport) -> Bool {
        lhs.problems == rhs.problems && lhs.witnessedBy.count == rhs.witnessedBy.count
            && lhs.witnessedBy.allSatisfy { rhs.witnessedBy[$0.key]?.date == $0.value.date && rhs.witnessedBy[$0.key]?.witness == $0.value.witness }
    }
}

extension AuditVerifier {
    /// Most witnessed checkpoints read from one bundle (hostile-input bound).
    public static let maximumWitnessedCheckpoints = 10_000

    /// Checks the bundle's witnessed checkpoints with `witnesses` (pinned keys) and gives each
    /// record of the bundle its earliest witness time. Call it on a bundle that ``verify(_:fingerprint:heldCheckpoint:expectedScope:)``
    /// found valid: this checks only the witnessed part (each checkpoint signed by the journal,
    /// consistent with the bundle's checkpoint, cosigned by a pinned witness).
    public static func witnessTimes(_ data: Data, witnesses: [WitnessPublicKey]) -> AuditWitnessReport {
        guard data.count <= AuditBundle.maximumByteCount, let bundle = try? JSONDecoder().decode(AuditBundle.self, from: data),
              let publicKey = canonicalBase64(bundle.publicKey), publicKey.count == Ed25519.publicKeyByteCount,
              let head = try? Checkpoint.parse(bundle.checkpoint, publicKey: publicKey) else {
            return AuditWitnessReport(witnessedBy: [:], problems: ["not a valid audit bundle"])
        }
        let entries = bundle.witnessed ?? []
        guard entries.count <= maximumWitnessedCheckpoints else {
            return AuditWitnessReport(witnessedBy: [:], problems: ["too many witnessed checkpoints"])
        }
        var problems: [String] = []
        var times: [(size: UInt64, date: Date, witness: String)] = []
        for (index, entry) in entries.enumerated() {
            let place = "witnessed checkpoint \(index + 1)"
            guard entry.checkpoint.utf8.count <= Checkpoint.maximumTextByteCount,
                  let checkpoint = try? Checkpoint.parse(entry.checkpoint, publicKey: publicKey), checkpoint.origin == head.origin else {
                problems.append("\(place) is not a checkpoint signed by this journal")
                continue
            }
            let proof = entry.proof.compactMap { canonicalBase64($0) }
            guard proof.count == entry.proof.count, proof.count <= 128, proof.allSatisfy({ $0.count == MerkleTree.hashByteCount }),
                  checkpoint.treeSize <= head.treeSize,
                  checkpoint.treeSize == head.treeSize ? (proof.isEmpty && checkpoint.rootHash == head.rootHash)
                    : (checkpoint.treeSize > 0 && MerkleTree.verifyConsistency(oldSize: checkpoint.treeSize, newSize: head.treeSize, oldRoot: checkpoint.rootHash,
                                                                               newRoot: head.rootHash, proof: proof)) else {
                problems.append("\(place) (tree size \(checkpoint.treeSize)) is not consistent with the bundle's checkpoint")
                continue
            }
            let verified = checkpoint.cosignatures(by: witnesses)
            for line in entry.checkpoint.split(separator: "\n") {
                guard let cosignature = try? Cosignature.parse(line: line),
                      witnesses.contains(where: { $0.name == cosignature.witnessName && $0.keyID == cosignature.keyID }),
                      !verified.contains(where: { $0.cosignature == cosignature }) else { continue }
                problems.append("\(place): the cosignature by \(cosignature.witnessName) does not verify")
            }
            for found in verified { times.append((checkpoint.treeSize, found.cosignature.date, found.witness.name)) }
        }
        // Earliest time among sizes above a sequence: sort by size, take suffix minima, binary search.
        times.sort { $0.size < $1.size }
        var suffixBest = times
        for index in suffixBest.indices.reversed().dropFirst() where suffixBest[index + 1].date < suffixBest[index].date {
            suffixBest[index] = suffixBest[index + 1]
        }
        let sizes = times.map(\.size)
        var witnessedBy: [UInt64: (date: Date, witness: String)] = [:]
        for record in bundle.records {
            let index = firstIndex(in: sizes, above: record.sequence)
            if index < suffixBest.count { witnessedBy[record.sequence] = (suffixBest[index].date, suffixBest[index].witness) }
        }
        return AuditWitnessReport(witnessedBy: witnessedBy, problems: problems)
    }
}

/// The index of the first element of ascending `sizes` above `value` (`sizes.count` if none).
func firstIndex(in sizes: [UInt64], above value: UInt64) -> Int {
    var low = 0, high = sizes.count
    while low < high {
        let middle = (low + high) / 2
        if sizes[middle] > value { high = middle } else { low = middle + 1 }
    }
    return low
}

extension Journal {
    /// The cosigned checkpoints an audit bundle of `sequences` carries: for each record and each
    /// witness, the smallest cosigned tree size that contains the record, with a consistency
    /// proof to the latest checkpoint (`leaves` are every record's leaf hash). `nil` when none.
    func witnessedCheckpoints(for sequences: [UInt64], leaves: [[UInt8]], end: UInt64) throws(JournalError) -> [AuditBundle.WitnessedCheckpoint]? {
        let scan = try scanForWitnessing(end: end, witnesses: [])
        guard !scan.stored.isEmpty, !sequences.isEmpty else { return nil }
        var byWitness: [String: [UInt64]] = [:]
        for stored in scan.stored { byWitness[stored.cosignature.witnessName, default: []].append(stored.checkpoint.treeSize) }
        var wanted = Set<UInt64>()
        for sizes in byWitness.values {
            let sorted = Set(sizes).sorted()
            for sequence in sequences {
                let index = firstIndex(in: sorted, above: sequence)
                if index < sorted.count, sorted[index] <= UInt64(leaves.count) { wanted.insert(sorted[index]) }
            }
        }
        let latest = UInt64(leaves.count)
        return wanted.sorted().compactMap { size -> AuditBundle.WitnessedCheckpoint? in
            guard let note = scan.checkpointNotes[size] else { return nil }
            let lines = scan.stored.filter { $0.checkpoint.treeSize == size }.map { $0.cosignature.line + "\n" }
            let proof = size == latest ? [] : MerkleTree.consistencyProof(oldSize: Int(size), leaves: leaves[...])
            return AuditBundle.WitnessedCheckpoint(checkpoint: note + Array(Set(lines)).sorted().joined(),
                                                   proof: proof.map { Data($0).base64EncodedString() })
        }
    }
}
