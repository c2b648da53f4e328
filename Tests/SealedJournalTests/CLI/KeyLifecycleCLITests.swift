import Foundation
import Testing
@testable import SealedJournal

@Suite("passwd, rekey and repair through the binary")
struct KeyLifecycleCLITests {
    @Test("passwd tells the truth about old copies; rekey revokes them, erases on request, and the old fingerprint still verifies")
    func passwdAndRekey() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let journal = try Journal.open(at: path, passphrase: SecretBytes(utf8: CLI.passphrase), durability: .unsafeNoSync)
        for text in ["keep one", "erase me", "keep two"] { try journal.append(JournalEntry(text: text)) }
        let oldFingerprint = journal.fingerprint.description
        let backup = try fileBytes(path)
        try "a second passphrase\n".write(toFile: dir.file("new.txt"), atomically: true, encoding: .utf8)
        let passwd = try CLI.run(["passwd", path, "--kdf", "interactive", "--new-passphrase-file", dir.file("new.txt")])
        #expect(passwd.status == 0 && passwd.stderr.contains("still opens old copies") && passwd.stderr.contains("sealed-journal rekey"), "\(passwd.stderr)")
        // The old passphrase still opens the backup: that is why rekey exists.
        try writeFileBytes(backup, to: dir.file("backup.sjournal"))
        #expect(try CLI.run(["info", dir.file("backup.sjournal")]).status == 0)

