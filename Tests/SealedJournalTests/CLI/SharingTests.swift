import Foundation
import Testing
@testable import SealedJournal

@Suite("Sharing: age exports, reports and the accounting of disclosures")
struct SharingTests {
    @Test("an export for someone else leaves out the journal's bookkeeping (other disclosures, key changes) unless --kind asks; the owner's own export keeps every record; the scope says which")
    func exportForOthersLeavesOutBookkeeping() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path], input: "my words")
        #expect(try CLI.run(["export", path, "--format", "json", "--to-whom", "-", "--purpose", "-", "--output", dir.file("first.json")],
                            input: "Dr. First\nintake\n").status == 0)
        try "a second passphrase\n".write(toFile: dir.file("new.txt"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["passwd", path, "--kdf", "interactive", "--new-passphrase-file", dir.file("new.txt")]).status == 0)
        func kinds(_ file: String) throws -> [String] {
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            let records = try #require(document["records"] as? [[String: Any]])
            return records.compactMap { $0["kind"] as? String }
        }
        let forLee = try CLI.run(["export", path, "--format", "json", "--to-whom", "-", "--purpose", "-", "--output", dir.file("lee.json")],
                                 passphrase: "a second passphrase", input: "Dr. Lee\nweekly review\n")
        #expect(forLee.status == 0, "\(forLee.stderr)")
        #expect(try kinds(dir.file("lee.json")) == ["entry"], "Dr. Lee does not learn of Dr. First, nor of the passphrase change")
        let own = try CLI.run(["export", path, "--format", "json", "--output", dir.file("own.json")], passphrase: "a second passphrase")
        #expect(own.status == 0)
        #expect(try kinds(dir.file("own.json")) == ["entry", "disclosure", "keyChange", "disclosure"], "the owner's export keeps every record")
        let asked = try CLI.run(["export", path, "--format", "json", "--kind", "disclosure", "--to-whom", "-", "--purpose", "-", "--output", dir.file("audit.json")],
                                passphrase: "a second passphrase", input: "the auditor\naccounting\n")
        let askedKinds = try kinds(dir.file("audit.json"))
        #expect(asked.status == 0 && askedKinds == ["disclosure", "disclosure", "disclosure"], "asked for by --kind: \(askedKinds)")
        // The accounting says what was left out.
        let listed = try CLI.run(["disclosures", path], passphrase: "a second passphrase").stdout
        #expect(listed.contains("kinds: all but disclosure,keyChange,repair,witness"), "\(listed)")
    }

    @Test("an export to standard output whose reader goes away midway: exit 1, a clear message, and what left is recorded as a partial disclosure")
    func exportToClosedPipe() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let journal = try Journal.open(at: path, passphrase: testPassphrase(CLI.passphrase))
        try journal.appendBatch((0..<2000).map { PendingRecord(JournalEntry(text: "entry \($0) " + String(repeating: "y", count: 900))) })
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["export", path, "--format", "ndjson"]
        var environment = ProcessInfo.processInfo.environment
        environment["SEALED_JOURNAL_PASSPHRASE"] = CLI.passphrase
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The reader takes 100 kB (as `head -c` would) and goes away.
        var taken = 0
        while taken < 100_000 {
            let data = stdout.fileHandleForReading.availableData
            if data.isEmpty { break }
            taken += data.count
        }
        try stdout.fileHandleForReading.close()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(taken >= 100_000)
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(message)")
        #expect(message.contains("standard output was closed") && message.contains("recorded as a partial disclosure"), "\(message)")
        let listed = try CLI.run(["disclosures", path])
        #expect(listed.stdout.contains("scope:   partial: "), "\(listed.stdout)")
        #expect(Journal.verify(at: path).isValid)
    }

    @Test("an export to an age recipient decrypts with stock age to exactly the plain export, and is recorded",
          .enabled(if: StockAge.isAvailable))
    func ageExportThroughCLI() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path, "For Dr. Lee: the week was hard but sober.", "--allow-args"])
        try CLI.run(["checkin", path, "--mood", "6", "--craving", "3", "--use", "sober", "--allow-args"])
        let identity = try StockAge.keygen(dir.file("lee.txt"))
        try "This information has been disclosed to you from records protected by federal confidentiality rules (42 CFR part 2)."
            .write(toFile: dir.file("notice.txt"), atomically: false, encoding: .utf8)
        for armored in [false, true] {
            let out = dir.file(armored ? "week.md.age.asc" : "week.md.age")
            var arguments = ["export", path, "--format", "markdown", "--kind", "all", "--to", "2100-01-01", "--recipient", identity.recipient,
                             "--to-whom", "Dr. Lee", "--purpose", "weekly session", "--notice-file", dir.file("notice.txt"), "--output", out, "--allow-args"]
            if armored { arguments.append("--armor") }
            let result = try CLI.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let decrypted = try StockAge.run(["-d", "-i", dir.file("lee.txt"), out])
            #expect(decrypted.status == 0, "\(decrypted.stderr)")
            let text = String(decoding: decrypted.stdout, as: UTF8.self)
            #expect(text.contains("> This information has been disclosed to you") && text.contains("the week was hard but sober"))
            let raw = try fileBytes(out)
            #expect(!String(decoding: raw, as: UTF8.self).contains("sober"), "the file on disk is ciphertext")
            // The recorded digest is the SHA-256 of what the recipient decrypts.
            let list = try CLI.run(["disclosures", path])
            #expect(list.stdout.contains("to Dr. Lee") && list.stdout.contains("purpose: weekly session"))
            #expect(list.stdout.contains("sha256:  " + Hex.encode(try SHA256.hash(decrypted.stdout))), "\(list.stdout)")
            #expect(list.stdout.contains(armored ? "format:  markdown+age-armor" : "format:  markdown+age"))
        }
        let wrongCombo = try CLI.run(["export", path, "--format", "json", "--recipient", identity.recipient, "--encrypt-with-passphrase", "--purpose", "x", "--allow-args"])
        #expect(wrongCombo.status == 64)
        let noPurpose = try CLI.run(["export", path, "--format", "json", "--recipient", identity.recipient])
        #expect(noPurpose.status == 64 && noPurpose.stderr.contains("--purpose"))
        let badRecipient = try CLI.run(["export", path, "--format", "json", "--recipient", "age1notakey", "--purpose", "x", "--allow-args"])
        #expect(badRecipient.status == 4 && badRecipient.stderr.contains("recipient"))
        let csvNotice = try CLI.run(["export", path, "--format", "csv", "--notice-file", dir.file("notice.txt")])
        #expect(csvNotice.status == 4 && csvNotice.stderr.contains("CSV cannot carry a notice"))
    }

    @Test("a passphrase (scrypt) export opens with stock age at its passphrase prompt",
          .enabled(if: StockAge.isAvailable && TmuxSession.isAvailable))
    func passphraseExport() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["checkin", path, "--mood", "9", "--craving", "0", "--use", "sober", "--note", "scrypt export note", "--allow-args"])
        try writeFileBytes(Array("shared export passphrase\n".utf8), to: dir.file("export-pass"))
        let out = dir.file("checkins.json.age")
        let result = try CLI.run(["export", path, "--format", "json", "--kind", "checkin", "--encrypt-with-passphrase",
                                  "--export-passphrase-file", dir.file("export-pass"), "--to-whom", "sponsor", "--purpose", "check-in", "--output", out, "--allow-args"])
        #expect(result.status == 0, "\(result.stderr)")
        let plain = try CLI.run(["export", path, "--format", "json", "--kind", "checkin"]).stdout
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start("age -d -o \(dir.file("decrypted.json")) \(out); echo EXIT=$?")
        try tmux.waitFor("passphrase")
        tmux.type("shared export passphrase")
        let screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(try String(contentsOfFile: dir.file("decrypted.json"), encoding: .utf8) == plain)
    }

    @Test("the compliance report has one row per day, marks missed days, sums up, and can leave notes out")
    func complianceReport() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["checkin", path, "--day", "2026-11-01", "--mood", "4", "--craving", "8", "--use", "used", "--note", "PRIVATE-NOTE-1", "--allow-args"])
        try CLI.run(["checkin", path, "--day", "2026-11-02", "--mood", "5", "--craving", "6", "--use", "hard-day", "--meetings", "2", "--trigger", "PRIVATE-TRIGGER", "--allow-args"])
        try CLI.run(["checkin", path, "--day", "2026-11-04", "--mood", "6", "--craving", "2", "--use", "sober", "--meetings", "1", "--support", "--allow-args"])
        try CLI.run(["checkin", path, "--day", "2026-11-04", "--mood", "8", "--craving", "1", "--use", "sober", "--meetings", "1", "--support", "--add", "--allow-args"])
        try CLI.run(["checkin", path, "--day", "2026-10-30", "--mood", "1", "--craving", "10", "--use", "used", "--allow-args"])

        let csv = try CLI.run(["report", path, "--from", "2026-11-01", "--to", "2026-11-05", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = try CSVReader.parse(csv.stdout)
        #expect(rows[0] == ComplianceReport.columns + ComplianceReport.noteColumns)
        #expect(rows[1...6].map { $0[0] } == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-04", "2026-11-05"])
        #expect(rows[1...6].map { $0[1] } == ["checked-in", "checked-in", "missed", "checked-in", "checked-in", "missed"])
        let mood = try #require(rows[0].firstIndex(of: "mood")), counted = try #require(rows[0].firstIndex(of: "counted"))
        #expect(rows[4][mood] == "6" && rows[4][counted] == "false", "the day's first check-in is listed, not counted")
        #expect(rows[5][mood] == "8" && rows[5][counted] == "true", "the day's last check-in counts")
        #expect(csv.stdout.contains("PRIVATE-NOTE-1") && csv.stdout.contains("PRIVATE-TRIGGER"))
        let summary = Dictionary(uniqueKeysWithValues: rows.filter { $0[0].hasPrefix("summary:") }.map { ($0[0], $0[1]) })
        #expect(summary["summary:days"] == "5" && summary["summary:daysMissed"] == "2" && summary["summary:soberDays"] == "1")
        #expect(summary["summary:usedDays"] == "1" && summary["summary:hardDays"] == "1" && summary["summary:meetings"] == "3")
        #expect(summary["summary:averageMood"] == "5.7" && summary["summary:daysReachedOut"] == "1")

        for format in ["csv", "json", "markdown"] {
            let report = try CLI.run(["report", path, "--from", "2026-11-01", "--to", "2026-11-05", "--format", format, "--no-notes"])
            #expect(report.status == 0)
            #expect(!report.stdout.contains("PRIVATE"), "\(format) --no-notes leaks free text")
        }
        let json = try CLI.run(["report", path, "--from", "2026-11-01", "--to", "2026-11-05", "--format", "json", "--no-notes"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((root["days"] as? [Any])?.count == 5 && root["includesNotes"] as? Bool == false)
        #expect((root["summary"] as? [String: Any])?["daysCheckedIn"] as? Int == 3)
        let markdown = try CLI.run(["report", path, "--from", "2026-11-01", "--to", "2026-11-05"])
        #expect(markdown.stdout.contains("| 2026-11-03 | Missed |"))
        let backwards = try CLI.run(["report", path, "--from", "2026-11-05", "--to", "2026-11-01"])
        #expect(backwards.status == 64)
        let disclosures = try CLI.run(["disclosures", path]).stdout
        #expect(disclosures.contains("compliance-report-csv") && disclosures.contains("no notes"))
    }

    @Test("every export is recorded as a sealed disclosure; failed exports record nothing")
    func accounting() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path, "x", "--allow-args"])
        #expect(try CLI.run(["disclosures", path]).stderr.contains("No disclosures recorded."))
        try CLI.run(["export", path, "--format", "ndjson", "--to-whom", "me", "--purpose", "backup", "--allow-args"])
        try writeFileBytes(Array("exists".utf8), to: dir.file("taken"))
        #expect(try CLI.run(["export", path, "--format", "json", "--output", dir.file("taken")]).status == 4)
        let list = try CLI.run(["disclosures", path])
        #expect(list.stdout.components(separatedBy: "purpose:").count == 2, "only the successful export: \(list.stdout)")
        #expect(list.stdout.contains("to me") && list.stdout.contains("format:  ndjson") && list.stdout.contains("records: 1"))
        #expect(Journal.verify(at: path).isValid)
    }
}

