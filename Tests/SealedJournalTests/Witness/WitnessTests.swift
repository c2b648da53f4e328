import Foundation
import Testing
@testable import SealedJournal

/// A witness and a journal owner, end to end in the library: enrolment, cosigning, storing
/// cosignatures in the journal, forks, refusals, concurrency.
@Suite struct WitnessTests {
    static let name = "witness.example.org/monitoring"
    static let day = Date(timeIntervalSince1970: 1_764_201_600)  // 2025-11-27T00:00:00Z

    struct Setup {
        let dir: TemporaryDirectory
        let witness: Witness
        let journal: Journal
        let journalPath: String
    }

    static func setUp() throws -> Setup {
        let dir = try TemporaryDirectory()
        let witness = try Witness.create(at: dir.file("witness"), name: name, passphrase: testPassphrase("witness passphrase"), kdf: testKDF)
        let journalPath = dir.file("journal.sjournal")
        let journal = try makeJournal(at: journalPath).journal
        _ = try witness.enroll(journalVerifierKey: journal.verifierKey)
        return Setup(dir: dir, witness: witness, journal: journal, journalPath: journalPath)
    }

    static func checkIn(_ journal: Journal, _ mood: Int = 6) throws {
        try journal.append(JournalEntry(text: "day \(mood)"), at: day, timeZone: TimeZone(identifier: "UTC")!)
    }

    static func bytes(_ request: WitnessRequest) -> [UInt8] { Array(request.encoded.utf8) }

    @Test func cosignsConsistentCheckpointsAndTheJournalStoresThem() throws {
        let s = try Self.setUp()
        try Self.checkIn(s.journal, 1)
        try Self.checkIn(s.journal, 2)
        let first = try s.journal.witnessRequest(for: s.witness.identity)
        #expect(first.oldSize == 0 && first.proof.isEmpty)
        let response = try s.witness.cosign(Self.bytes(first), now: Self.day.addingTimeInterval(3600))
        #expect(response.checkpoint.treeSize == 2)
        #expect(response.cosignature.timestamp == UInt64(Self.day.timeIntervalSince1970) + 3600)
        #expect(response.cosignature.isValid(for: response.checkpoint.noteBody, witness: s.witness.identity))
        #expect(response.body.hasPrefix("— \(Self.name) ") && response.body.hasSuffix("\n"))
        let stored = try s.journal.storeCosignatures(response.cosignedNote, witness: s.witness.identity)
        #expect(stored == [response.cosignature])
        #expect(s.journal.recordCount == 3, "one witness receipt record")
        #expect(throws: JournalError.self, "importing the same answer twice") {
            try s.journal.storeCosignatures(response.cosignedNote, witness: s.witness.identity)
        }
        #expect(s.journal.recordCount == 3)

        try Self.checkIn(s.journal, 3)
        let second = try s.journal.witnessRequest(for: s.witness.identity)
        #expect(second.oldSize == 2 && !second.proof.isEmpty)
        let later = try s.witness.cosign(Self.bytes(second), now: Self.day.addingTimeInterval(7200))
        try s.journal.storeCosignatures(later.cosignedNote, witness: s.witness.identity)