        try "after the leak, new words\n".write(toFile: dir.file("rekey.txt"), atomically: true, encoding: .utf8)
        // Numbers past the end are a typing mistake: all of them named (not the last one read; passwd's
        // key change is record 3),
        // exit 4, nothing changed; then the same rekey with a number that exists works.
        let beforeTypo = try fileBytes(path)
        let typo = try CLI.run(["rekey", path, "--erase", "1,9,5-7,4", "--kdf", "interactive", "--new-passphrase-file", dir.file("rekey.txt")],
                               passphrase: "a second passphrase")
        #expect(typo.status == 4 && typo.stderr == "sealed-journal: --erase: there is no record 4-7, 9 (the journal has 4 records, numbered 0 to 3); nothing was written\n",
                "\(typo.status) \(typo.stderr)")
        #expect(try fileBytes(path) == beforeTypo)
        let auditTypo = try CLI.run(["audit", path, "--disclose", "99,9,1", "--output", dir.file("typo.json")], passphrase: "a second passphrase")
        #expect(auditTypo.status == 4 && auditTypo.stderr.contains("--disclose: there is no record 9, 99 (the journal has 4 records"), "\(auditTypo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("typo.json")))
        #expect(try fileBytes(path) == beforeTypo)
        let rekey = try CLI.run(["rekey", path, "--erase", "1", "--kdf", "interactive", "--new-passphrase-file", dir.file("rekey.txt")],
                                passphrase: "a second passphrase")
        #expect(rekey.status == 0, "\(rekey.stderr)")
        #expect(rekey.stdout.contains("previous fingerprint: \(oldFingerprint)") && rekey.stdout.contains("recovery key: "))
        #expect(rekey.stderr.contains("1 left out"))
        let read = try CLI.run(["read", path], passphrase: "after the leak, new words")
        #expect(read.status == 0 && read.stdout.contains("keep one") && read.stdout.contains("keep two") && !read.stdout.contains("erase me"))
        #expect(try CLI.run(["read", path], passphrase: "a second passphrase").status == 2)
        #expect(try CLI.run(["read", path]).status == 2)
        let verify = try CLI.run(["verify", path, "--fingerprint", oldFingerprint], passphrase: nil)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let bad = try CLI.run(["rekey", path, "--erase", "x"], passphrase: "after the leak, new words")
        #expect(bad.status == 64)
    }

    @Test("a damaged end refuses writes with the offset; repair keeps the bytes and writing resumes")
    func repairFlow() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let journal = try Journal.open(at: path, passphrase: SecretBytes(utf8: CLI.passphrase), durability: .unsafeNoSync)
        try journal.append(JournalEntry(text: "first"))
        let size = try fileBytes(path).count
        try journal.append(JournalEntry(text: "second"))
        var bytes = try fileBytes(path)
        bytes[bytes.count - 20] ^= 0x01  // inside the last checkpoint's signature
        try writeFileBytes(bytes, to: path)
        let refused = try CLI.run(["write", path], input: "more\n")
        #expect(refused.status == 3 && refused.stderr.contains("damaged at byte offset"), "\(refused.stderr)")
        #expect(try fileBytes(path) == bytes)
        let readOnly = try CLI.run(["read", path])
        #expect(readOnly.status == 0 && readOnly.stdout.contains("first") && readOnly.stderr.contains("warning: damaged"), "\(readOnly.stderr)")
        let info = try CLI.run(["info", path], passphrase: nil)
        #expect(info.status == 0 && info.stdout.contains("warning:      damaged at byte offset"), "info says so too: \(info.stdout)")
        let repair = try CLI.run(["repair", path])
        #expect(repair.status == 0 && repair.stderr.contains("committed 1 complete record(s)"), "\(repair.stderr)")
        let side = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.contains(".removed-") })
        #expect(try fileBytes(dir.file(side)) == Array(bytes[size...]))
        #expect(try CLI.run(["write", path], input: "more\n").status == 0)
        #expect(try CLI.run(["verify", path], passphrase: nil).status == 0)
        let again = try CLI.run(["repair", path])
        #expect(again.status == 0 && again.stderr.contains("Nothing to repair"))
    }

    @Test("repair takes the recovery key as every command does (a file, or - for standard input); a FIFO or directory is refused as not a journal (exit 3)")
    func repairUnlockOptions() throws {
        let dir = try TemporaryDirectory()
        let (path, key) = try CLI.makeJournalWithKey(in: dir, name: "r.sjournal")
        try key.write(toFile: dir.file("key.txt"), atomically: true, encoding: .utf8)
        try CLI.run(["write", path], input: "one")
        let cut = Array(try fileBytes(path).dropLast(10))  // into the last checkpoint
        try writeFileBytes(cut, to: path)
        let fromStandardInput = try CLI.run(["repair", path, "--recovery-key-file", "-"], passphrase: nil, input: key + "\n")
        #expect(fromStandardInput.status == 0 && fromStandardInput.stderr.contains("committed 1 complete record(s)"), "\(fromStandardInput.stderr)")
        let fromFile = try CLI.run(["repair", path, "--recovery-key-file", dir.file("key.txt")], passphrase: nil)
        #expect(fromFile.status == 0 && fromFile.stderr.contains("Nothing to repair"), "\(fromFile.stderr)")
        #expect(mkfifo(dir.file("fifo"), 0o600) == 0)
        try FileManager.default.createDirectory(atPath: dir.file("folder"), withIntermediateDirectories: false)
        for (name, type) in [("fifo", "a named pipe (FIFO)"), ("folder", "a directory")] {
            let refused = try CLI.run(["repair", dir.file(name)])
            #expect(refused.status == 3 && refused.stderr.contains("is \(type), not a journal file"), "\(refused.stderr)")
        }
        // What happens next: the repaired journal verifies and takes a write.
        #expect(try CLI.run(["verify", path], passphrase: nil).status == 0)
        #expect(try CLI.run(["write", path], input: "two").status == 0)
    }

    @Test("backup makes a verified copy and prints the checkpoint to keep")
    func backupCommand() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        #expect(try CLI.run(["write", path], input: "one\n").status == 0)
        let backup = try CLI.run(["backup", path, dir.file("copy.sjournal")])
        #expect(backup.status == 0 && backup.stderr.contains("verified the copy"), "\(backup.stderr)")
        try backup.stdout.write(toFile: dir.file("kept.txt"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["write", path], input: "two\n").status == 0)
        #expect(try CLI.run(["verify", path, "--against", dir.file("kept.txt")], passphrase: nil).status == 0)
        #expect(try CLI.run(["verify", dir.file("copy.sjournal"), "--against", dir.file("kept.txt")], passphrase: nil).status == 0)
        #expect(try CLI.run(["backup", path, dir.file("copy.sjournal")]).status == 4, "never overwrites")
    }

    @Test("read --salvage reads past a damaged record, names it, and exits 1")
    func salvageRead() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        for text in ["first", "second", "third"] { #expect(try CLI.run(["write", path], input: text + "\n").status == 0) }
        var bytes = try fileBytes(path)
        var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(bytes.count))
        var records: [StoredFrame] = []
        while let frame = try reader.next() { if frame.kind == .record { records.append(frame) } }
        bytes[Int(records[1].offset) + 100] ^= 0x01
        try writeFileBytes(bytes, to: path)
        let strict = try CLI.run(["read", path])
        #expect(strict.status == 3 && strict.stdout.contains("first") && !strict.stdout.contains("third"))
        #expect(strict.stderr.contains("To read past damaged records: sealed-journal read \(path) --salvage"), "\(strict.stderr)")
        let salvaged = try CLI.run(["read", path, "--salvage"])
        #expect(salvaged.status == 1 && salvaged.stdout.contains("first") && salvaged.stdout.contains("third") && !salvaged.stdout.contains("second"))
        #expect(salvaged.stderr.contains("damaged: record #1"), "\(salvaged.stderr)")
        let exported = try CLI.run(["export", path, "--format", "ndjson", "--salvage", "--output", dir.file("rescued.ndjson")])
        #expect(exported.status == 1 && exported.stderr.contains("damaged (not exported): record #1"), "\(exported.stderr)")
        let rescued = try String(contentsOfFile: dir.file("rescued.ndjson"), encoding: .utf8)
        #expect(rescued.contains("first") && rescued.contains("third") && !rescued.contains("second"))
        let stopped = try CLI.run(["export", path, "--format", "ndjson"])
        #expect(stopped.status == 3 && stopped.stderr.contains("To export past damaged records: add --salvage"), "without --salvage the export stops: \(stopped.stderr)")
    }

    @Test("rekey of a journal named with one character in the working directory (Foundation's deletingLastPathComponent traps on it)")
    func rekeyShortRelativeName() throws {
        let dir = try TemporaryDirectory()
        _ = try CLI.makeJournal(in: dir, name: "X")
        #expect(try CLI.run(["write", "X"], input: "kept\n", directory: dir.path).status == 0)
        try "new words for X\n".write(toFile: dir.file("np"), atomically: true, encoding: .utf8)
        let rekey = try CLI.run(["rekey", "X", "--kdf", "interactive", "--new-passphrase-file", "np"], directory: dir.path)
        #expect(rekey.status == 0, "\(rekey.status) \(rekey.stderr)")
        let read = try CLI.run(["read", "X"], passphrase: "new words for X", directory: dir.path)
        #expect(read.status == 0 && read.stdout.contains("kept"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["X", "np"], "no temporary file left")
    }

    @Test("a damaged byte in the last commit: read/export --salvage get the records around it (the export unrecorded, said so; only the owner's own copy); the rescued file imports; repair stops before stranding a record, --accept-loss repairs, then writing works")
    func salvageDamagedEnd() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        // One commit of three records (a batch), the middle one damaged: the end is damaged, so
        // the journal refuses writes, and strict reading shows nothing after the last intact commit.
        let lines = ["first", "second", "third"].enumerated().map { index, text in
            "{\"data\":{\"tags\":[],\"text\":\"\(text)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-11-0\(index + 1)T09:00:00.000Z\",\"sequence\":\(index)}\n"
        }
        try lines.joined().write(toFile: dir.file("three.ndjson"), atomically: true, encoding: .utf8)
        let imported = try CLI.run(["import", path, dir.file("three.ndjson"), "--from", "ndjson"])
        #expect(imported.status == 0, "\(imported.stderr)")
        var bytes = try fileBytes(path)
        var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(bytes.count))
        var records: [StoredFrame] = []
        while let frame = try reader.next() { if frame.kind == .record { records.append(frame) } }
        #expect(records.count == 3)
        bytes[Int(records[1].offset) + 100] ^= 0x01
        try writeFileBytes(bytes, to: path)
        #expect(try CLI.run(["write", path], input: "refused\n").status == 3)

        let salvaged = try CLI.run(["read", path, "--salvage"])
        #expect(salvaged.status == 1 && salvaged.stdout.contains("first") && salvaged.stdout.contains("third") && !salvaged.stdout.contains("second"),
                "\(salvaged.stdout)\(salvaged.stderr)")
        #expect(salvaged.stderr.contains("damaged: record #1") && salvaged.stderr.contains("2 of them (#0 on) come after the last intact commit"), "\(salvaged.stderr)")
        let exported = try CLI.run(["export", path, "--format", "ndjson", "--salvage", "--output", dir.file("rescued.ndjson")])
        #expect(exported.status == 1 && exported.stderr.contains("Not recorded as a disclosure: the journal is damaged at byte offset")
                && exported.stderr.contains("damaged (not exported): record #1"), "\(exported.stderr)")
        let rescued = try String(contentsOfFile: dir.file("rescued.ndjson"), encoding: .utf8)
        #expect(rescued.contains("first") && rescued.contains("third") && !rescued.contains("second"))
        #expect(try fileBytes(path) == bytes, "a salvage changes nothing")
        // For someone else it would have to be recorded: refused, no file, until repaired.
        let forOthers = try CLI.run(["export", path, "--format", "ndjson", "--salvage", "--to-whom", "Dr. Lee", "--allow-args", "--output", dir.file("lee.ndjson")])
        #expect(forOthers.status == 4 && forOthers.stderr.contains("run sealed-journal repair"), "\(forOthers.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("lee.ndjson")))
        // What next: the rescued records go into a new journal; the old one is repaired and writes again.
        let fresh = try CLI.makeJournal(in: dir, name: "fresh.sjournal")
        #expect(try CLI.run(["import", fresh, dir.file("rescued.ndjson"), "--from", "ndjson"]).status == 0)
        let read = try CLI.run(["read", fresh])
        #expect(read.stdout.contains("first") && read.stdout.contains("third"), "\(read.stdout)")
        // Repair would keep "third" (after the damaged record) only in its side file: it stops and
        // says how to rescue it, changing nothing; --accept-loss repairs (first kept, third in the side file).
        let stopped = try CLI.run(["repair", path])
        #expect(stopped.status == 4 && stopped.stderr.contains("record #1 at the damaged end does not open, and 1 record(s) after it (#2) still do")
                && stopped.stderr.contains("--salvage"), "\(stopped.stderr)")
        #expect(try fileBytes(path) == bytes)
        let repaired = try CLI.run(["repair", path, "--accept-loss"])
        #expect(repaired.status == 0 && repaired.stderr.contains("committed 1 complete record(s) found there again"), "\(repaired.stderr)")
        #expect(try CLI.run(["write", path], input: "after repair\n").status == 0)
        #expect(try CLI.run(["verify", path], passphrase: nil).status == 0)
        // A damaged checkpoint (its records intact) strands nothing: repair takes every record back.
        let other = try CLI.makeJournal(in: dir, name: "cp.sjournal")
        #expect(try CLI.run(["import", other, dir.file("three.ndjson"), "--from", "ndjson"]).status == 0)
        var cpBytes = try fileBytes(other)
        cpBytes[cpBytes.count - 30] ^= 0x01  // inside the batch's checkpoint note
        try writeFileBytes(cpBytes, to: other)
        #expect(try CLI.run(["write", other], input: "refused\n").status == 3)
        let cpRepair = try CLI.run(["repair", other])
        #expect(cpRepair.status == 0 && cpRepair.stderr.contains("committed 3 complete record(s) found there again"), "\(cpRepair.stderr)")
        #expect(try CLI.run(["read", other]).stdout.contains("third"))
    }

    @Test("disclosures show the scope as it was asked: kinds and local days, not UTC instants")
    func disclosureScope() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        #expect(try CLI.run(["write", path], input: "one\n").status == 0)
        let export = try CLI.run(["export", path, "--format", "csv", "--kind", "entry", "--from", "2026-11-01", "--to", "2026-11-30",
                                  "--output", dir.file("x.csv")], environment: ["TZ": "America/New_York"])
        #expect(export.status == 0, "\(export.stderr)")
        let listed = try CLI.run(["disclosures", path])
        #expect(listed.stdout.contains("kinds: entry; days: 2026-11-01 to 2026-11-30"), "\(listed.stdout)")
    }

    @Test("a recovery key sent to a file other accounts can read (the shell's umask) is warned about, for init, recovery-key and rekey; not for a 0600 file")
    func recoveryKeyToReadableFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("k.sjournal")
        /// Runs `sealed-journal ARGUMENTS > OUT` under `umask`, as a shell user would.
        func redirected(_ arguments: [String], to out: String, umask mask: String) throws -> (status: Int32, stderr: String) {
            try CLI.runInShell("umask \(mask); exec \"$0\" \"$@\" > \"$OUT\"", arguments, environment: ["OUT": out])
        }
        let created = try redirected(["init", path, "--kdf", "interactive"], to: dir.file("init.txt"), umask: "022")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stderr.contains("warning: the recovery key went to standard output, the file /") && created.stderr.contains("/init.txt (mode 644), which other accounts can read"), "\(created.stderr)")
        let replaced = try redirected(["recovery-key", path], to: dir.file("rk.txt"), umask: "022")
        #expect(replaced.status == 0 && replaced.stderr.contains("warning: the recovery key went to standard output"), "\(replaced.stderr)")
        let private_ = try redirected(["recovery-key", path], to: dir.file("rk600.txt"), umask: "077")
        #expect(private_.status == 0 && !private_.stderr.contains("warning"), "\(private_.stderr)")
        // What happens next: the key in the private file is the one that opens the journal.
        let key = try RecoveryKey(try CLI.recoveryKey(printedIn: try String(contentsOfFile: dir.file("rk600.txt"), encoding: .utf8)))
        #expect(try Journal.open(at: path, recoveryKey: key, mode: .readOnly).recordCount >= 1)
        try "a passphrase after the rekey\n".write(toFile: dir.file("new-passphrase.txt"), atomically: true, encoding: .utf8)
        let rekeyed = try redirected(["rekey", path, "--kdf", "interactive", "--new-passphrase-file", dir.file("new-passphrase.txt")], to: dir.file("rekey.txt"), umask: "022")
        #expect(rekeyed.stderr.contains("warning: the recovery key went to standard output"), "\(rekeyed.stderr)")
    }
}
