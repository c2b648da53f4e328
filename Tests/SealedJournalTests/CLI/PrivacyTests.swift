import Foundation
import Testing
@testable import SealedJournal

/// Another local account, for the tests of what other users can see: a system user created by
/// scripts/ensure-deps.sh (or here, when the tests run as root), and commands run as it with
/// util-linux `setpriv`.
enum OtherAccount {
    static let name = "sealedjournal-probe"

    /// (uid, gid) of the probe account, creating it when running as root; nil when impossible.
    static let ids: (uid: uid_t, gid: gid_t)? = {
        if let entry = getpwnam(name) { return (entry.pointee.pw_uid, entry.pointee.pw_gid) }
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/useradd") else { return nil }
        _ = run(["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
        guard let entry = getpwnam(name) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }()

    static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && ids != nil
    }

    /// The `setpriv` prefix that runs a command as the probe account.
    static var prefix: [String] {
        guard let ids else { return [] }
        return ["/usr/bin/setpriv", "--reuid=\(ids.uid)", "--regid=\(ids.gid)", "--clear-groups"]
    }

    /// Runs a shell command as the probe account; returns its status and standard output.
    static func shell(_ command: String) -> (status: Int32, output: String) {
        run(prefix + ["/bin/sh", "-c", command])
    }

    /// Runs `arguments` with output captured to a file (no pipe a daemon could inherit).
    @discardableResult
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let file = NSTemporaryDirectory() + "/probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: file)
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "") }
        process.waitUntilExit()
        return (process.terminationStatus, readWholeFile(file) ?? "")
    }

    /// Every process's command line, as the probe account reads them from /proc.
    static func readAllCommandLines() -> String {
        shell("for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < \"$f\" 2>/dev/null; echo; done").output
    }
}

/// A whole file read with open/read/close. (Foundation's readers leak under LeakSanitizer on
/// files that report size 0, like everything in /proc.)
func readWholeFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A directory any account can enter (the probe must reach the journal and the binary).
func makeSharedDirectory(owner: (uid: uid_t, gid: gid_t)? = nil) throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory()
    chmod(dir.path, 0o755)
    if let owner { chown(dir.path, owner.uid, owner.gid) }
    return dir
}

/// The pid of the process whose command line contains `marker` (waiting at a prompt).
func pidOfCommand(containing marker: String) -> pid_t? {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries {
        guard let pid = pid_t(entry), pid != getpid(), let text = readWholeFile("/proc/\(entry)/cmdline") else { continue }
        let arguments = text.split(separator: "\0").map(String.init)
        if arguments.first?.hasSuffix("sealed-journal") == true && arguments.contains(where: { $0.contains(marker) }) { return pid }
    }
    return nil
}

@Suite("Nothing a client wrote reaches another account: process arguments", .serialized,
       .enabled(if: TmuxSession.isAvailable && OtherAccount.isAvailable,
                "needs root, tmux, util-linux setpriv and useradd (make test installs them and runs as root in CI)"))