        let timeline = try s.journal.witnessTimeline(witnesses: [s.witness.identity])
        #expect(timeline.problems.isEmpty)
        #expect(timeline.witnessTimes == [2: Self.day.addingTimeInterval(3600), 4: Self.day.addingTimeInterval(7200)])
        #expect(timeline.witnessedBy(sequence: 0) == Self.day.addingTimeInterval(3600))
        #expect(timeline.witnessedBy(sequence: 3) == Self.day.addingTimeInterval(7200))
        #expect(timeline.witnessedBy(sequence: 4) == nil, "the receipt commit itself is not witnessed yet")
        // Keyless, from the file; and an unpinned witness proves nothing.
        let keyless = try Journal.witnessTimeline(at: s.journalPath, witnesses: [s.witness.identity])
        #expect(keyless == timeline)
        #expect(try Journal.witnessTimeline(at: s.journalPath, witnesses: []).witnessTimes.isEmpty)
        // The journal still verifies (extension frames are framing-checked, not leaves) and reopens.
        let report = Journal.verify(at: s.journalPath)
        #expect(report.isValid, "\(report.problems)")
        #expect(report.recordCount == 5)
        let reopened = try Journal.open(at: s.journalPath, passphrase: testPassphrase())
        let receipts = try readAll(reopened).filter { $0.kind == WitnessReceipt.recordKind }
        #expect(receipts.count == 2)
    }

    @Test func aCommitWithCosignaturesTornBeforeItsCheckpointIsCut() throws {
        let s = try Self.setUp()
        try Self.checkIn(s.journal)
        let before = try fileBytes(s.journalPath)
        let response = try s.witness.cosign(Self.bytes(try s.journal.witnessRequest(oldSize: 0)), now: Self.day)
        try s.journal.storeCosignatures(response.cosignedNote, witness: s.witness.identity)
        let after = try fileBytes(s.journalPath)
        // Keep the receipt record and the extension frame, lose the end of the checkpoint frame.
        try writeFileBytes(Array(after.prefix(after.count - 40)), to: s.journalPath)
        let reopened = try Journal.open(at: s.journalPath, passphrase: testPassphrase())
        #expect(reopened.tornTailBytesAtOpen == UInt64(after.count - 40 - before.count))
        #expect(reopened.recordCount == 1)
        #expect(try fileBytes(s.journalPath) == before)
        // And storing again works.
        try reopened.storeCosignatures(response.cosignedNote, witness: s.witness.identity)
        #expect(try reopened.witnessTimeline(witnesses: [s.witness.identity]).witnessTimes == [1: Self.day])
    }

    @Test func aForkIsRefusedTheEvidenceKeptAndTheStateUnchanged() throws {
        let s = try Self.setUp()
        try Self.checkIn(s.journal, 1)
        let snapshot = try fileBytes(s.journalPath)  // the owner keeps a copy at size 1
        try Self.checkIn(s.journal, 2)
        try Self.checkIn(s.journal, 3)
        _ = try s.witness.cosign(Self.bytes(try s.journal.witnessRequest(oldSize: 0)), now: Self.day)
        let cosigned = try #require(try s.witness.enrolledJournal(origin: s.journal.latestCheckpoint.origin))
        #expect(cosigned.cosignedSize == 3)

        // Roll back to size 1 and write a different history of the same size: a fork (409).
        let forkPath = s.dir.file("fork.sjournal")
        try writeFileBytes(snapshot, to: forkPath)
        let fork = try Journal.open(at: forkPath, passphrase: testPassphrase(), durability: .unsafeNoSync)
        try Self.checkIn(fork, 7)
        try Self.checkIn(fork, 8)
        #expect(fork.recordCount == 3 && fork.latestCheckpoint.rootHash != cosigned.cosignedRoot)
        #expect {
            try s.witness.cosign(Self.bytes(try fork.witnessRequest(oldSize: 3)), now: Self.day)
        } throws: { error in
            guard let error = error as? WitnessError, case let .fork(_, size, evidence) = error, error.httpStatus == 409 else { return false }
            return size == 3 && evidence != nil
        }
        // Longer: a proof from 3 computed on the forked history does not verify (422).
        try Self.checkIn(fork, 9)
        #expect {
            try s.witness.cosign(Self.bytes(try fork.witnessRequest(oldSize: 3)), now: Self.day)
        } throws: { error in
            guard let error = error as? WitnessError, case .inconsistent(_, 3, 4, let evidence) = error else { return false }
            return error.httpStatus == 422 && evidence != nil
        }
        #expect(try s.witness.enrolledJournal(origin: cosigned.origin) == cosigned, "a refusal changes nothing")
        let evidence = s.witness.evidenceFiles()
        #expect(evidence.count == 2)
        let kept = try String(contentsOfFile: evidence[0], encoding: .utf8)
        #expect(kept.contains(cosigned.cosignedCheckpoint ?? "?") && kept.contains("-- refused request\nold 3\n"))
        var info = stat()
        #expect(stat(evidence[0], &info) == 0 && info.st_mode & 0o777 == 0o600)
        // The genuine journal carries on.
        try Self.checkIn(s.journal, 4)
        let next = try s.witness.cosign(Self.bytes(try s.journal.witnessRequest(oldSize: 3)), now: Self.day)
        #expect(next.checkpoint.treeSize == 4)
    }

    @Test func refusalsCarryTheSpecStatusesAndChangeNothing() throws {
        let s = try Self.setUp()
        try Self.checkIn(s.journal, 1)
        _ = try s.witness.cosign(Self.bytes(try s.journal.witnessRequest(oldSize: 0)), now: Self.day)
        try Self.checkIn(s.journal, 2)
        let origin = s.journal.latestCheckpoint.origin
        let state = try s.witness.enrolledJournal(origin: origin)
        let good = try s.journal.witnessRequest(oldSize: 1)

        let other = try makeJournal(at: s.dir.file("other.sjournal")).journal
        try Self.checkIn(other)
        let tampered = good.checkpointText.replacingOccurrences(of: "\n2\n", with: "\n3\n")
        var badProof = good.proof
        badProof[0][0] ^= 1
        let cases: [(String, [UInt8], Int, String?)] = [
            ("unknown journal", Self.bytes(try other.witnessRequest(oldSize: 0)), 404, nil),
            ("altered checkpoint", Array(WitnessRequest(oldSize: 1, proof: good.proof, checkpointText: tampered).encoded.utf8), 403, nil),
            ("stale old size", Self.bytes(try s.journal.witnessRequest(oldSize: 0)), 409, "1\n"),
            ("old size above the checkpoint", Array(WitnessRequest(oldSize: 5, proof: [], checkpointText: good.checkpointText).encoded.utf8), 400, nil),
            ("bad proof", Array(WitnessRequest(oldSize: 1, proof: badProof, checkpointText: good.checkpointText).encoded.utf8), 422, nil),
            ("oversized", [UInt8](repeating: 0x41, count: WitnessRequest.maximumByteCount + 1), 413, nil),
            ("no blank line", Array("old 1\n".utf8), 400, nil),
            ("leading zero", Array(("old 01\n\n" + good.checkpointText).utf8), 400, nil),
            ("CRLF", Array(good.encoded.replacingOccurrences(of: "\n", with: "\r\n").utf8), 400, nil),
            ("proof from 0", Array(("old 0\n" + Data(badProof[0]).base64EncodedString() + "\n\n" + good.checkpointText).utf8), 400, nil),
            ("64 proof lines", Array(("old 1\n" + String(repeating: Data(badProof[0]).base64EncodedString() + "\n", count: 64) + "\n" + good.checkpointText).utf8), 400, nil),
            ("garbled note", Array(("old 1\n\nsealed-journal/\(Hex.encode(s.journal.journalID))\nnot a number\n").utf8), 400, nil),
            ("path in origin", Array("old 0\n\nsealed-journal/../../etc\n1\nx\n\n— x y\n".utf8), 404, nil),
        ]
        for (label, request, status, body) in cases {
            do {
                _ = try s.witness.cosign(request, now: Self.day)
                Issue.record("\(label) was cosigned")
            } catch {
                #expect(error.httpStatus == status, "\(label): \(error)")
                #expect(error.responseBody == body, "\(label)")
                #expect(!error.description.isEmpty)
            }
        }
        #expect(try s.witness.enrolledJournal(origin: origin) == state)
        #expect(s.witness.evidenceFiles().count == 1, "only the bad proof from the cosigned size is kept as evidence")
        // The good request still goes through afterwards.
        #expect(try s.witness.cosign(Self.bytes(good), now: Self.day).checkpoint.treeSize == 2)
    }

    @Test func concurrentConflictingRequestsNeverBothSucceed() throws {
        let s = try Self.setUp()
        try Self.checkIn(s.journal, 1)
        _ = try s.witness.cosign(Self.bytes(try s.journal.witnessRequest(oldSize: 0)), now: Self.day)
        let snapshot = try fileBytes(s.journalPath)
        let forkPath = s.dir.file("fork.sjournal")
        try writeFileBytes(snapshot, to: forkPath)
        let fork = try Journal.open(at: forkPath, passphrase: testPassphrase(), durability: .unsafeNoSync)
        try Self.checkIn(s.journal, 2)
        try Self.checkIn(fork, 9)
        let requests = [Self.bytes(try s.journal.witnessRequest(oldSize: 1)), Self.bytes(try fork.witnessRequest(oldSize: 1))]
        // Separate Witness objects on one directory stand for separate processes.
        let witnesses = [s.witness, try Witness.open(at: s.dir.file("witness"), passphrase: testPassphrase("witness passphrase"))]
        let results = Locked<[UInt8?]>([])
        let genuineRoot = s.journal.latestCheckpoint.rootHash
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let outcome = try? witnesses[index % 2].cosign(requests[(index / 2) % 2], now: Self.day)
            results.withLock { $0.append(outcome.map { $0.checkpoint.rootHash == genuineRoot ? 0 : 1 }) }
        }
        let successes = results.withLock { $0 }.compactMap { $0 }
        #expect(successes.count == 1, "exactly one of the conflicting checkpoints is cosigned, once")
        let state = try #require(try s.witness.enrolledJournal(origin: fork.latestCheckpoint.origin))
        #expect(state.cosignedSize == 2)
        #expect(state.cosignedRoot == (successes.first == 0 ? s.journal : fork).latestCheckpoint.rootHash)
    }

    @Test func theWitnessKeyIsSealedWithItsPassphrase() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("w")
        let witness = try Witness.create(at: path, name: Self.name, passphrase: testPassphrase("right"), kdf: testKDF)
        #expect(throws: WitnessError.wrongPassphrase) { try Witness.open(at: path, passphrase: testPassphrase("wrong")) }
        #expect(try Witness.open(at: path, passphrase: testPassphrase("right")).identity == witness.identity)
        #expect(try Witness.identity(at: path) == witness.identity)
        #expect(throws: WitnessError.self) { try Witness.create(at: path, name: Self.name, passphrase: testPassphrase("x"), kdf: testKDF) }
        let keyPath = Witness.path(path, Witness.keyFileName)
        var info = stat()
        #expect(stat(keyPath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        // Swapping in another public key (or name) makes the file refuse to open.
        let text = try String(contentsOfFile: keyPath, encoding: .utf8)
        let other = try WitnessPublicKey(name: "witness.example.org/impostor", publicKey: witness.identity.publicKey)
        try text.replacingOccurrences(of: witness.identity.verifierKey, with: other.verifierKey).write(toFile: keyPath, atomically: false, encoding: .utf8)
        #expect(throws: WitnessError.wrongPassphrase) { try Witness.open(at: path, passphrase: testPassphrase("right")) }
        // Enrolment: another key for an enrolled origin is refused; garbage is refused.
        let journal = try makeJournal(at: dir.file("j")).journal
        let impostor = try makeJournal(at: dir.file("k")).journal
        _ = try witness.enroll(journalVerifierKey: journal.verifierKey)
        _ = try witness.enroll(journalVerifierKey: journal.verifierKey)
        let swapped = journal.verifierKey.split(separator: "+", maxSplits: 2)[0] + "+" + impostor.verifierKey.split(separator: "+", maxSplits: 2).dropFirst().joined(separator: "+")
        #expect(throws: WitnessError.self) { try witness.enroll(journalVerifierKey: String(swapped)) }
        #expect(throws: WitnessError.self) { try witness.enroll(journalVerifierKey: "sealed-journal/x+1+2") }
    }
}
