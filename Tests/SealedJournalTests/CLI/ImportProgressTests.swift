import Foundation
import Testing

/// What a person sees while importing a large file: the passphrase is asked (and a wrong one
/// said) before the long check, and each stage shows its progress once per percentage.
@Suite("Import at a terminal: passphrase first, then checking and importing progress")
struct ImportProgressTests {
    /// An NDJSON file of `count` entries; the last line invalid when `brokenAtEnd`.
    static func input(_ count: Int, brokenAtEnd: Bool = false, at path: String) throws {
        var text = ""
        for index in 0..<count {
            text += #"{"data":{"text":"entry \#(index) \#(String(repeating: "x", count: 200))"},"kind":"entry","recordedAt":"2026-01-01T00:00:00.000Z"}"# + "\n"
        }
        if brokenAtEnd { text += "{\"kind\": \"entry\"}\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("a wrong passphrase is said before the file is checked (not after a long wait), and nothing is written")
    func wrongPassphraseFirst() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let file = dir.file("in.ndjson")
        try Self.input(2_000, brokenAtEnd: true, at: file)
        let before = try fileBytes(path)
        let wrong = try CLI.run(["import", path, file, "--from", "ndjson"], passphrase: "not the passphrase")
        #expect(wrong.status == 2 && wrong.stderr == "sealed-journal: wrong passphrase\n", "\(wrong.stderr)")
        #expect(try fileBytes(path) == before)
        // Next, with the right passphrase, the check finds the broken last line: nothing written.
        let invalid = try CLI.run(["import", path, file, "--from", "ndjson"])
        #expect(invalid.status != 0 && invalid.stderr.contains("line 2001"), "\(invalid.stderr)")
        #expect(try fileBytes(path) == before)
    }

    @Test("at a terminal, checking and importing each show every percentage at most once, rising, then clear the line",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) is not installed (bsdutils)"))
    func progressOncePerPercent() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let file = dir.file("in.ndjson")
        try Self.input(30_000, at: file)
        // `script` (util-linux, always on Debian) gives the command a terminal and logs every byte it writes.
        let log = dir.file("typescript")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-e", "-c", "'\(CLI.executable.path)' import '\(path)' '\(file)' --from ndjson", log]
        var environment = ProcessInfo.processInfo.environment
        environment["SEALED_JOURNAL_PASSPHRASE"] = CLI.passphrase
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let screen = String(decoding: try fileBytes(log), as: UTF8.self)
        #expect(screen.contains("Imported 30000 record(s) as #0–#29999."))
        for label in ["checking", "importing"] {
            let shown = screen.components(separatedBy: "\r\(label) ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            #expect(!shown.isEmpty, "\(label) progress shown")
            #expect(shown == shown.sorted() && Set(shown).count == shown.count, "\(label): \(shown)")
            #expect(shown.last == 100)
            #expect(shown.contains { $0 < 100 }, "\(label) reported on its way, not only at its end: \(shown)")
        }
        #expect(screen.components(separatedBy: "\r\u{1B}[K").count >= 3, "each stage clears its line")
    }
}
