import Foundation
import Testing
@testable import SealedJournal

/// The witness over files, as the built binary: a client checks in daily and exchanges request
/// and answer files with a monitoring program; `verify --witness` shows the witness times.
@Suite struct WitnessCLITests {
    static let witnessPassphrase = ["SEALED_JOURNAL_WITNESS_PASSPHRASE": "a witness passphrase for tests"]

    static func witnessRun(_ arguments: [String]) throws -> CLIResult {
        try CLI.run(["witness"] + arguments, passphrase: nil, environment: witnessPassphrase)
    }

    @Test func clientAndWitnessExchangeFilesAndVerifySeesWitnessTimes() throws {
        let dir = try TemporaryDirectory()
        let journal = dir.file("recovery.sjournal"), witnessDir = dir.file("witness")
        // Days relative to the witness's real clock, so "witnessed in time" holds whenever this runs.
        let today = LocalDate(date: Date(), timeZone: TimeZone(identifier: "UTC")!)
        let yesterday = LocalDate(daysSinceEpoch: today.daysSinceEpoch - 1), tomorrow = today.next
        #expect(try CLI.run(["init", journal, "--kdf", "interactive"]).status == 0)
        #expect(try CLI.run(["checkin", journal, "--day", yesterday.description, "--mood", "6", "--craving", "4", "--use", "sober", "--allow-args"]).status == 0)

        let created = try Self.witnessRun(["init", witnessDir, "--name", "witness.example.org/program", "--kdf", "interactive"])
        #expect(created.status == 0, "\(created.stderr)")
        let witnessKey = created.stdout.trimmingCharacters(in: .newlines)
        #expect(try Self.witnessRun(["key", witnessDir]).stdout == created.stdout)
        let journalKey = try CLI.run(["journal-key", journal], passphrase: nil).stdout.trimmingCharacters(in: .newlines)
        #expect(journalKey.hasPrefix("sealed-journal/"))
        #expect(try Self.witnessRun(["enroll", witnessDir, "--journal-key", journalKey]).status == 0)

        func exchange(_ name: String, oldSize: UInt64? = nil) throws -> (request: CLIResult, cosign: CLIResult, imported: CLIResult?) {
            let request = try CLI.run(["request-witness", journal, "--witness", witnessKey, "--output", dir.file("\(name).req")]
                                      + (oldSize.map { ["--old-size", "\($0)"] } ?? []), passphrase: nil)
            let cosign = try Self.witnessRun(["cosign", witnessDir, dir.file("\(name).req"), "--output", dir.file("\(name).cosigned")])
            guard cosign.status == 0 else { return (request, cosign, nil) }
            return (request, cosign, try CLI.run(["import-cosignature", journal, dir.file("\(name).cosigned"), "--witness", witnessKey]))
        }
        let day1 = try exchange("day1")
        #expect(day1.request.status == 0 && day1.cosign.status == 0, "\(day1.request.stderr) \(day1.cosign.stderr)")
        #expect(day1.imported?.status == 0, "\(day1.imported?.stderr ?? "")")
        let requestText = try String(contentsOfFile: dir.file("day1.req"), encoding: .utf8)
        #expect(requestText.hasPrefix("old 0\n\nsealed-journal/"))
        #expect(try WitnessRequest.parse(Array(requestText.utf8)).oldSize == 0)

        let beforeDay2 = try fileBytes(journal)
        #expect(try CLI.run(["checkin", journal, "--day", today.description, "--mood", "7", "--craving", "2", "--use", "sober", "--allow-args"]).status == 0)
        let day2 = try exchange("day2")
        #expect(day2.cosign.status == 0 && day2.imported?.status == 0, "\(day2.cosign.stderr)")
        #expect(try String(contentsOfFile: dir.file("day2.req"), encoding: .utf8).hasPrefix("old 1\n"))

        let verified = try CLI.run(["verify", journal, "--witness", witnessKey], passphrase: nil)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("ok  witness witness.example.org/program: 2 cosignatures, latest: 3 records existed by "))
        // A witness whose cosignatures are not in the journal is a failed check, not silence.
        let stranger = try WitnessPublicKey(name: "witness.example.org/other", publicKey: [UInt8](repeating: 7, count: 32)).verifierKey
        #expect(try CLI.run(["verify", journal, "--witness", stranger], passphrase: nil).status == 1)

