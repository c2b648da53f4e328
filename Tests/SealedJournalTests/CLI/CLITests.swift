import Foundation
import Testing
@testable import SealedJournal

@Suite("sealed-journal, the built binary")
struct CLITests {
    @Test("init prints the fingerprint and a recovery key once; the file is 0600")
    func initialize() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sjournal")
        let result = try CLI.run(["init", path, "--kdf", "interactive"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("fingerprint: "))
        let keyLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("recovery key: ") })
        #expect(keyLine.split(separator: " ").last?.count == 65)
        #expect(result.stderr.contains("keep it offline"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try CLI.run(["init", path, "--kdf", "interactive"])
        #expect(again.status == 4 && again.stderr.contains("already exists"))
        let short = try CLI.run(["init", dir.file("k"), "--kdf", "interactive"], passphrase: "short")
        #expect(short.status == 4 && short.stderr.contains("at least 8"))
    }

    @Test("write, checkin and read: text, json, kinds, dates, -n, --tag, --contains")
    func writeCheckInRead() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        var result = try CLI.run(["write", path, "Ninety", "days", "today.", "--title", "Milestone", "--tag", "milestone", "--allow-args"])
        #expect(result.status == 0 && result.stderr.contains("Sealed entry #0."))
        result = try CLI.run(["write", path, "--tag", "evening", "--allow-args"], input: "From standard input,\nwith two lines.\n")
        #expect(result.status == 0 && result.stderr.contains("#1"))
        result = try CLI.run(["checkin", path, "--day", "2026-11-26", "--mood", "6", "--craving", "4", "--use", "hard-day",
                              "--sleep", "6.5", "--meeting-kind", "aa", "--meeting-kind", "therapy", "--medication", "taken",
                              "--trigger", "office party", "--support", "--note", "Called Sam.", "--allow-args"])
        #expect(result.status == 0 && result.stderr.contains("Sealed check-in #2 for 2026-11-26."), "\(result.stderr)")
        result = try CLI.run(["checkin", path, "--mood", "8", "--craving", "1", "--use", "sober", "--allow-args"])
        #expect(result.status == 0)

        let text = try CLI.run(["read", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("#0  ") && text.stdout.contains("entry  Milestone") && text.stdout.contains("    Ninety days today."))
        #expect(text.stdout.contains("    with two lines."))
        #expect(text.stdout.contains("check-in for 2026-11-26") && text.stdout.contains("mood 6/10 · craving 4/10 · hard-day · slept 6.5 h · 2 meetings (aa, therapy) · medication taken · reached out"))
        #expect(text.stdout.contains("triggers: office party") && text.stdout.contains("note: Called Sam."))

        let json = try CLI.run(["read", path, "--format", "json"])
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 4)
        #expect(array[2]["kind"] as? String == "checkIn")
        #expect((array[2]["data"] as? [String: Any])?["mood"] as? Int == 6)

        #expect(try CLI.run(["read", path, "--kind", "checkin"]).stdout.components(separatedBy: "check-in for").count == 3)
        #expect(try CLI.run(["read", path, "--kind", "entry", "-n", "1"]).stdout.hasPrefix("#1 "))
        #expect(try CLI.run(["read", path, "--tag", "milestone", "--allow-args"]).stdout.hasPrefix("#0 "))
        #expect(try CLI.run(["read", path, "--contains", "CALLED SAM", "--allow-args"]).stdout.hasPrefix("#2 "))
        let today = LocalDate(date: Date(), timeZone: TimeZone(identifier: "UTC")!).description
        let ranged = try CLI.run(["read", path, "--kind", "checkin", "--from", today, "--to", today])
        #expect(ranged.stdout.hasPrefix("#2 ") || ranged.stdout.hasPrefix("#3 "), "recorded today, whatever its check-in day")
        let none = try CLI.run(["read", path, "--from", "2001-01-01", "--to", "2001-01-02"])
        #expect(none.status == 0 && none.stdout.isEmpty && none.stderr.contains("No matching records."))
        let backwards = try CLI.run(["read", path, "--from", "2026-02-01", "--to", "2026-01-01"])
        #expect(backwards.status == 64)
    }

    @Test("the journal file never contains what was written through the CLI")
    func noPlaintextInFile() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let marker = "MARKER-cli-4e2a"
        try CLI.run(["write", path, "I \(marker) today", "--title", marker, "--tag", marker, "--allow-args"])
        try CLI.run(["checkin", path, "--mood", "2", "--craving", "9", "--use", "used", "--trigger", marker, "--note", marker, "--allow-args"])
        let bytes = try fileBytes(path)
        #expect(!String(decoding: bytes, as: UTF8.self).contains(marker))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files == ["j.sjournal"], "no temporary or plaintext files: \(files)")
    }

    @Test("out-of-range check-in fields are refused, naming the field; nothing is written")
    func invalidCheckIns() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let before = try fileBytes(path)
        let cases: [(String, String)] = [
            ("{\"mood\": 11, \"craving\": 0, \"use\": \"sober\"}", "mood"),
            ("{\"mood\": 0, \"craving\": 0, \"use\": \"sober\"}", "mood"),
            ("{\"mood\": 5, \"craving\": 12, \"use\": \"sober\"}", "craving"),
            ("{\"mood\": 5, \"craving\": 1, \"use\": \"sober\", \"sleepHours\": 25}", "sleepHours"),
            ("{\"mood\": 5, \"craving\": 1, \"use\": \"sober\", \"meetingsAttended\": 99}", "meetingsAttended"),
            ("{\"mood\": 5, \"craving\": 1, \"use\": \"maybe\"}", "use"),
            ("{\"mood\": \"five\", \"craving\": 1, \"use\": \"sober\"}", "mood"),
            ("{\"mood\": 5, \"craving\": 1, \"use\": \"sober\", \"day\": \"2026-02-30\"}", "day"),
            ("{\"mood\": 5, \"craving\": 1, \"use\": \"sober\", \"moood\": 3}", "unknown field in the JSON object (did you mean mood?"),
        ]
        for (json, field) in cases {
            let result = try CLI.run(["checkin", path, "--json", "-"], input: json)
            #expect(result.status == 4, "\(json)")
            #expect(result.stderr.hasPrefix("sealed-journal: \(field)"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one clear line")
        }
        let badUse = try CLI.run(["checkin", path, "--mood", "5", "--craving", "1", "--use", "maybe", "--allow-args"])
        #expect(badUse.status == 64 && badUse.stderr.contains("use"))
        let badDay = try CLI.run(["checkin", path, "--mood", "5", "--craving", "1", "--use", "sober", "--day", "2026-02-30", "--allow-args"])
        #expect(badDay.status == 64)
        #expect(try fileBytes(path) == before)
    }

    @Test("passphrase sources: file, environment, none (a clear error, never a hang), wrong (exit 2, nothing changes)")
    func passphraseSources() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try writeFileBytes(Array("\(CLI.passphrase)\nsecond line ignored\n".utf8), to: dir.file("pass"))
        let viaFile = try CLI.run(["write", path, "from a file", "--passphrase-file", dir.file("pass"), "--allow-args"], passphrase: nil)
        #expect(viaFile.status == 0, "\(viaFile.stderr)")
        let none = try CLI.run(["write", path], passphrase: nil, input: "no source")
        #expect(none.status == 4 && none.stderr.contains("--passphrase-file") && none.stderr.contains("SEALED_JOURNAL_PASSPHRASE"))
        let before = try fileBytes(path)
        let wrong = try CLI.run(["write", path], passphrase: "not the passphrase", input: "wrong")
        #expect(wrong.status == 2 && wrong.stderr == "sealed-journal: wrong passphrase\n")
        #expect(try fileBytes(path) == before)
        let missing = try CLI.run(["write", path, "x", "--passphrase-file", dir.file("nope"), "--allow-args"], passphrase: nil)
        #expect(missing.status == 1 && missing.stderr.contains("cannot read"))
    }

    @Test("export: every format to stdout; to a file 0600; no overwrite without --force")
    func exports() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path, "An entry, with \"quotes\",\ncommas and a newline", "--tag", "a", "--allow-args"])
        try CLI.run(["checkin", path, "--mood", "7", "--craving", "2", "--use", "sober", "--note", "note, with \"comma\"\nand line", "--allow-args"])
        let json = try CLI.run(["export", path, "--format", "json"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((root["records"] as? [Any])?.count == 2 && root["format"] as? String == "sealed-journal-export")
        let ndjson = try CLI.run(["export", path, "--format", "ndjson"])
        #expect(ndjson.stdout.split(separator: "\n").count == 3, "two records and the first export's disclosure")
        let csv = try CLI.run(["export", path, "--format", "csv", "--kind", "entry"])
        #expect(try CSVReader.parse(csv.stdout).count == 2)
        let csvAll = try CLI.run(["export", path, "--format", "csv", "--to", "2100-01-01"])
        #expect(try CSVReader.parse(csvAll.stdout).count == 6, "header, 2 records, 3 disclosures")
        let checkInCSV = try CLI.run(["export", path, "--format", "csv", "--kind", "checkin"])
        let rows = try CSVReader.parse(csv.stdout) + Array(try CSVReader.parse(checkInCSV.stdout).dropFirst())
        #expect(rows.count == 3 && rows[0] == OwnerExport.csvColumns)
        let column = { (name: String) in rows[0].firstIndex(of: name)! }
        #expect(rows[1][column("text")] == "An entry, with \"quotes\",\ncommas and a newline")
        #expect(rows[2][column("note")] == "note, with \"comma\"\nand line")
        #expect(rows[2][column("mood")] == "7" && rows[2][column("use")] == "sober")
        let markdown = try CLI.run(["export", path, "--format", "markdown", "--kind", "checkin"])
        #expect(markdown.stdout.hasPrefix("# Journal export") && markdown.stdout.contains("| 7/10 | 2/10 | sober |"))

        let out = dir.file("export.json")
        let toFile = try CLI.run(["export", path, "--format", "json", "--kind", "entry", "--output", out])
        #expect(toFile.status == 0 && toFile.stdout.isEmpty)
        #expect(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int == 0o600)
        let exported = try fileBytes(out)
        try writeFileBytes(Array("keep me".utf8), to: out)
        let refused = try CLI.run(["export", path, "--format", "json", "--output", out])
        #expect(refused.status == 4 && refused.stderr.contains("already exists"))
        #expect(try fileBytes(out) == Array("keep me".utf8))
        #expect(try CLI.run(["export", path, "--format", "json", "--kind", "entry", "--output", out, "--force"]).status == 0)
        #expect(try fileBytes(out).count == exported.count)
        let wrong = try CLI.run(["export", path, "--format", "csv", "--output", dir.file("x.csv")], passphrase: "wrong passphrase")
        #expect(wrong.status == 2 && !FileManager.default.fileExists(atPath: dir.file("x.csv")))
    }

    @Test("verify needs no passphrase; detects tampering, a wrong fingerprint and truncation against a kept checkpoint")
    func verify() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path, "one", "--allow-args"])
        let checkpoint = try CLI.run(["checkpoint", path], passphrase: nil)
        #expect(checkpoint.status == 0 && checkpoint.stdout.contains("\nsealed-journal/") && checkpoint.stdout.contains("\n1\n"))
        try checkpoint.stdout.write(toFile: dir.file("cp.txt"), atomically: false, encoding: .utf8)
        let sizeAfterOne = try fileBytes(path).count
        try CLI.run(["write", path, "two", "--allow-args"])
        let info = try CLI.run(["info", path], passphrase: nil)
        #expect(info.status == 0 && info.stdout.contains("records:      2"))
        let fingerprint = try #require(info.stdout.split(separator: "\n").first { $0.hasPrefix("fingerprint:") }?.split(separator: " ").last)

        let ok = try CLI.run(["verify", path, "--fingerprint", String(fingerprint), "--against", dir.file("cp.txt")], passphrase: nil)
        #expect(ok.status == 0 && ok.stdout.contains("ok  held checkpoint: the journal still contains that history")
                && ok.stdout.hasPrefix("Verified: 2 records"), "\(ok.stdout)")
        #expect(!ok.stdout.contains("opened with the key"))
        let keyed = try CLI.run(["verify", path])
        #expect(keyed.status == 0 && keyed.stdout.contains("records opened with the key: 2"))
        let wrongPrint = try CLI.run(["verify", path, "--fingerprint", "0000:0000:0000:0000:0000:0000:0000:0000"], passphrase: nil)
        #expect(wrongPrint.status == 1 && wrongPrint.stdout.hasPrefix("NOT verified: the journal's fingerprint"))

        var bytes = try fileBytes(path)
        bytes[bytes.count - 200] ^= 1
        try writeFileBytes(bytes, to: dir.file("tampered"))
        let tampered = try CLI.run(["verify", dir.file("tampered")], passphrase: nil)
        #expect(tampered.status == 1 && tampered.stdout.hasPrefix("NOT verified"))

        // Roll back to the first commit: valid alone, caught against a later checkpoint.
        let later = try CLI.run(["checkpoint", path], passphrase: nil).stdout
        try later.write(toFile: dir.file("later.txt"), atomically: false, encoding: .utf8)
        try writeFileBytes(Array(try fileBytes(path).prefix(sizeAfterOne)), to: dir.file("rolled"))
        #expect(try CLI.run(["verify", dir.file("rolled")], passphrase: nil).status == 0)
        let rolled = try CLI.run(["verify", dir.file("rolled"), "--against", dir.file("later.txt")], passphrase: nil)
        #expect(rolled.status == 1 && rolled.stdout.contains("removed"), "\(rolled.stdout)")

        // A held checkpoint that cannot be read: one line naming the path and the reason, exit 1
        // (before: Foundation's raw NSError dump), for verify and for audit.
        try FileManager.default.createDirectory(atPath: dir.file("folder"), withIntermediateDirectories: false)
        try writeFileBytes([0xFF, 0xFE, 0x00], to: dir.file("binary.txt"))
        for (held, reason) in [("missing.txt", "No such file or directory"), ("folder", "it is a directory"), ("binary.txt", "it is not UTF-8 text")] {
            let unread = try CLI.run(["verify", path, "--against", dir.file(held)], passphrase: nil)
            #expect(unread.status == 1 && unread.stderr == "sealed-journal: cannot read \(dir.file(held)): \(reason)\n", "\(unread.stderr)")
        }
        let audit = try CLI.run(["audit", path, "--against", dir.file("missing.txt"), "--output", dir.file("bundle.json")])
        #expect(audit.status == 1 && audit.stderr.hasSuffix("cannot read \(dir.file("missing.txt")): No such file or directory\n"), "\(audit.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("bundle.json")))
        // What happens next: the journal still verifies against the checkpoint that was kept.
        #expect(try CLI.run(["verify", path, "--against", dir.file("cp.txt")], passphrase: nil).status == 0)
    }

    @Test("bad files: empty, foreign, unknown version, missing — exit 3 or 1 with one clear line")
    func badFiles() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try writeFileBytes([], to: dir.file("empty"))
        try writeFileBytes(Array("just some notes\n".utf8), to: dir.file("notes.txt"))
        var bytes = try fileBytes(path)
        bytes[8] = 9
        bytes[4096 + 8] = 9
        try writeFileBytes(bytes, to: dir.file("future"))
        let empty = try CLI.run(["read", dir.file("empty")])
        #expect(empty.status == 3 && empty.stderr.contains("is empty"))
        let foreign = try CLI.run(["info", dir.file("notes.txt")], passphrase: nil)
        #expect(foreign.status == 3 && foreign.stderr.contains("not a SealedJournal journal"))
        let future = try CLI.run(["read", dir.file("future")])
        #expect(future.status == 3 && future.stderr.contains("version 9 is not supported"))
        let missing = try CLI.run(["info", dir.file("missing")], passphrase: nil)
        #expect(missing.status == 1 && missing.stderr.contains("No such file"))
        let usage = try CLI.run(["frobnicate"])
        #expect(usage.status == 64)
        // verify says the same for a file that is no journal (3), and 1 only for a failed check.
        for file in ["empty", "notes.txt", "future"] {
            let verified = try CLI.run(["verify", dir.file(file)], passphrase: nil)
            #expect(verified.status == 3 && verified.stdout.hasPrefix("NOT verified"), "\(file): \(verified.status) \(verified.stdout)")
        }
        bytes = try fileBytes(path)
        bytes[bytes.count - 40] ^= 1
        try writeFileBytes(bytes, to: dir.file("damaged"))
        #expect(try CLI.run(["verify", dir.file("damaged")], passphrase: nil).status == 1)
        for result in [empty, foreign, future, missing] {
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test("--output - is standard output (no file named -); a new passphrase with no terminal names --new-passphrase-file")
    func dashOutputAndNewPassphraseHint() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        #expect(try CLI.run(["checkin", path, "--json", "-"], input: "{\"mood\":5,\"craving\":3,\"use\":\"sober\"}").status == 0)
        let today = LocalDate(date: Date()).description
        let report = try CLI.run(["report", path, "--from", today, "--to", today, "--format", "csv", "--output", "-"], directory: dir.path)
        #expect(report.status == 0 && report.stdout.contains("checked-in"), "\(report.stdout)\(report.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("-")))
        let export = try CLI.run(["export", path, "--format", "ndjson", "-o", "-"], directory: dir.path)
        #expect(export.status == 0 && export.stdout.contains("\"kind\":\"checkIn\""), "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("-")))
        let before = try fileBytes(path)
        let rekey = try CLI.run(["rekey", path])
        #expect(rekey.status == 4 && rekey.stderr.contains("no new passphrase given and no terminal to ask on: use --new-passphrase-file FILE"), "\(rekey.stderr)")
        #expect(try fileBytes(path) == before)
    }

    @Test("passwd and recovery-key rewrap the key; old secrets stop working")
    func keyCommands() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let created = try CLI.run(["init", path, "--kdf", "interactive"])
        let recovery = String(try #require(created.stdout.split(separator: "\n").first { $0.hasPrefix("recovery key: ") }).dropFirst(14))
        try CLI.run(["write", path, "kept", "--allow-args"])
        try writeFileBytes(Array("a new passphrase for me\n".utf8), to: dir.file("new"))
        let passwd = try CLI.run(["passwd", path, "--kdf", "interactive", "--new-passphrase-file", dir.file("new")])
        #expect(passwd.status == 0, "\(passwd.stderr)")
        #expect(try CLI.run(["read", path]).status == 2)
        #expect(try CLI.run(["read", path], passphrase: "a new passphrase for me").stdout.contains("kept"))

        try writeFileBytes(Array(recovery.utf8), to: dir.file("recovery"))
        #expect(try CLI.run(["read", path, "--recovery-key-file", dir.file("recovery")], passphrase: nil).stdout.contains("kept"))
        let replaced = try CLI.run(["recovery-key", path, "--recovery-key-file", dir.file("recovery")], passphrase: nil)
        #expect(replaced.status == 0 && replaced.stdout.hasPrefix("recovery key: "))
        #expect(try CLI.run(["read", path, "--recovery-key-file", dir.file("recovery")], passphrase: nil).status == 2)
        try writeFileBytes(Array(replaced.stdout.dropFirst(14).utf8), to: dir.file("recovery2"))
        #expect(try CLI.run(["read", path, "--recovery-key-file", dir.file("recovery2")], passphrase: nil).status == 0)
        try writeFileBytes(Array("XXXXX-XXXXX".utf8), to: dir.file("typo"))
        let typo = try CLI.run(["read", path, "--recovery-key-file", dir.file("typo")], passphrase: nil)
        #expect(typo.status == 4 && typo.stderr.contains("not a valid recovery key"))
    }

    @Test("import: our NDJSON round-trips losslessly; jrnl JSON comes in; invalid input writes nothing")
    func imports() throws {
        let dir = try TemporaryDirectory()
        let source = try CLI.makeJournal(in: dir, name: "a")
        try CLI.run(["write", source, "First, with ünïcode 🌱", "--title", "T", "--tag", "x", "--allow-args"])
        try CLI.run(["checkin", source, "--mood", "3", "--craving", "7", "--use", "hard-day", "--trigger", "rain", "--allow-args"])
        let exported = try CLI.run(["export", source, "--format", "ndjson"]).stdout
        try exported.write(toFile: dir.file("backup.ndjson"), atomically: false, encoding: .utf8)
        let target = try CLI.makeJournal(in: dir, name: "b")
        let imported = try CLI.run(["import", target, dir.file("backup.ndjson"), "--from", "ndjson"])
        #expect(imported.status == 0 && imported.stderr.contains("Imported 2 record(s)"), "\(imported.stderr)")
        #expect(try CLI.run(["export", target, "--format", "ndjson"]).stdout == exported, "lossless, times included")
        #expect(Journal.verify(at: target).checkpointCount == 3, "creation, the import as one batch, the export's disclosure")

        let jrnl = """
        {"tags": {"@work": 1}, "entries": [
          {"title": "Monday", "body": "Long day.\\nStill sober.", "date": "2024-03-04", "time": "21:15", "tags": ["@work"], "starred": true},
          {"title": "", "body": "Short one", "date": "2024-03-05", "time": "07:00", "tags": [], "starred": false}
        ]}
        """
        try jrnl.write(toFile: dir.file("jrnl.json"), atomically: false, encoding: .utf8)
        let fromJrnl = try CLI.run(["import", target, dir.file("jrnl.json"), "--from", "jrnl-json"])
        #expect(fromJrnl.status == 0, "\(fromJrnl.stderr)")
        let read = try CLI.run(["read", target, "--format", "json", "--kind", "entry"]).stdout
        let records = try #require(try JSONSerialization.jsonObject(with: Data(read.utf8)) as? [[String: Any]])
        let monday = try #require(records.first { ($0["data"] as? [String: Any])?["title"] as? String == "Monday" })
        #expect(monday["recordedAt"] as? String == "2024-03-04T21:15:00.000Z")
        #expect((monday["data"] as? [String: Any])?["tags"] as? [String] == ["work", "starred"])

        let before = try fileBytes(target)
        try "{\"kind\":\"checkIn\",\"recordedAt\":\"2026-01-01T00:00:00Z\",\"data\":{\"day\":\"2026-01-01\",\"timeZoneOffsetSeconds\":0,\"mood\":42,\"craving\":0,\"use\":\"sober\"}}\n"
            .write(toFile: dir.file("bad.ndjson"), atomically: false, encoding: .utf8)
        let bad = try CLI.run(["import", target, dir.file("bad.ndjson"), "--from", "ndjson"])
        #expect(bad.status == 4 && bad.stderr.contains("line 1: mood"), "\(bad.stderr)")
        let garbage = try CLI.run(["import", target, dir.file("jrnl.json"), "--from", "ndjson"])
        #expect(garbage.status == 4)
        #expect(try fileBytes(target) == before)
    }

    @Test("an empty passphrase file (or a blank first line, or an empty SEALED_JOURNAL_PASSPHRASE) is named at once (exit 4), not reported as a wrong passphrase")
    func emptyPassphraseSource() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try writeFileBytes([], to: dir.file("empty.txt"))
        try writeFileBytes(Array("\nthe real one\n".utf8), to: dir.file("blank.txt"))
        for file in ["empty.txt", "blank.txt"] {
            let result = try CLI.run(["read", path, "--passphrase-file", dir.file(file)], passphrase: nil)
            #expect(result.status == 4 && result.stderr.contains("\(file) holds no passphrase: its first line is empty"), "\(result.stderr)")
        }
        let fromEnvironment = try CLI.run(["read", path], passphrase: "")
        #expect(fromEnvironment.status == 4 && fromEnvironment.stderr.contains("SEALED_JOURNAL_PASSPHRASE is set but empty"), "\(fromEnvironment.stderr)")
        // What happens next: the right passphrase still opens it, and a wrong one is still "wrong passphrase" (2).
        #expect(try CLI.run(["read", path]).status == 0)
        #expect(try CLI.run(["read", path], passphrase: "not the passphrase").status == 2)
    }

    @Test("text that is not UTF-8 (a Latin-1 file, piped bytes, a JSON file) is refused with the byte it stops at, nothing written; never sealed with U+FFFD in place of letters")
    func notUTF8Refused() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try writeFileBytes(Array("Today at the caf".utf8) + [0xE9] + Array(" with Sam".utf8), to: dir.file("latin1.txt"))
        try writeFileBytes(Array(#"{"text":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8), to: dir.file("latin1.json"))
        let before = try fileBytes(path)
        let fromFile = try CLI.run(["write", path, "--file", dir.file("latin1.txt")])
        #expect(fromFile.status == 4 && fromFile.stderr.contains("latin1.txt is not UTF-8 text (byte 16 is not)"), "\(fromFile.stderr)")
        let fromJSON = try CLI.run(["write", path, "--json", dir.file("latin1.json")])
        #expect(fromJSON.status == 4 && fromJSON.stderr.contains("latin1.json is not UTF-8 text (byte 12 is not)"), "\(fromJSON.stderr)")
        // Piped: the runner's input is a String, so give the file's bytes through a shell.
        let piped = try CLI.runInShell("exec \"$0\" write \"$1\" < \"$2\"", [path, dir.file("latin1.txt")])
        #expect(piped.status == 4 && piped.stderr.contains("standard input is not UTF-8 text (byte 16 is not)"), "\(piped.stderr)")
        #expect(try fileBytes(path) == before, "nothing written")
        // What happens next: the same words as UTF-8 are sealed as they are.
        #expect(try CLI.run(["write", path], input: "Today at the café with Sam").status == 0)
        #expect(try CLI.run(["read", path]).stdout.contains("Today at the café with Sam"))
    }

    @Test("import: a FILE that is a pipe (<(jrnl --export json), /dev/stdin) is read once and checked as it comes; a bad line writes nothing of its chunk, and the next import goes on")
    func importFromPipePath() throws {
        let dir = try TemporaryDirectory()
        let target = try CLI.makeJournal(in: dir)
        let lines = (0..<3).map { #"{"data":{"text":"piped \#($0)"},"kind":"entry","recordedAt":"2026-01-0\#($0 + 1)T08:00:00.000Z"}"# }
        // /dev/stdin is the pipe the runner writes to: before, the check read it and the import then failed with "Illegal seek".
        let piped = try CLI.run(["import", target, "/dev/stdin", "--from", "ndjson"], input: lines.joined(separator: "\n") + "\n")
        #expect(piped.status == 0 && piped.stderr.contains("Imported 3 record(s)"), "\(piped.stderr)")
        let bad = try CLI.run(["import", target, "/dev/stdin", "--from", "ndjson"], input: lines[0] + "\n{\"kind\":\"entry\"}\n")
        #expect(bad.status == 4 && bad.stderr.contains("line 2") && !bad.stderr.contains("Imported"), "nothing of the failing chunk: \(bad.stderr)")
        // What happens next: the journal verifies, and another import adds after what is there.
        #expect(Journal.verify(at: target).isValid)
        let again = try CLI.run(["import", target, "/dev/stdin", "--from", "ndjson"], input: lines[2] + "\n")
        #expect(again.status == 0, "\(again.stderr)")
        let texts = try CLI.run(["read", target, "--format", "json", "--kind", "entry"]).stdout
        let records = try #require(try JSONSerialization.jsonObject(with: Data(texts.utf8)) as? [[String: Any]])
        let read = records.compactMap { ($0["data"] as? [String: Any])?["text"] as? String }
        #expect(read == ["piped 0", "piped 1", "piped 2", "piped 2"], "three, nothing of the failing chunk, then one more: \(read)")
    }
}

/// A small RFC 4180 reader, independent of the writer, for the CSV round trip.
enum CSVReader {
    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

@Suite("sealed-journal reports interrupted appends")
struct CLITornTailTests {
    @Test("a torn tail is reported when ignored (read) and when removed (write)")
    func tornTail() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path, "kept", "--allow-args"])
        try writeFileBytes(try fileBytes(path) + [1, 2, 3, 4, 5, 6, 7], to: path)
        let info = try CLI.run(["info", path], passphrase: nil)
        #expect(info.stdout.contains("torn tail:    7 bytes"))
        let read = try CLI.run(["read", path])
        #expect(read.status == 0 && read.stdout.contains("kept") && read.stderr.contains("warning: ignored 7 bytes"))
        let write = try CLI.run(["write", path, "next", "--allow-args"])
        #expect(write.status == 0 && write.stderr.contains("note: removed 7 bytes"))
        #expect(try CLI.run(["verify", path], passphrase: nil).status == 0)
    }
}
