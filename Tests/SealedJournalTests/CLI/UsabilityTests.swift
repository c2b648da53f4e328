import Foundation
import Testing
@testable import SealedJournal

@Suite("sealed-journal helps people who mistype")
struct UsabilityTests {
    @Test("an unknown command suggests the nearest; check-in is an alias of checkin")
    func unknownCommands() throws {
        let typo = try CLI.run(["chekin", "j"])
        #expect(typo.status == 64 && typo.stderr == "sealed-journal: unknown command 'chekin'; did you mean checkin? (see sealed-journal --help)\n")
        let dashed = try CLI.run(["verifyaudit", "x"])
        #expect(dashed.status == 64 && dashed.stderr.contains("did you mean verify-audit?"))
        let far = try CLI.run(["frobnicate"])
        #expect(far.status == 64 && far.stderr.contains("unknown command 'frobnicate'") && !far.stderr.contains("did you mean"))
        let alias = try CLI.run(["check-in", "--help"])
        #expect(alias.status == 0 && alias.stdout.contains("Record a daily check-in."))
    }

    @Test("a wrongly formatted date shows the expected form with an example")
    func dates() throws {
        for (value, hint) in [("2026-2-1", "expected a date as YYYY-MM-DD, e.g. "), ("2026-02-30", "there is no such day")] {
            for arguments in [["read", "j", "--from", value], ["report", "j", "--from", value, "--to", "2026-12-01"], ["checkin", "j", "--day", value]] {
                let result = try CLI.run(arguments)
                #expect(result.status == 64 && result.stderr.contains(hint), "\(arguments): \(result.stderr)")
                #expect(result.stderr.range(of: #"e\.g\. \d{4}-\d{2}-\d{2}"#, options: .regularExpression) != nil)
            }
        }
    }

    @Test("the file is checked before any passphrase is asked: missing, existing on init, not a journal")
    func fileCheckedFirst() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try writeFileBytes(Array("notes\n".utf8), to: dir.file("notes.txt"))
        // With no passphrase source and no terminal, asking first would fail with "no passphrase given".
        let missing = try CLI.run(["write", dir.file("missing")], passphrase: nil, input: "text")
        #expect(missing.status == 1 && missing.stderr.contains("No such file"), "\(missing.stderr)")
        let existing = try CLI.run(["init", path], passphrase: nil)
        #expect(existing.status == 4 && existing.stderr.contains("already exists"), "\(existing.stderr)")
        let foreign = try CLI.run(["read", dir.file("notes.txt")], passphrase: nil)
        #expect(foreign.status == 3 && foreign.stderr.contains("not a SealedJournal journal"), "\(foreign.stderr)")
        let guided = try CLI.run(["checkin", dir.file("missing")], passphrase: nil)
        #expect(guided.status == 1 && guided.stderr.contains("No such file"))
    }

    @Test("help examples teach only safe forms and fit in 80 columns")
    func helpExamples() throws {
        let commands = ["", "init", "write", "checkin", "read", "export", "report", "import", "disclosures", "verify", "audit",
                        "verify-audit", "checkpoint", "info", "passwd", "recovery-key"]
        let contentOptions = ["--note", "--title", "--tag", "--trigger", "--contains", "--to-whom", "--purpose", "--mood", "--craving"]
        var examples = 0
        for command in commands {
            let help = try CLI.run((command.isEmpty ? [] : [command]) + ["--help"]).stdout
            var inExamples = false
            for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("Example") { inExamples = true; continue }
                if line.isEmpty { inExamples = false }
                guard inExamples, line.hasPrefix("  ") else { continue }
                examples += 1
                #expect(line.count < 80, "\(command): \(line)")
                let words = line.split(separator: " ").map(String.init)
                for (index, word) in words.enumerated() where contentOptions.contains(word) {
                    #expect(words.indices.contains(index + 1) && words[index + 1] == "-", "\(command) teaches content in argv: \(line)")
                }
                if command == "write" { #expect(!line.contains("\""), "write example with text in argv: \(line)") }
            }
        }
        #expect(examples > 25)
    }

    @Test("the recovery key can come from standard input (--recovery-key-file -)")
    func recoveryKeyFromStandardInput() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let created = try CLI.run(["init", path, "--kdf", "interactive"])
        let key = String(try #require(created.stdout.split(separator: "\n").first { $0.hasPrefix("recovery key: ") }).dropFirst(14))
        try CLI.run(["write", path], input: "kept by the key")
        let read = try CLI.run(["read", path, "--recovery-key-file", "-"], passphrase: nil, input: key + "\n")
        #expect(read.status == 0 && read.stdout.contains("kept by the key"), "\(read.stderr)")
        let wrong = try CLI.run(["read", path, "--recovery-key-file", "-"], passphrase: nil, input: "XXXXX-XXXXX\n")
        #expect(wrong.status == 4 && wrong.stderr.contains("not a valid recovery key"))
    }
}

@Suite("The recovery key typed at a prompt", .serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed (make test installs it)"))
struct RecoveryPromptTests {
    @Test("--recovery-key asks for the key without echo, then offers a new passphrase, which then opens the journal")
    func typedRecoveryKey() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let created = try CLI.run(["init", path, "--kdf", "interactive"])
        let key = String(try #require(created.stdout.split(separator: "\n").first { $0.hasPrefix("recovery key: ") }).dropFirst(14))
        try CLI.run(["write", path], input: "written before the passphrase was forgotten")
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start("\(CLI.executable.path) read \(path) --recovery-key; echo EXIT=$?")
        try tmux.waitFor("Recovery key:")
        tmux.type(key)
        try tmux.waitFor("Choose a new passphrase now")
        tmux.type("a brand new passphrase")
        try tmux.waitFor("Repeat the new passphrase:")
        tmux.type("a brand new passphrase")
        let screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("Passphrase changed") && screen.contains("written before the passphrase") && screen.contains("EXIT=0"), "\(screen)")
        #expect(!screen.contains(key) && !screen.contains("a brand new passphrase"), "nothing secret echoed")
        #expect(try CLI.run(["read", path], passphrase: "a brand new passphrase").stdout.contains("written before"))
        #expect(try CLI.run(["read", path]).status == 2, "the old passphrase no longer works")
    }
}
