import Foundation
import Testing
import SealedJournal

/// Drives the CLI at a real pseudo-terminal through tmux: the passphrase prompt works and
/// nothing typed is echoed to the screen.
@Suite("Passphrase prompts at a real terminal", .serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed (make test installs it)"))
struct TerminalPromptTests {
    @Test("read with the recovery key at a terminal only reads: a torn tail stays (repair can still keep its record) and no new passphrase is offered until it is repaired; a write with the key offers one")
    func recoveryKeyReadOnlyAtTerminal() throws {
        let dir = try TemporaryDirectory()
        let (path, key) = try CLI.makeJournalWithKey(in: dir, name: "rk.sjournal")
        try key.write(toFile: dir.file("key.txt"), atomically: true, encoding: .utf8)
        try CLI.run(["write", path], input: "one")
        let sizeAfterOne = try fileBytes(path).count
        try CLI.run(["write", path], input: "two")
        // Cut into the last checkpoint: the record "two" is complete, its commit is not.
        let cut = Array(try fileBytes(path).dropLast(100))
        try writeFileBytes(cut, to: path)
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start("\(CLI.executable.path) read \(path) --recovery-key-file \(dir.file("key.txt")); echo EXIT=$?")
        var screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("EXIT=0") && screen.contains("one") && screen.contains("read only: the journal's end needs sealed-journal repair") && !screen.contains("New passphrase"), "\(screen)")
        #expect(try fileBytes(path) == cut, "a read wrote nothing")
        // What happens next: repair keeps the complete record, and a write with the key offers a new passphrase.
        let repaired = try CLI.run(["repair", path])
        #expect(repaired.status == 0 && repaired.stderr.contains("committed 1 complete record(s)"), "\(repaired.stderr)")
        #expect(try fileBytes(path).count > sizeAfterOne)
        try tmux.start("\(CLI.executable.path) write \(path) --recovery-key-file \(dir.file("key.txt")); echo EXIT=$?")
        try tmux.waitFor("New passphrase")
        tmux.type("")
        try tmux.answerEntry(text: "three")
        screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("EXIT=0"), "\(screen)")
        let texts = try CLI.run(["read", path, "--format", "json"]).stdout
        #expect(texts.contains("\"one\"") && texts.contains("\"two\"") && texts.contains("\"three\""), "\(texts)")
    }

    @Test("a refused tag or title after the text was typed is asked for again; the text is kept and sealed")
    func refusedTagKeepsText() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start("SEALED_JOURNAL_PASSPHRASE='\(CLI.passphrase)' \(CLI.executable.path) write \(path); echo EXIT=$?")
        try tmux.answerEntry(text: "a long evening, written once", title: "Evening", tags: String(repeating: "t", count: 130))
        try tmux.waitFor("your text is kept")
        try tmux.waitFor("Title (Enter for none):")
        tmux.type("Evening")
        try tmux.waitFor("Tags, separated by commas")
        tmux.type("hard, kept")
        let screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("Sealed entry #0.") && screen.contains("EXIT=0"), "\(screen)")
        let records = try readAll(Journal.open(at: path, passphrase: testPassphrase(CLI.passphrase), mode: .readOnly))
        let entry = try #require(records.first).decode(JournalEntry.self)
        #expect(entry.text == "a long evening, written once" && entry.title == "Evening" && entry.tags == ["hard", "kept"])
    }

    @Test("init asks twice without echo; write unlocks first, then takes the text, title and tags; a wrong passphrase is asked three times")
    func prompts() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("pty.sjournal")
        let secret = "pty-typed passphrase 7c1d"
        let tmux = try TmuxSession()
        defer { tmux.close() }

        try tmux.start("\(CLI.executable.path) init \(path) --kdf interactive; echo EXIT=$?")
        try tmux.waitFor("New passphrase:")
        tmux.type(secret)
        try tmux.waitFor("Repeat the new passphrase:")
        tmux.type(secret)
        var screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("EXIT=0") && screen.contains("recovery key:"), "\(screen)")
        #expect(!screen.contains(secret), "the passphrase was echoed:\n\(screen)")

        try tmux.start("\(CLI.executable.path) write \(path); echo EXIT=$?")
        try tmux.waitFor("Passphrase for")
        tmux.type(secret)
        try tmux.answerEntry(text: "hello from a terminal", tags: "pty")
        screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("Sealed entry #0.") && screen.contains("EXIT=0"), "\(screen)")
        #expect(!screen.contains(secret))

        try tmux.start("\(CLI.executable.path) read \(path); echo EXIT=$?")
        try tmux.waitFor("Passphrase for")
        tmux.type("not it at all")
        try tmux.waitFor("try again (2 more tries)")
        tmux.type("still not it")
        try tmux.waitFor("try again (1 more try)")
        tmux.type("nor this")
        screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("wrong passphrase") && screen.contains("EXIT=2"), "\(screen)")

        try tmux.start("\(CLI.executable.path) init \(dir.file("other")) --kdf interactive; echo EXIT=$?")
        try tmux.waitFor("New passphrase:")
        for attempt in 1...3 {
            tmux.type("plinth marzipan cobalt overture \(attempt)")
            try tmux.waitFor("Repeat the new passphrase:")
            tmux.type("velvet anchovy sprocket harbinger \(attempt)")
            if attempt < 3 { try tmux.waitFor("The two passphrases differ. Try again (\(3 - attempt) tr") }
        }
        screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("the two passphrases differ") && screen.contains("EXIT=4"), "\(screen)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("other")))
    }
}

extension TerminalPromptTests {
    @Test("Ctrl-C at a passphrase prompt ends the command and gives the terminal its echo back")
    func interruptAtPrompt() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start("\(CLI.executable.path) read \(path); echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?echo' | sed 's/^/STTY:/'")
        try tmux.waitFor("Passphrase for")
        tmux.key("C-c")
        let screen = try tmux.waitFor("STTY:")
        #expect(screen.contains("EXIT=130"), "\(screen)")
        #expect(screen.contains("STTY:echo") && !screen.contains("STTY:-echo"), "\(screen)")
    }
}

extension TmuxSession {
    /// Answers `write`'s prompts at the terminal: the text (ended with Ctrl-D), then a title and tags (empty for none).
    func answerEntry(text: String, title: String = "", tags: String = "") throws {
        try waitFor("Type the entry")
        type(text)
        key("C-d")
        try waitFor("Title (Enter for none):")
        type(title)
        try waitFor("Tags, separated by commas")
        type(tags)
    }
}