struct ArgumentPrivacyTests {
    @Test("while each content-bearing command runs (waiting at its passphrase prompt), another uid reading /proc/*/cmdline sees the journal path but none of the content")
    func noContentInCommandLines() throws {
        let dir = try TemporaryDirectory()
        // Unique per run: another test run on the machine must never be mistaken for this one.
        let pathMark = "argv-PATHMARK-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let path = dir.file("\(pathMark).sjournal")
        try CLI.run(["init", path, "--kdf", "interactive"])
        try CLI.run(["write", path], input: "seed entry")
        try "ENTRY-SECRET-a91 what I wrote tonight".write(toFile: dir.file("entry.txt"), atomically: false, encoding: .utf8)
        try "{\"text\": \"JSONTEXT-SECRET-b22\", \"title\": \"TITLE-SECRET-c33\", \"tags\": [\"TAG-SECRET-d44\"]}"
            .write(toFile: dir.file("entry.json"), atomically: false, encoding: .utf8)
        try "{\"mood\": 2, \"craving\": 9, \"use\": \"used\", \"note\": \"NOTE-SECRET-e55\", \"triggers\": [\"TRIGGER-SECRET-f66\"]}"
            .write(toFile: dir.file("checkin.json"), atomically: false, encoding: .utf8)
        try "SEARCH-SECRET-g77\n".write(toFile: dir.file("term.txt"), atomically: false, encoding: .utf8)
        try "WHOM-SECRET-h88\nPURPOSE-SECRET-i99\n".write(toFile: dir.file("whom.txt"), atomically: false, encoding: .utf8)
        let secrets = ["ENTRY-SECRET", "JSONTEXT-SECRET", "TITLE-SECRET", "TAG-SECRET", "NOTE-SECRET", "TRIGGER-SECRET",
                       "SEARCH-SECRET", "WHOM-SECRET", "PURPOSE-SECRET"]
        let cli = CLI.executable.path
        let commands = [
            "\(cli) write \(path) < \(dir.file("entry.txt"))",
            "\(cli) write \(path) --json \(dir.file("entry.json"))",
            "\(cli) checkin \(path) --json \(dir.file("checkin.json"))",
            "\(cli) read \(path) --contains - < \(dir.file("term.txt"))",
            "\(cli) export \(path) --format json --to-whom - --purpose - --output \(dir.file("out.json")) < \(dir.file("whom.txt"))",
            "\(cli) audit \(path) --disclose 0 --to-whom - --purpose - --output \(dir.file("bundle.json")) < \(dir.file("whom.txt"))",
            "\(cli) report \(path) --from 2026-01-01 --to 2026-01-31 --to-whom - --purpose - --output \(dir.file("r.md")) < \(dir.file("whom.txt"))",
        ]
        let tmux = try TmuxSession()
        defer { tmux.close() }
        for command in commands {
            try tmux.start(command + " > /dev/null; echo EXIT=$?")
            try tmux.waitFor("Passphrase for")
            let seen = OtherAccount.readAllCommandLines()
            #expect(seen.contains(pathMark), "the probe must see the waiting command's arguments: \(command)")
            for secret in secrets {
                #expect(!seen.contains(secret), "\(secret) visible to another account during: \(command)")
            }
            tmux.type(CLI.passphrase)
            let screen = try tmux.waitFor("EXIT=")
            #expect(screen.contains("EXIT=0"), "\(command)\n\(screen)")
        }
        // The guided check-in: answers typed at the terminal, probed while it waits for the next one.
        try tmux.start("\(cli) checkin \(path); echo EXIT=$?")
        try tmux.waitFor("Passphrase for")
        tmux.type(CLI.passphrase)
        try tmux.waitFor("[r/a]")  // today already has the JSON check-in: a second one
        tmux.type("a")
        for (question, answer) in [("Mood", "4"), ("Craving", "6"), ("Use today", "sober"), ("Hours slept", ""), ("Meetings", "0"),
                                   ("Medication", ""), ("A trigger today", "GUIDED-TRIGGER-k11"), ("Another trigger", "")] {
            try tmux.waitFor(question)
            tmux.type(answer)
        }
        try tmux.waitFor("reach out")
        let guided = OtherAccount.readAllCommandLines()
        #expect(guided.contains(pathMark) && !guided.contains("GUIDED-TRIGGER-k11"))
        tmux.type("no")
        try tmux.waitFor("A note")
        tmux.type("")
        try tmux.waitFor("EXIT=0")

        // What follows shows the probe can fail: the opt-in form does expose the content.
        try tmux.start("\(cli) write \(path) 'OPTIN-SECRET-j00' --allow-args; echo EXIT=$?")
        let screen = try tmux.waitFor("Passphrase for")
        #expect(screen.contains("visible to every local account (ps)"))
        let optIn = OtherAccount.readAllCommandLines()
        #expect(optIn.contains("OPTIN-SECRET-j00"), "\(optIn.split(separator: "\n").filter { $0.contains("sealed-journal") })")
        tmux.type(CLI.passphrase)
        try tmux.waitFor("EXIT=0")
        let read = try CLI.run(["read", path])
        for secret in ["ENTRY-SECRET", "JSONTEXT-SECRET", "TITLE-SECRET", "TAG-SECRET", "NOTE-SECRET", "TRIGGER-SECRET"] {
            #expect(read.stdout.contains(secret), "\(secret) was sealed")
        }
        let disclosures = try CLI.run(["disclosures", path]).stdout
        #expect(disclosures.contains("to WHOM-SECRET-h88") && disclosures.contains("purpose: PURPOSE-SECRET-i99"))
    }
}