@Suite("audit and verify-audit through the binary")
struct AuditCLITests {
    @Test("audit by sequence and by filter; verify-audit shows only what was disclosed; tampering fails")
    func auditCommands() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path, "SECRET-ENTRY not for the auditor", "--allow-args"])
        try CLI.run(["checkin", path, "--day", "2026-11-02", "--mood", "7", "--craving", "2", "--use", "sober", "--note", "visible note", "--allow-args"])
        try CLI.run(["checkin", path, "--day", "2026-11-03", "--mood", "8", "--craving", "1", "--use", "sober", "--allow-args"])
        let kept = try CLI.run(["checkpoint", path], passphrase: nil).stdout
        try kept.write(toFile: dir.file("kept.txt"), atomically: false, encoding: .utf8)
        let fingerprint = try #require(try CLI.run(["info", path], passphrase: nil).stdout.split(separator: "\n")
            .first { $0.hasPrefix("fingerprint:") }?.split(separator: " ").last)

        let byFilter = try CLI.run(["audit", path, "--kind", "checkin", "--to-whom", "Monitoring", "--purpose", "monthly", "--output", dir.file("a.json"), "--allow-args"])
        #expect(byFilter.status == 0, "\(byFilter.stderr)")
        let bundleText = try String(contentsOfFile: dir.file("a.json"), encoding: .utf8)
        #expect(!bundleText.contains("SECRET") && !bundleText.contains("visible note"), "frames stay encrypted in the bundle")
        let verified = try CLI.run(["verify-audit", dir.file("a.json"), "--fingerprint", String(fingerprint)], passphrase: nil)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("record #1 is in the journal") && verified.stdout.contains("record #2 is in the journal"), "\(verified.stdout)")
        #expect(verified.stdout.contains("visible note") && !verified.stdout.contains("SECRET"))
        #expect(verified.stdout.contains("checkpoint signed by the journal's key: 3 records"))

        try CLI.run(["write", path, "later entry", "--allow-args"])
        let bySequence = try CLI.run(["audit", path, "--disclose", "3", "--against", dir.file("kept.txt"), "--output", dir.file("b.json")])
        #expect(bySequence.status == 0, "\(bySequence.stderr)")
        let consistent = try CLI.run(["verify-audit", dir.file("b.json"), "--against", dir.file("kept.txt")], passphrase: nil)
        #expect(consistent.status == 0 && consistent.stdout.contains("consistent with the checkpoint you hold"), "\(consistent.stderr)")

        var bytes = try fileBytes(dir.file("b.json"))
        let text = String(decoding: bytes, as: UTF8.self)
        let keyRange = try #require(text.range(of: "\"contentKey\" : \""))
        let index = text.distance(from: text.startIndex, to: keyRange.upperBound) + 2
        bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        try writeFileBytes(bytes, to: dir.file("tampered.json"))
        let tampered = try CLI.run(["verify-audit", dir.file("tampered.json")], passphrase: nil)
        #expect(tampered.status == 1 && tampered.stderr.contains("FAILED"))

        if StockAge.isAvailable {
            let auditor = try StockAge.keygen(dir.file("auditor.txt"))
            let sealed = try CLI.run(["audit", path, "--disclose", "1", "--recipient", auditor.recipient, "--purpose", "audit",
                                      "--output", dir.file("sealed.json.age"), "--allow-args"])
            #expect(sealed.status == 0, "\(sealed.stderr)")
            #expect(!String(decoding: try fileBytes(dir.file("sealed.json.age")), as: UTF8.self).contains("contentKey"))
            // Given to verify-audit still encrypted: said so, and how to decrypt it first.
            let encrypted = try CLI.run(["verify-audit", dir.file("sealed.json.age")], passphrase: nil)
            #expect(encrypted.status == 1 && encrypted.stderr.contains("it is age-encrypted; decrypt it first (age -d -i"), "\(encrypted.stderr)")
            let opened = try StockAge.run(["-d", "-i", dir.file("auditor.txt"), dir.file("sealed.json.age")])
            try writeFileBytes(opened.stdout, to: dir.file("opened.json"))
            let check = try CLI.run(["verify-audit", dir.file("opened.json")], passphrase: nil)
            #expect(check.status == 0 && check.stdout.contains("visible note"), "\(check.stderr)")
        }
        let both = try CLI.run(["audit", path, "--disclose", "1", "--kind", "checkin", "--output", dir.file("c.json")])
        #expect(both.status == 64)
        let disclosures = try CLI.run(["disclosures", path]).stdout
        #expect(disclosures.contains("to Monitoring") && disclosures.contains("format:  audit-bundle") && disclosures.contains("records: 1,2"))
    }
}
