import Foundation
import Testing
@testable import SealedJournal

@Suite("Secret hygiene", .serialized)
struct SecretHygieneTests {
    @Test("export files are created 0600 whatever the umask", arguments: [mode_t(0), 0o022, 0o077, 0o777])
    func exportFileMode(mask: mode_t) throws {
        let dir = try TemporaryDirectory()
        let old = umask(mask)
        defer { umask(old) }
        let file = try ExportFile(path: dir.file("out"), overwrite: false)
        try file.write("x")
        try file.finish()
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("out"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let journalPath = dir.file("j")
        _ = try makeJournal(at: journalPath)
        #expect(try FileManager.default.attributesOfItem(atPath: journalPath)[.posixPermissions] as? Int == 0o600)
    }

    @Test("an export that fails part-way leaves no file and records no disclosure")
    func failedExportLeavesNothing() throws {
        struct DiskFull: Error {}
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        for index in 0..<50 { try journal.append(JournalEntry(text: "entry \(index) " + String(repeating: "x", count: 500))) }
        let path = dir.file("export.json")
        let file = try ExportFile(path: path, overwrite: false)
        var written = 0
        #expect(throws: DiskFull.self) {
            try journal.disclose(OwnerExport.Records(format: .json), to: DisclosureRequest(recipient: "me", purpose: "test"),
                                 output: DisclosureOutput(write: { data in
                                         written += data.count
                                         if written > 4000 { throw DiskFull() }
                                         try file.write(data)
                                     }), beforeRecording: { try file.finish() })
        }
        file.discard()
        #expect(!FileManager.default.fileExists(atPath: path), "no partial plaintext file")
        #expect(try readAll(journal, RecordFilter(kinds: [RecordKind.disclosure])).isEmpty, "nothing recorded")
        // An abandoned ExportFile removes itself too.
        do {
            let abandoned = try ExportFile(path: dir.file("abandoned"), overwrite: false)
            try abandoned.write("partial plaintext")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("abandoned")))
    }

    @Test("the CLI writes no temporary file anywhere during a full day's use")
    func noTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        let tmp = try TemporaryDirectory()
        let environment = ["TMPDIR": tmp.path]
        let path = dir.file("j")
        #expect(try CLI.run(["init", path, "--kdf", "interactive"], environment: environment).status == 0)
        try CLI.run(["write", path, "--json", "-"], input: "{\"text\": \"MARKER-tmp entry\", \"tags\": [\"json\"]}", environment: environment)
        try CLI.run(["write", path], input: "MARKER-tmp from stdin\n", environment: environment)
        try CLI.run(["checkin", path, "--json", "-"], input: "{\"mood\": 5, \"craving\": 5, \"use\": \"sober\", \"note\": \"MARKER-tmp\"}", environment: environment)
        try CLI.run(["read", path], environment: environment)
        try CLI.run(["export", path, "--format", "csv"], environment: environment)
        try CLI.run(["report", path, "--from", "2026-01-01", "--to", "2026-01-31"], environment: environment)
        try CLI.run(["audit", path, "--disclose", "0", "--output", dir.file("bundle.json")], environment: environment)
        try CLI.run(["verify", path], environment: environment)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty, "TMPDIR stayed empty")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["j", "bundle.json"])
    }

    @Test("CLI errors never quote what the user wrote or typed")
    func cliErrorsAreClean() throws {
        let marker = "MARKER-err-51c0"
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        var outputs: [CLIResult] = []
        outputs.append(try CLI.run(["checkin", path, "--json", "-"], input: "{\"mood\": 0, \"craving\": 1, \"use\": \"sober\", \"note\": \"\(marker)\"}"))
        outputs.append(try CLI.run(["checkin", path, "--json", "-"], input: "{\"mood\": 5, \"craving\": 1, \"use\": \"\(marker)\"}"))
        outputs.append(try CLI.run(["checkin", path, "--json", "-"], input: "{\"mood\": 5, \"craving\": 1, \"use\": \"sober\", \"\(marker)\": 1}"))
        outputs.append(try CLI.run(["write", path, "--json", "-"], input: "{\"text\": \"\(marker)\", \"tags\": [\" \"]}"))
        outputs.append(try CLI.run(["write", path], passphrase: marker + " wrong passphrase", input: marker))
        try "{\"kind\":\"entry\",\"recordedAt\":\"bad \(marker)\",\"data\":{\"text\":\"\(marker)\"}}\n".write(toFile: dir.file("bad.ndjson"), atomically: false, encoding: .utf8)
        outputs.append(try CLI.run(["import", path, dir.file("bad.ndjson"), "--from", "ndjson"]))
        try marker.write(toFile: dir.file("key"), atomically: false, encoding: .utf8)
        outputs.append(try CLI.run(["read", path, "--recovery-key-file", dir.file("key")], passphrase: nil))
        for output in outputs {
            #expect(output.status != 0)
            #expect(!output.stderr.contains(marker) && !output.stdout.contains(marker), "\(output.stderr)")
        }
    }
}