@Suite("The process hides what it holds: core dumps, debugger attach, crash reports", .serialized,
       .enabled(if: TmuxSession.isAvailable && OtherAccount.isAvailable,
                "needs root, tmux, util-linux setpriv and useradd (make test installs them and runs as root in CI)"))
struct ProcessHardeningTests {
    @Test("waiting at a prompt, the CLI has core size 0, is not dumpable (its /proc files belong to root; the same uid cannot open its mem or environ), and a crash prints no memory")
    func hardenedAtPrompt() throws {
        let ids = try #require(OtherAccount.ids)
        let dir = try makeSharedDirectory(owner: ids)
        let binary = dir.file("sealed-journal")
        try FileManager.default.copyItem(atPath: CLI.executable.path, toPath: binary)
        chmod(binary, 0o755)
        // Unique per run: the signal below must never reach another test run's process.
        let mark = "hardening-MARK-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let path = dir.file("\(mark).sjournal")
        try CLI.run(["init", path, "--kdf", "interactive"])
        chown(path, ids.uid, ids.gid)

        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start((OtherAccount.prefix + [binary, "read", path]).joined(separator: " ") + "; echo EXIT=$?")
        try tmux.waitFor("Passphrase for")
        let pid = try #require(pidOfCommand(containing: mark))

        let limits = try #require(readWholeFile("/proc/\(pid)/limits"))
        let core = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        #expect(core.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(core)")
        var info = stat()
        #expect(stat("/proc/\(pid)/environ", &info) == 0 && info.st_uid == 0, "a non-dumpable process's /proc files belong to root")
        let status = try #require(readWholeFile("/proc/\(pid)/status"))
        #expect(status.contains("Uid:\t\(ids.uid)"), "the CLI runs as the probe account")
        for file in ["mem", "environ"] {
            let attempt = OtherAccount.shell("exec 3< /proc/\(pid)/\(file) && echo OPENED")
            #expect(!attempt.output.contains("OPENED"), "the same uid opened /proc/PID/\(file)")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") {
            let traced = OtherAccount.shell("timeout 5 /usr/bin/strace -p \(pid) -e trace=none 2>&1 || echo REFUSED")
            #expect(traced.output.contains("REFUSED") || traced.output.contains("Operation not permitted"), "\(traced.output)")
        }
        // The same check can fail: an ordinary process of the probe account is open to it.
        let control = OtherAccount.shell("sleep 30 >/dev/null 2>&1 & p=$!; sleep 0.2; (exec 3< /proc/$p/mem && echo OPENED); kill $p")
        #expect(control.output.contains("OPENED"))

        // Under AddressSanitizer its own deadly-signal handler owns SIGSEGV (and cannot report
        // from a non-dumpable process), so the crash check runs in the ordinary build only.
        guard dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") == nil else {
            tmux.key("C-c")
            _ = try tmux.waitFor("EXIT=")
            return
        }
        // A crash (here SIGSEGV) prints one fixed line: no registers, no memory, no backtrace.
        kill(pid, SIGSEGV)
        let screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("crashed (signal 11); no memory was printed or dumped"), "\(screen)")
        #expect(!screen.contains("Registers") && !screen.contains("Backtracing") && !screen.contains("0x0000"), "\(screen)")
        #expect(screen.contains("EXIT=139"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("core")))
    }
}