        // The auditor: a bundle of the check-ins shows when each existed by.
        let audit = try CLI.run(["audit", journal, "--kind", "checkin", "--to-whom", "Program", "--purpose", "audit", "--allow-args", "--output", dir.file("audit.json")])
        #expect(audit.status == 0, "\(audit.stderr)")
        let audited = try CLI.run(["verify-audit", dir.file("audit.json"), "--witness", witnessKey], passphrase: nil)
        #expect(audited.status == 0, "\(audited.stderr)")
        #expect(audited.stdout.contains("ok  record 0 (check-in of \(yesterday)): existed by "), "\(audited.stdout)")
        #expect(audited.stdout.contains("ok  record 2 (check-in of \(today)): existed by "), "\(audited.stdout)")
        #expect(try CLI.run(["verify-audit", dir.file("audit.json"), "--witness", stranger], passphrase: nil).status == 1)
        // The compliance report marks each check-in witnessed (machine and readable forms).
        let csv = try CLI.run(["report", journal, "--from", yesterday.description, "--to", today.description, "--format", "csv",
                               "--witness", witnessKey])
        #expect(csv.status == 0 && csv.stdout.contains(",witness") && csv.stdout.components(separatedBy: ",witnessed:").count == 3, "\(csv.stdout)")
        let markdown = try CLI.run(["report", journal, "--from", yesterday.description, "--to", today.description, "--witness", witnessKey])
        #expect(markdown.stdout.contains("(witnessed by "), "\(markdown.stdout)")
        let unwitnessed = try CLI.run(["report", journal, "--from", yesterday.description, "--to", today.description, "--format", "csv",
                                       "--witness", stranger])
        #expect(unwitnessed.status == 0 && unwitnessed.stdout.contains("not-witnessed"), "\(unwitnessed.stdout)\(unwitnessed.stderr)")

        // A stale request is refused with the size to request from; nothing changes.
        let stale = try exchange("stale", oldSize: 1)
        #expect(stale.cosign.status == 1 && stale.cosign.stderr.contains("last cosigned tree size 3"), "\(stale.cosign.stderr)")
        // The client rolls back to before day 2 and writes another day 2: refused, evidence kept.
        try writeFileBytes(beforeDay2, to: journal)
        #expect(try CLI.run(["checkin", journal, "--day", today.description, "--mood", "9", "--craving", "0", "--use", "sober", "--add", "--allow-args"]).status == 0)
        #expect(try CLI.run(["checkin", journal, "--day", tomorrow.description, "--mood", "9", "--craving", "0", "--use", "sober", "--allow-future-day", "--allow-args"]).status == 0)
        let fork = try exchange("fork", oldSize: 3)
        #expect(fork.cosign.status == 1 && fork.cosign.stderr.contains("REFUSED"), "\(fork.cosign.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("fork.cosigned")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: witnessDir + "/evidence").count == 1)
        // Wrong witness passphrase: exit 2; a garbage request: exit 4.
        let wrong = try CLI.run(["witness", "cosign", witnessDir, dir.file("day2.req"), "--output", dir.file("x")], passphrase: nil,
                                environment: ["SEALED_JOURNAL_WITNESS_PASSPHRASE": "not it at all"])
        #expect(wrong.status == 2)
        // No witness passphrase at all (the journal's variable set instead): exit 4, naming the witness's variable.
        let none = try CLI.run(["witness", "cosign", witnessDir, dir.file("day2.req"), "--output", dir.file("x")])
        #expect(none.status == 4 && none.stderr.contains("set SEALED_JOURNAL_WITNESS_PASSPHRASE"), "\(none.stderr)")
        try "old x\n\n".write(toFile: dir.file("garbage.req"), atomically: false, encoding: .utf8)
        #expect(try Self.witnessRun(["cosign", witnessDir, dir.file("garbage.req"), "--output", dir.file("y")]).status == 4)
    }

    /// kill -9 of the witness at many points of `cosign`: whatever it answered before dying is
    /// in its state, the state always opens, and the next request succeeds.
    @Test func killingTheWitnessMidRequestLosesNothingCosigned() throws {
        let dir = try TemporaryDirectory()
        let witnessDir = dir.file("witness")
        let witness = try Witness.create(at: witnessDir, name: "witness.example.org/crash", passphrase: try SecretBytes(utf8: Self.witnessPassphrase.values.first!), kdf: testKDF)
        let journal = try makeJournal(at: dir.file("j.sjournal")).journal
        _ = try witness.enroll(journalVerifierKey: journal.verifierKey)
        let origin = journal.latestCheckpoint.origin
        var killed = 0
        for round in 0..<12 {
            try journal.append(JournalEntry(text: "round \(round)"))
            let cosignedBefore = try #require(try witness.enrolledJournal(origin: origin)).cosignedSize
            let requestPath = dir.file("r\(round)"), responsePath = dir.file("a\(round)")
            try Data(try journal.witnessRequest(oldSize: cosignedBefore).encoded.utf8).write(to: URL(fileURLWithPath: requestPath))
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["witness", "cosign", witnessDir, requestPath, "--output", responsePath, "--quiet"]
            process.environment = ProcessInfo.processInfo.environment.merging(Self.witnessPassphrase) { $1 }
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(round * 4_000))  // 0 to 44 ms: from start-up through the write
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killed += 1 }
            let state = try #require(try witness.enrolledJournal(origin: origin), "the state survives")
            if let answer = try? String(contentsOfFile: responsePath, encoding: .utf8),
               let cosigned = try? Checkpoint.parse(answer, publicKey: journal.publicKey) {  // a torn answer is no answer
                #expect(state.cosignedSize >= cosigned.treeSize, "an answered cosignature was lost")
            }
            // Whatever happened, the witness carries on from its state.
            let next = try journal.witnessRequest(oldSize: state.cosignedSize)
            #expect(try witness.cosign(Array(next.encoded.utf8)).checkpoint.treeSize == journal.recordCount)
        }
        #expect(killed > 0, "no run was killed: the test did not test anything")
    }
}
