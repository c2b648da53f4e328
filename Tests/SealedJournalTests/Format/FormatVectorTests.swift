import Foundation
import Testing
@testable import SealedJournal

/// The worked example of FORMAT.md: a small journal made with fixed randomness, a fixed
/// passphrase and fixed times. The test rebuilds it and compares it byte for byte with the
/// committed files; `REGENERATE_FORMAT_VECTORS=1 swift test --filter FormatVector` (or
/// `make vectors`) rewrites them, and scripts/read-journal.py reads them independently.
@Suite("Format test vectors", .serialized)
struct FormatVectorTests {
    static let seed = "SealedJournal format vectors v2"
    static let passphrase = "correct horse battery staple"
    static let successorPassphrase = "a new passphrase after a leak"
    static let kdf = KDFPreset.custom(opsLimit: 2, memoryLimitBytes: 65536)
    static let vectorsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors")
    static let formatDocument = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FORMAT.md")

    struct Built {
        let bytes: [UInt8]
        let description: [String: Any]
        let bundle: Data
        let rekeyed: [UInt8]
        let rekeyedDescription: [String: Any]
        /// A complete check-in bundle of the re-keyed journal: it carries the lineage statement.
        let rekeyedBundle: Data
    }

    /// Every frame of a journal: records with their keys, envelopes and plaintext fields, checkpoints, lineage statements.
    static func describeFrames(of journal: Journal, path: String) throws -> (records: [[String: Any]], checkpoints: [[String: Any]], lineage: [String]) {
        let bytes = try fileBytes(path)
        var records: [[String: Any]] = []
        var checkpoints: [[String: Any]] = []
        var lineage: [String] = []
        let cipher = try RecordCipher(masterKey: journal.masterKey, journalID: journal.journalID)
        var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(bytes.count))
        var sequence: UInt64 = 0
        while let frame = try reader.next() {
            switch frame.kind {
            case .record:
                let plaintext = try cipher.open(body: frame.body, sequence: sequence)
                let envelope = try cipher.openEnvelope(body: frame.body, sequence: sequence)
                let keys = try cipher.keys(body: frame.body, sequence: sequence)
                records.append(["sequence": sequence, "offset": frame.offset, "kind": plaintext.kind,
                                "recordedAtMilliseconds": plaintext.recordedAtMilliseconds,
                                "timeZoneOffsetSeconds": Int(plaintext.timeZoneOffsetSeconds),
                                "envelopeDay": Int(envelope.day), "envelopeDate": LocalDate(daysSinceEpoch: envelope.day).description,
                                "payload": String(decoding: plaintext.payload, as: UTF8.self),
                                "nonce": Hex.encode(frame.body.prefix(24)),
                                "envelopeKey": keys.envelopeKey.withUnsafeBytes { Hex.encode($0) },
                                "contentKey": keys.contentKey.withUnsafeBytes { Hex.encode($0) },
                                "frame": Hex.encode(frame.bytes)])
                sequence += 1
            case .checkpoint:
                let decoded = try CheckpointFrame.decode(body: frame.body)
                checkpoints.append(["offset": frame.offset, "treeSize": decoded.treeSize, "text": decoded.noteText,
                                    "frame": Hex.encode(frame.bytes)])
            case .lineage:
                lineage.append(String(decoding: frame.body, as: UTF8.self))
            case .extensionFrame:
                break
            }
        }
        return (records, checkpoints, lineage)
    }

    static func build(in dir: TemporaryDirectory) throws -> Built {
        let path = dir.file("format-v2.sjournal")
        return try DeterministicRandomness.withSeed(seed) {
            let created = try Journal.create(at: path, passphrase: SecretBytes(utf8: passphrase), kdf: kdf, durability: .unsafeNoSync)
            let journal = created.journal
            let newYork = try #require(TimeZone(secondsFromGMT: -18_000))
            let day1 = Date(timeIntervalSince1970: 1_767_254_400)  // 2026-01-01T08:00:00Z
            try journal.append(JournalEntry(text: "Day 1. I am grateful for my sister.", title: "Morning", tags: ["gratitude"]), at: day1, timeZone: newYork)
            try journal.append(CheckIn(day: try LocalDate("2026-01-01"), timeZoneOffsetSeconds: -18_000, mood: 7, craving: 2, use: .sober,
                                       sleepHours: 7.5, meetingsAttended: 1, meetingKinds: [.aa], medication: .taken,
                                       triggers: ["payday"], reachedOutToSupport: true, note: "Called my sponsor."),
                               at: day1.addingTimeInterval(13.5 * 3600), timeZone: newYork)
            try journal.appendBatch([
                PendingRecord(JournalEntry(text: "Day 2."), recordedAt: day1.addingTimeInterval(86_400), timeZone: newYork),
                PendingRecord(Amendment(amends: 0, text: "My sister and my brother.", reason: "left him out"),
                              recordedAt: day1.addingTimeInterval(86_460), timeZone: newYork),
            ])
            let bytes = try fileBytes(path)
            let frames = try describeFrames(of: journal, path: path)
            let description: [String: Any] = [
                "seed": seed, "passphrase": passphrase,
                "argon2id": ["opsLimit": 2, "memoryLimitBytes": 65536],
                "masterKey": journal.masterKey.withUnsafeBytes { Hex.encode($0) },
                "recoveryKey": created.recoveryKey.displayString,
                "journalID": journal.journalIDHex,
                "publicKey": Hex.encode(journal.publicKey),
                "fingerprint": journal.fingerprint.description,
                "fileSize": bytes.count,
                "records": frames.records, "checkpoints": frames.checkpoints,
            ]
            let firstCheckpoint = try #require(frames.checkpoints.first { ($0["treeSize"] as? UInt64) == 1 }?["text"] as? String)
            let bundle = try journal.auditBundle(scope: AuditBundle.Scope(kinds: [RecordKind.checkIn], from: try LocalDate("2026-01-01"),
                                                                          to: try LocalDate("2026-01-02"), complete: true),
                                                 consistencyFrom: firstCheckpoint).encoded()

            // The same journal re-keyed, erasing record 2 ("Day 2.").
            let rekeyedPath = dir.file("format-v2-rekeyed.sjournal")
            try Data(bytes).write(to: URL(fileURLWithPath: rekeyedPath))
            let copy = try Journal.open(at: rekeyedPath, passphrase: SecretBytes(utf8: passphrase), durability: .unsafeNoSync)
            let rekeying = try copy.rekey(to: SecretBytes(utf8: successorPassphrase), kdf: kdf, omitting: [2])
            let rekeyedBytes = try fileBytes(rekeyedPath)
            let rekeyedFrames = try describeFrames(of: rekeying.journal, path: rekeyedPath)
            let rekeyedDescription: [String: Any] = [
                "passphrase": successorPassphrase,
                "masterKey": rekeying.journal.masterKey.withUnsafeBytes { Hex.encode($0) },
                "recoveryKey": rekeying.recoveryKey.displayString,
                "journalID": rekeying.journal.journalIDHex,
                "publicKey": Hex.encode(rekeying.journal.publicKey),
                "fingerprint": rekeying.journal.fingerprint.description,
                "previousFingerprint": rekeying.previousFingerprint.description,
                "omitted": rekeying.omittedRecords,
                "fileSize": rekeyedBytes.count,
                "lineage": rekeyedFrames.lineage,
                "records": rekeyedFrames.records, "checkpoints": rekeyedFrames.checkpoints,
            ]
            let rekeyedBundle = try rekeying.journal.auditBundle(scope: AuditBundle.Scope(kinds: [RecordKind.checkIn], from: try LocalDate("2026-01-01"),
                                                                                       to: try LocalDate("2026-01-02"), complete: true)).encoded()
            return Built(bytes: bytes, description: description, bundle: bundle, rekeyed: rekeyedBytes, rekeyedDescription: rekeyedDescription,
                         rekeyedBundle: rekeyedBundle)
        }
    }

    static func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    @Test("the example journals are rebuilt byte for byte from the documented inputs")
    func vectorsMatch() throws {
        let dir = try TemporaryDirectory()
        let built = try Self.build(in: dir)
        let files: [(String, Data)] = [
            ("format-v2.sjournal", Data(built.bytes)), ("format-v2.json", try Self.json(built.description)),
            ("format-v2-rekeyed.sjournal", Data(built.rekeyed)), ("format-v2-rekeyed.json", try Self.json(built.rekeyedDescription)),
            ("audit-bundle-v2.json", built.bundle), ("audit-bundle-v2-rekeyed.json", built.rekeyedBundle),
        ]
        if ProcessInfo.processInfo.environment["REGENERATE_FORMAT_VECTORS"] == "1" {
            for (name, data) in files { try data.write(to: Self.vectorsDirectory.appendingPathComponent(name)) }
        }
        for (name, data) in files {
            #expect(try Data(contentsOf: Self.vectorsDirectory.appendingPathComponent(name)) == data,
                    "\(name) differs: the format changed without updating FORMAT.md and the vectors")
        }
        let bundleReport = AuditVerifier.verify(built.bundle)
        #expect(bundleReport.isValid && bundleReport.isComplete && bundleReport.rekeys.isEmpty, "\(bundleReport.problems)")
        // The re-keyed journal's bundle: the original fingerprint is followed through the signed
        // statement, and the erased position is reported.
        let originalText = try #require(built.description["fingerprint"] as? String)
        let original = try #require(Fingerprint(originalText))
        let rekeyedReport = AuditVerifier.verify(built.rekeyedBundle, fingerprint: original)
        #expect(rekeyedReport.isValid && rekeyedReport.isComplete && rekeyedReport.followedFingerprint == original, "\(rekeyedReport.problems)")
        #expect(rekeyedReport.rekeys.map(\.omitted) == [[2...2]] && rekeyedReport.rekeys.first?.previousRecordCount == 4)

        // The committed journals open with the documented secrets, and verify.
        let copy = dir.file("committed.sjournal")
        try Data(built.bytes).write(to: URL(fileURLWithPath: copy))
        let journal = try Journal.open(at: copy, passphrase: SecretBytes(utf8: Self.passphrase), mode: .readOnly)
        #expect(journal.recordCount == 4)
        let recovery = try #require(built.description["recoveryKey"] as? String)
        #expect(try Journal.open(at: copy, recoveryKey: RecoveryKey(recovery), mode: .readOnly).recordCount == 4)
        #expect(journal.verify().isValid)
        let rekeyed = dir.file("rekeyed.sjournal")
        try Data(built.rekeyed).write(to: URL(fileURLWithPath: rekeyed))
        let successor = try Journal.open(at: rekeyed, passphrase: SecretBytes(utf8: Self.successorPassphrase), mode: .readOnly)
        #expect(successor.recordCount == 3 && successor.verify().isValid)
        let followed = Journal.verify(at: rekeyed, options: .init(fingerprint: Fingerprint(try #require(built.description["fingerprint"] as? String))))
        #expect(followed.isValid && followed.predecessorFingerprints.count == 1, "\(followed)")
        #expect(throws: JournalError.wrongPassphrase) { try Journal.open(at: rekeyed, passphrase: SecretBytes(utf8: Self.passphrase), mode: .readOnly) }
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