@Suite("The guided check-in at a real terminal", .serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed (make test installs it)"))
struct GuidedCheckInTests {
    @Test("asks the passphrase first, then each question with its range, re-asks invalid answers; Ctrl-C part-way writes nothing")
    func guided() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start("\(CLI.executable.path) check-in \(path); echo EXIT=$?")
        try tmux.waitFor("Passphrase for")
        tmux.type(CLI.passphrase)
        try tmux.waitFor("Mood, 1 (worst) to 10 (best):")
        tmux.type("11")
        try tmux.waitFor("please try again")
        tmux.type("3")
        try tmux.waitFor("Craving, 0 (none) to 10")
        tmux.type("8")
        try tmux.waitFor("Use today: sober, hard-day (no use) or used:")
        tmux.type("hard day")
        try tmux.waitFor("Hours slept")
        tmux.type("")
        try tmux.waitFor("Meetings attended")
        tmux.type("2")
        try tmux.waitFor("Kinds of meeting")
        tmux.type("aa, therapy")
        try tmux.waitFor("Medication: taken, missed or none")
        tmux.type("taken")
        try tmux.waitFor("A trigger today")
        tmux.type("PTY-TRIGGER payday")
        try tmux.waitFor("Another trigger")
        tmux.type("")
        try tmux.waitFor("reach out to your support network")
        tmux.type("yes")
        try tmux.waitFor("A note (one line")
        tmux.type("PTY-NOTE called Sam")
        let screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("Sealed check-in #0") && screen.contains("EXIT=0"), "\(screen)")
        let read = try CLI.run(["read", path])
        #expect(read.stdout.contains("mood 3/10 · craving 8/10 · hard-day · 2 meetings (aa, therapy) · medication taken · reached out"), "\(read.stdout)")
        #expect(read.stdout.contains("triggers: PTY-TRIGGER payday") && read.stdout.contains("note: PTY-NOTE called Sam"))

        let before = try fileBytes(path)
        try tmux.start("\(CLI.executable.path) checkin \(path); echo EXIT=$?")
        try tmux.waitFor("Passphrase for")
        tmux.type(CLI.passphrase)
        try tmux.waitFor("[r/a]")  // today already has a check-in: asked before the questions
        tmux.type("a")
        try tmux.waitFor("Mood, 1 (worst)")
        tmux.type("7")
        try tmux.waitFor("Craving")
        tmux.key("C-c")
        let interrupted = try tmux.waitFor("EXIT=")
        #expect(interrupted.contains("EXIT=130"), "\(interrupted)")
        #expect(try fileBytes(path) == before, "an interrupted check-in writes nothing")
        #expect(try CLI.run(["info", path], passphrase: nil).stdout.contains("records:      1"))
    }
}

