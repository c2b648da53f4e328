import Foundation
import Testing
@testable import SealedJournal

/// The worked example of FORMAT.md: a small journal made with fixed randomness, a fixed
/// passphrase and fixed times. The test rebuilds it and compares it byte for byte with the
/// committed files; `REGENERATE_FORMAT_VECTORS=1 swift test --filter FormatVector` (or
/// `make vectors`) rewrites them, and scripts/read-journal.py reads them independently.
@Suite("Format test vectors", .serialized)
struct FormatVectorTests {
    static let seed = "SealedJournal format vectors v1"
    static let passphrase = "correct horse battery staple"
    static let kdf = KDFPreset.custom(opsLimit: 2, memoryLimitBytes: 65536)
    static let vectorsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors")
    static let formatDocument = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FORMAT.md")

    struct Built {
        let bytes: [UInt8]
        let description: [String: Any]
        let bundle: Data
    }

    static func build(in dir: TemporaryDirectory) throws -> Built {
        let path = dir.file("format-v1.sjournal")
        return try DeterministicRandomness.withSeed(seed) {
            let created = try Journal.create(at: path, passphrase: SecretBytes(utf8: passphrase), kdf: kdf, durability: .unsafeNoSync)
            let journal = created.journal
            let day1 = Date(timeIntervalSince1970: 1_767_254_400)  // 2026-01-01T08:00:00Z
            try journal.append(JournalEntry(text: "Day 1. I am grateful for my sister.", title: "Morning", tags: ["gratitude"]), at: day1)
            try journal.append(CheckIn(day: try LocalDate("2026-01-01"), timeZoneOffsetSeconds: -18_000, mood: 7, craving: 2, use: .sober,
                                       sleepHours: 7.5, meetingsAttended: 1, meetingKinds: [.aa], medication: .taken,
                                       triggers: ["payday"], reachedOutToSupport: true, note: "Called my sponsor."),
                               at: day1.addingTimeInterval(13.5 * 3600))
            try journal.appendBatch([
                PendingRecord(JournalEntry(text: "Day 2."), recordedAt: day1.addingTimeInterval(86_400)),
                PendingRecord(Amendment(amends: 0, text: "My sister and my brother.", reason: "left him out"), recordedAt: day1.addingTimeInterval(86_460)),
            ])
            let bytes = try fileBytes(path)
            var records: [[String: Any]] = []
            var checkpoints: [[String: Any]] = []
            var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(bytes.count))
            var sequence: UInt64 = 0
            while let frame = try reader.next() {
                switch frame.kind {
                case .record:
                    let record = try journal.record(at: sequence)
                    let recordKey = try RecordSealing.recordKey(sequence: sequence, masterKey: journal.masterKey)
                    records.append(["sequence": sequence, "offset": frame.offset, "kind": record.kind,
                                    "recordedAtMilliseconds": Int64((record.recordedAt.timeIntervalSince1970 * 1000).rounded()),
                                    "payload": String(decoding: record.payload, as: UTF8.self),
                                    "recordKey": recordKey.withUnsafeBytes { Hex.encode($0) },
                                    "frame": Hex.encode(frame.bytes)])
                    sequence += 1
                case .checkpoint:
                    let decoded = try CheckpointFrame.decode(body: frame.body)
                    checkpoints.append(["offset": frame.offset, "treeSize": decoded.treeSize, "text": decoded.noteText,
                                        "frame": Hex.encode(frame.bytes)])
                }
            }
            let description: [String: Any] = [
                "seed": seed, "passphrase": passphrase,
                "argon2id": ["opsLimit": 2, "memoryLimitBytes": 65536],
                "masterKey": journal.masterKey.withUnsafeBytes { Hex.encode($0) },
                "recoveryKey": created.recoveryKey.displayString,
                "journalID": journal.journalIDHex,
                "publicKey": Hex.encode(journal.publicKey),
                "fingerprint": journal.fingerprint,
                "fileSize": bytes.count,
                "records": records, "checkpoints": checkpoints,
            ]
            let firstCheckpoint = try #require(checkpoints.first { ($0["treeSize"] as? UInt64) == 1 }?["text"] as? String)
            let bundle = try journal.auditBundle(disclosing: [1, 3], consistencyFrom: firstCheckpoint).encoded()
            return Built(bytes: bytes, description: description, bundle: bundle)
        }
    }

    @Test("the example journal is rebuilt byte for byte from the documented inputs")
    func vectorsMatch() throws {
        let dir = try TemporaryDirectory()
        let built = try Self.build(in: dir)
        let binary = Self.vectorsDirectory.appendingPathComponent("format-v1.sjournal")
        let json = Self.vectorsDirectory.appendingPathComponent("format-v1.json")
        let descriptionData = try JSONSerialization.data(withJSONObject: built.description, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let bundle = Self.vectorsDirectory.appendingPathComponent("audit-bundle-v1.json")
        if ProcessInfo.processInfo.environment["REGENERATE_FORMAT_VECTORS"] == "1" {
            try Data(built.bytes).write(to: binary)
            try descriptionData.write(to: json)
            try built.bundle.write(to: bundle)
        }
        #expect(try Data(contentsOf: bundle) == built.bundle, "audit-bundle-v1.json differs: the bundle format changed")
        #expect(AuditVerifier.verify(try Data(contentsOf: bundle)).isValid)
        let committed = [UInt8](try Data(contentsOf: binary))
        #expect(committed == built.bytes, "format-v1.sjournal differs: the format changed without updating FORMAT.md and the vectors")
        #expect(try Data(contentsOf: json) == descriptionData)

        // The committed journal opens with the documented passphrase and recovery key, and verifies.
        let copy = dir.file("committed.sjournal")
        try Data(committed).write(to: URL(fileURLWithPath: copy))
        let journal = try Journal.open(at: copy, passphrase: SecretBytes(utf8: Self.passphrase), mode: .readOnly)
        #expect(journal.recordCount == 4)
        let recovery = try #require(built.description["recoveryKey"] as? String)
        #expect(try Journal.open(at: copy, recoveryKey: RecoveryKey(recovery), mode: .readOnly).recordCount == 4)
        #expect(journal.verify().isValid)
    }

    @Test("FORMAT.md shows the example's bytes as they are")
    func documentMatches() throws {
        let dir = try TemporaryDirectory()
        let built = try Self.build(in: dir)
        let document = try String(contentsOf: Self.formatDocument, encoding: .utf8)
        let records = try #require(built.description["records"] as? [[String: Any]])
        let checkpoints = try #require(built.description["checkpoints"] as? [[String: Any]])
        let samples = [
            Self.hexDump(Array(built.bytes[0..<128])),
            Self.hexDump([UInt8](hex: records[0]["frame"] as? String ?? "") ?? []),
            try #require(checkpoints[1]["text"] as? String),
        ]
        for sample in samples {
            #expect(document.contains(sample), "FORMAT.md is missing or has a stale copy of:\n\(sample)")
        }
    }

    /// 16 bytes per line: "0000  xx xx ... xx".
    static func hexDump(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            String(format: "%04x  ", start) + bytes[start..<min(start + 16, bytes.count)].map { String(format: "%02x", $0) }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}