@Suite("sealed-journal keeps content out of the arguments and off the terminal's controls")
struct ContentSafetyTests {
    @Test("content in the arguments is refused without --allow-args (nothing written) and warned about with it")
    func argumentsRefused() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let before = try fileBytes(path)
        let refused: [[String]] = [
            ["write", path, "some text"], ["write", path, "--title", "t"], ["write", path, "--tag", "t"],
            ["checkin", path, "--mood", "5", "--craving", "1", "--use", "sober"], ["checkin", path, "--note", "n"],
            ["read", path, "--contains", "x"], ["read", path, "--tag", "x"],
            ["export", path, "--format", "json", "--to-whom", "Dr. Lee"], ["report", path, "--from", "2026-01-01", "--to", "2026-01-02", "--purpose", "p"],
            ["audit", path, "--to-whom", "x", "--output", dir.file("b.json")],
        ]
        for arguments in refused {
            let result = try CLI.run(arguments, input: "")
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains("(ps)") && result.stderr.contains("--allow-args"), "\(result.stderr)")
        }
        #expect(try fileBytes(path) == before)
        let allowed = try CLI.run(["write", path, "opted in", "--allow-args"])
        #expect(allowed.status == 0 && allowed.stderr.hasPrefix("warning: journal content in the arguments is visible to every local account (ps)"))
        let noInput = try CLI.run(["checkin", path])
        #expect(noInput.status == 4 && noInput.stderr.contains("--json -"), "no terminal and no JSON: says how, never hangs")
    }

    @Test("write from standard input, a file, JSON and $EDITOR (a 0600 file in a 0700 directory, removed afterwards)")
    func writeSources() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        #expect(try CLI.run(["write", path], input: "from stdin\n").status == 0)
        try "from a file".write(toFile: dir.file("e.txt"), atomically: false, encoding: .utf8)
        #expect(try CLI.run(["write", path, "--file", dir.file("e.txt")]).status == 0)
        #expect(try CLI.run(["write", path, "--json", "-"], input: "{\"text\":\"from json\",\"title\":\"J\",\"tags\":[\"a\",\"b\"]}").status == 0)
        let runtime = dir.file("run")
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let editor = dir.file("fake-editor.sh")
        try """
        #!/bin/sh
        stat -c '%a' "$1" > \(dir.file("modes.txt"))
        stat -c '%a' "$(dirname "$1")" >> \(dir.file("modes.txt"))
        printf 'from the editor\\n' > "$1"
        """.write(toFile: editor, atomically: false, encoding: .utf8)
        chmod(editor, 0o755)
        let edited = try CLI.run(["write", path, "--edit"], environment: ["EDITOR": editor, "VISUAL": "", "XDG_RUNTIME_DIR": runtime])
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(try String(contentsOfFile: dir.file("modes.txt"), encoding: .utf8) == "600\n700\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime).isEmpty, "the editor's directory is removed")
        let read = try CLI.run(["read", path]).stdout
        for text in ["from stdin", "from a file", "from json", "    tags: a, b", "from the editor"] { #expect(read.contains(text), "\(text)") }
        let failed = try CLI.run(["write", path, "--edit"], environment: ["EDITOR": "false", "VISUAL": "", "XDG_RUNTIME_DIR": runtime])
        #expect(failed.status == 4 && failed.stderr.contains("nothing was written"))
    }

    @Test("search terms and disclosure descriptions come from - (standard input here)")
    func dashValues() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path], input: "apples and pears")
        try CLI.run(["write", path], input: "only plums")
        let found = try CLI.run(["read", path, "--contains", "-"], input: "PEARS\n")
        #expect(found.stdout.contains("apples") && !found.stdout.contains("plums"))
        try CLI.run(["export", path, "--format", "json", "--to-whom", "-", "--purpose", "-"], input: "Dr. Lee\nweekly review\n")
        let list = try CLI.run(["disclosures", path]).stdout
        #expect(list.contains("to Dr. Lee") && list.contains("purpose: weekly review"))
    }

    @Test("a recipient or purpose with escape sequences is escaped in every message that names it (export, report, audit), and recorded as typed")
    func hostileRecipient() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path], input: "one")
        try CLI.run(["checkin", path, "--mood", "5", "--craving", "1", "--use", "sober", "--allow-args"])
        let recipient = "Dr \u{1B}[2J\u{1B}]0;TITLE\u{07}Lee\u{202E}"
        let answers = recipient + "\nwhy \u{9B}31m\n"
        let runs = [try CLI.run(["export", path, "--format", "json", "--to-whom", "-", "--purpose", "-", "--output", dir.file("e.json")], input: answers),
                    try CLI.run(["report", path, "--from", "2020-01-01", "--to", "2040-01-01", "--to-whom", "-", "--purpose", "-", "--output", dir.file("r.json")], input: answers),
                    try CLI.run(["audit", path, "--to-whom", "-", "--purpose", "-", "--output", dir.file("a.json")], input: answers)]
        for run in runs {
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!run.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || $0.value == 0x202E }, "\(run.stderr)")
            #expect(run.stderr.contains("Dr \\x1B[2J\\x1B]0;TITLE\\x07Lee\\u{202E}"), "\(run.stderr)")
        }
        // What happens next: the accounting holds the words as they were typed (shown escaped).
        let verified = try Journal.open(at: path, passphrase: testPassphrase(CLI.passphrase), mode: .readOnly)
        var recipients: [String] = []
        try verified.forEachRecord(RecordFilter(kinds: ["disclosure"])) { recipients.append(try $0.decode(Disclosure.self).recipient) }
        #expect(recipients == [recipient, recipient, recipient])
        // A line feed in a value (here a path) cannot forge a line of its own.
        let forged = try CLI.run(["verify", dir.file("x\nsealed-journal: verification OK\ny.sj")], passphrase: nil)
        #expect(forged.status != 0 && forged.stderr.split(separator: "\n").count == 1 && forged.stderr.contains("x\\x0Asealed-journal: verification OK\\x0Ay.sj"), "\(forged.stderr)")
    }

    @Test("escape sequences in an entry reach read and verify-audit escaped; verify-audit's verdict is last and says what it checked")
    func escapes() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let hostile = "line one\\u001b[2J\\u001b]0;pwned\\u0007\\nverified OK\\r\\u009b31m\\u202e tail"
        let result = try CLI.run(["write", path, "--json", "-"],
                                 input: "{\"text\":\"\(hostile)\",\"title\":\"T\\u001b[8m\",\"tags\":[\"x\\u001b[1A\"]}")
        #expect(result.status == 0, "\(result.stderr)")
        let read = try CLI.run(["read", path])
        #expect(!read.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 || $0.value == 0x0D || $0.value == 0x202E })
        #expect(read.stdout.contains("line one\\x1B[2J\\x1B]0;pwned\\x07") && read.stdout.contains("    verified OK\\x0D\\x9B31m\\u{202E} tail"))
        #expect(read.stdout.contains("entry  T\\x1B[8m") && read.stdout.contains("tags: x\\x1B[1A"))

        try CLI.run(["audit", path, "--disclose", "0", "--output", dir.file("b.json")])
        let verified = try CLI.run(["verify-audit", dir.file("b.json")], passphrase: nil)
        #expect(verified.status == 0)
        #expect(!verified.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x0D })
        #expect(verified.stdout.contains("\\x1B[2J"))
        #expect(!verified.stdout.contains("consistent with the checkpoint you hold"))
        #expect(verified.stdout.contains("not checked: consistency with a checkpoint you hold"))
        #expect(verified.stderr.split(separator: "\n").last?.hasPrefix("Audit bundle verified") == true)

        // A failing bundle (wrong fingerprint): records shown escaped, then FAILED as the very last line.
        let failed = try CLI.run(["verify-audit", dir.file("b.json"), "--fingerprint", "0000:0000:0000:0000:0000:0000:0000:0000"], passphrase: nil)
        #expect(failed.status == 1)
        #expect(!failed.stdout.unicodeScalars.contains { $0.value == 0x1B })
        #expect(failed.stderr.split(separator: "\n").last?.contains("verification FAILED") == true, "\(failed.stderr)")
    }

    @Test("the escaping helper: controls escaped, line breaks kept only in multi-line fields, split UTF-8 handled in streams")
    func terminalText() {
        #expect(TerminalText.escape("a\u{1B}[31mb\n\tc") == "a\\x1B[31mb\\x0A\\x09c")
        #expect(TerminalText.escape("a\u{1B}b\n\tc\r", keepingLineBreaks: true) == "a\\x1Bb\n\tc\\x0D")
        #expect(TerminalText.escape("\u{7F}\u{85}\u{9B}\u{202E}\u{2066}é🌱") == "\\x7F\\x85\\x9B\\u{202E}\\u{2066}é🌱")
        #expect(TerminalText.containsControls("ok\u{1B}") && !TerminalText.containsControls("ok\n", keepingLineBreaks: true))
        var filter = TerminalText.StreamFilter()
        let bytes = Array("x\u{1B}y\u{9B}z\u{202E}é\n".utf8)
        var output: [UInt8] = []
        for byte in bytes { output += filter.filter([byte]) }  // every split point
        output += filter.finish()
        #expect(String(decoding: output, as: UTF8.self) == "x\\x1By\\x9Bz\\u{202E}é\n")
    }
}

@Suite("Output files are all-or-nothing and never follow someone else's link")
struct OutputFileTests {
    @Test("SIGINT part-way through an export leaves no file and records no disclosure")
    func interruptedExport() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let filler = String(repeating: "a long line of journal text to make the export big; ", count: 6)
        let lines = (0..<4000).map { "{\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00Z\",\"data\":{\"text\":\"\($0) \(filler)\",\"tags\":[]}}" }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir.file("big.ndjson"), atomically: false, encoding: .utf8)
        #expect(try CLI.run(["import", path, dir.file("big.ndjson"), "--from", "ndjson"]).status == 0)
        try FileManager.default.removeItem(atPath: dir.file("big.ndjson"))
        let before = try fileBytes(path)
        let output = dir.file("export.json")

        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["export", path, "--format", "json", "--output", output]
        var environment = ProcessInfo.processInfo.environment
        environment["SEALED_JOURNAL_PASSPHRASE"] = CLI.passphrase
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the unnamed file holds some plaintext, then interrupt.
        var caughtMidway = false
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline && !caughtMidway {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd")) ?? []
            for fd in fds {
                let link = "/proc/\(process.processIdentifier)/fd/\(fd)"
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
                      target.contains(URL(fileURLWithPath: dir.path).lastPathComponent + "/#"), target.hasSuffix("(deleted)") else { continue }
                var info = stat()
                if stat(link, &info) == 0 && info.st_size > 64 * 1024 { caughtMidway = true }
            }
            if !caughtMidway { usleep(2000) }
        }
        try #require(caughtMidway, "the export finished before it could be interrupted")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["j.sjournal"], "no export file, no temporary file")
        #expect(try fileBytes(path) == before, "no disclosure recorded")
        // The same export, left alone, completes and is recorded.
        #expect(try CLI.run(["export", path, "--format", "json", "--output", output]).status == 0)
        #expect(try CLI.run(["disclosures", path]).stdout.contains("records: 4000"))
    }

    @Test("--force refuses a symbolic link, a hard link, a FIFO or a directory at the output path; the target is untouched")
    func plantedOutputs() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path], input: "PLAINTEXT-OUT-3f")
        try "victim's file\n".write(toFile: dir.file("victim"), atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.file("sym.json"), withDestinationPath: dir.file("victim"))
        try FileManager.default.linkItem(atPath: dir.file("victim"), toPath: dir.file("hard.json"))
        mkfifo(dir.file("fifo.json"), 0o600)
        try FileManager.default.createDirectory(atPath: dir.file("dir.json"), withIntermediateDirectories: false)
        let cases = [("sym.json", "symbolic link"), ("hard.json", "hard links"), ("fifo.json", "named pipe"), ("dir.json", "directory")]
        for (name, reason) in cases {
            for force in [true, false] {
                let result = try CLI.run(["export", path, "--format", "json", "--output", dir.file(name)] + (force ? ["--force"] : []))
                #expect(result.status == 4, "\(name)")
                #expect(result.stderr.contains(force ? reason : "already exists"), "\(result.stderr)")
            }
        }
        #expect(try String(contentsOfFile: dir.file("victim"), encoding: .utf8) == "victim's file\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("sym.json")) == dir.file("victim"))
        #expect(!(try CLI.run(["disclosures", path]).stdout.contains("purpose:")), "refused exports record nothing")
        // A regular file with one link is replaced whole (not written through), mode 0600.
        try "old".write(toFile: dir.file("plain.json"), atomically: false, encoding: .utf8)
        chmod(dir.file("plain.json"), 0o644)
        #expect(try CLI.run(["export", path, "--format", "json", "--output", dir.file("plain.json"), "--force"]).status == 0)
        #expect(try String(contentsOfFile: dir.file("plain.json"), encoding: .utf8).contains("PLAINTEXT-OUT-3f"))
        #expect(try FileManager.default.attributesOfItem(atPath: dir.file("plain.json"))[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.hasSuffix(".partial") })
    }

    @Test("a FIFO or a directory as the journal: a clear error at once, no hang")
    func nonRegularJournals() throws {
        let dir = try TemporaryDirectory()
        mkfifo(dir.file("fifo"), 0o600)
        try FileManager.default.createDirectory(atPath: dir.file("folder"), withIntermediateDirectories: false)
        for (name, what) in [("fifo", "is a named pipe (FIFO), not a journal file"), ("folder", "is a directory, not a journal file")] {
            for arguments in [["info"], ["verify"], ["checkpoint"], ["read"], ["write"], ["export", "--format", "json"]] {
                let result = try CLI.run([arguments[0], dir.file(name)] + arguments.dropFirst(), input: "text")
                #expect(result.status == 3, "\(arguments) \(name): \(result.stderr)")
                #expect(result.stderr == "sealed-journal: \(dir.file(name)) \(what)\n")
            }
        }
        // The library refuses too, without blocking, for embedders that skip the CLI's check.
        #expect(throws: JournalError.self) { try Journal.info(at: dir.file("fifo")) }
        #expect(throws: JournalError.self) { try Journal.info(at: dir.file("folder")) }
    }

    @Test("plaintext on standard output redirected to a file: stderr names the file and its mode")
    func standardOutputFile() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["write", path], input: "to a redirected stdout")
        let out = dir.file("redirected.json")
        _ = FileManager.default.createFile(atPath: out, contents: nil, attributes: [.posixPermissions: 0o644])
        let errors = dir.file("errors.txt")
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["export", path, "--format", "json"]
        var environment = ProcessInfo.processInfo.environment
        environment["SEALED_JOURNAL_PASSPHRASE"] = CLI.passphrase
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: errors)
        try process.run()
        process.waitUntilExit()
        let message = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(process.terminationStatus == 0)
        #expect(message.contains("the plaintext went to standard output, the file ") && message.contains("redirected.json (mode 644): other accounts can read it"), "\(message)")
    }
}

@Suite("ExportFile, the library's all-or-nothing output file")
struct ExportFileTests {
    @Test("unnamed (O_TMPFILE) and named fallback: nothing visible until finish; discard leaves nothing; replace swaps whole", arguments: [true, false])
    func lifecycle(unnamed: Bool) throws {
        let dir = try TemporaryDirectory()
        let target = dir.file("out.txt")
        let file = try ExportFile(path: target, overwrite: false, unnamed: unnamed)
        try file.write("first part ")
        let during = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!during.contains("out.txt"))
        #expect(during.count == (unnamed ? 0 : 1) && during.allSatisfy { $0.hasPrefix(".out.txt.") && $0.hasSuffix(".partial") }, "\(during)")
        if let name = during.first {
            #expect(try FileManager.default.attributesOfItem(atPath: dir.file(name))[.posixPermissions] as? Int == 0o600)
        }
        try file.write("and the rest")
        try file.finish()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "first part and the rest")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])
        #expect(try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int == 0o600)

        let abandoned = try ExportFile(path: dir.file("gone.txt"), overwrite: false, unnamed: unnamed)
        try abandoned.write("never lands")
        abandoned.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])

        #expect(throws: JournalError.alreadyExists(path: target)) { try ExportFile(path: target, overwrite: false, unnamed: unnamed) }
        let replacing = try ExportFile(path: target, overwrite: true, unnamed: unnamed)
        try replacing.write("new")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "first part and the rest", "the old file stays until finish")
        try replacing.finish()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])

        // A name that appears between start and finish is never overwritten.
        let racing = try ExportFile(path: dir.file("late.txt"), overwrite: false, unnamed: unnamed)
        try racing.write("mine")
        try "someone else's".write(toFile: dir.file("late.txt"), atomically: false, encoding: .utf8)
        #expect(throws: JournalError.alreadyExists(path: dir.file("late.txt"))) { try racing.finish() }
        #expect(try String(contentsOfFile: dir.file("late.txt"), encoding: .utf8) == "someone else's")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["out.txt", "late.txt"])
    }
}

@Suite("Hostile text at a real terminal", .serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed (make test installs it)"))
struct TerminalEscapeTests {
    @Test("read, a markdown export and verify-audit shown on a terminal: the escape sequences appear as text, and verify-audit's FAILED verdict is the last line")
    func hostileEntryOnScreen() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        // Clear the screen, conceal what follows, and fake a verdict.
        let hostile = "\\u001b[2J\\u001b[8mHIDDEN-AFTER-CONCEAL\\u001b[0m\\nAudit bundle verified."
        #expect(try CLI.run(["write", path, "--json", "-"], input: "{\"text\":\"\(hostile)\"}").status == 0)
        try CLI.run(["audit", path, "--disclose", "0", "--output", dir.file("b.json")])
        try writeFileBytes(Array((CLI.passphrase + "\n").utf8), to: dir.file("pass"))
        let unlock = "--passphrase-file \(dir.file("pass"))"
        let tmux = try TmuxSession()
        defer { tmux.close() }
        for command in ["read \(path) \(unlock)", "export \(path) --format markdown --kind entry \(unlock)", "verify-audit \(dir.file("b.json"))"] {
            try tmux.start("\(CLI.executable.path) \(command); echo EXIT=$?")
            let screen = try tmux.waitFor("EXIT=0")
            #expect(screen.contains("\\x1B[2J\\x1B[8mHIDDEN-AFTER-CONCEAL\\x1B[0m"), "\(command):\n\(screen)")
        }
        // A bundle that fails (it was not made for the scope asked for) shows none of its records: NOT verified, then the verdict.
        try tmux.start("\(CLI.executable.path) verify-audit \(dir.file("b.json")) --kind entry --from 2026-01-01 --to 2026-01-02; echo EXIT=$?")
        let screen = try tmux.waitFor("EXIT=")
        let lines = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let exitLine = try #require(lines.lastIndex { $0.hasPrefix("EXIT=") })
        #expect(lines[exitLine] == "EXIT=1")
        #expect(lines[exitLine - 1].contains("verification FAILED"), "\(screen)")
        #expect(lines[exitLine - 2].hasPrefix("NOT verified: the bundle was made for"), "\(screen)")
        #expect(!screen.contains("HIDDEN-AFTER-CONCEAL"), "nothing the failing bundle supplied is shown")
        let raw = screen.split(separator: "\n").map(String.init)
        #expect(!raw.contains { $0.hasPrefix("Audit bundle verified") }, "the fake verdict never stands as a line of its own")
    }
}
