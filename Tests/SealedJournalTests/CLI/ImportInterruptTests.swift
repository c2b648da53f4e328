import Foundation
import Testing
@testable import SealedJournal

@Suite("An interrupted import says what it kept", .serialized)
struct ImportInterruptTests {
    /// Starts `sealed-journal import JOURNAL INPUT --from ndjson` (passphrase from the
    /// environment, standard output and error to files); returns the process and a reader of
    /// what it wrote to each.
    static func startImport(journal: String, input: String, dir: TemporaryDirectory) throws -> (process: Process, stdout: () -> String, stderr: () -> String) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["import", journal, input, "--from", "ndjson"]
        var environment = ProcessInfo.processInfo.environment
        environment["SEALED_JOURNAL_PASSPHRASE"] = CLI.passphrase
        process.environment = environment
        let out = dir.file("import.out"), err = dir.file("import.err")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        // Read through a file handle: Foundation's whole-file read of an empty file leaks a
        // buffer that LeakSanitizer reports.
        func text(_ path: String) -> String {
            String(decoding: FileHandle(forReadingAtPath: path)?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, { text(out) }, { text(err) })
    }

    /// Starts an import (``startImport(journal:input:dir:)``) and sends `signals` once the journal holds a record.
    static func interruptedImport(journal: String, input: String, dir: TemporaryDirectory, signals: Int) throws -> (process: Process, stdout: String, stderr: String) {
        let (process, stdout, stderr) = try startImport(journal: journal, input: input, dir: dir)
        // The first chunk is committed once the journal holds records (the file was checked first).
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning, Date() < deadline, ((try? Journal.info(at: journal).recordCount) ?? 0) == 0 { usleep(20_000) }
        for _ in 0..<signals where process.isRunning {
            kill(process.processIdentifier, SIGINT)
            usleep(1_000)
        }
        process.waitUntilExit()
        return (process, stdout(), stderr())
    }

    /// 200,000 short NDJSON entries (about 16 MB): enough that the import is still running
    /// when its first chunk is on disk.
    static func largeInput(in dir: TemporaryDirectory) throws -> String {
        let path = dir.file("in.ndjson")
        var text = ""
        text.reserveCapacity(17_000_000)
        for index in 0..<200_000 {
            text += #"{"data":{"text":"entry \#(index)"},"kind":"entry","recordedAt":"2024-01-01T00:00:00.000Z"}"# + "\n"
        }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test("Ctrl-C: exit 130, the message names the records committed, exactly those are in the journal, and the journal verifies and takes the next write")
    func firstInterrupt() throws {
        let dir = try TemporaryDirectory()
        let journal = try CLI.makeJournal(in: dir)
        let input = try Self.largeInput(in: dir)
        let (process, stdout, stderr) = try Self.interruptedImport(journal: journal, input: input, dir: dir, signals: 1)
        let opened = try Journal.open(at: journal, passphrase: testPassphrase(CLI.passphrase), mode: .readOnly)
        let count = Int(opened.recordCount)
        try #require(count < 200_000, "the import finished before it could be interrupted; nothing to check")
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("import interrupted"))
        let said = stdout + stderr
        if count > 0 {
            #expect(said.contains("Imported \(count) record(s) as #0–#\(count - 1) before stopping"), "\(said)")
            #expect(said.contains("importing all of it again would add them twice"))
        } else {
            #expect(said.contains("Stopped before any record was written"), "\(said)")
        }
        // The records kept are the input's first ones, in order.
        var texts: [String] = []
        try opened.forEachRecord(RecordFilter(kinds: ["entry"])) { texts.append(try $0.decode(JournalEntry.self).text) }
        #expect(texts == (0..<count).map { "entry \($0)" })
        // What happens next: the journal verifies and takes a new record.
        #expect(try CLI.run(["verify", journal]).status == 0)
        #expect(try CLI.run(["write", journal], input: "after the interrupted import\n").status == 0)
        #expect(Journal.verify(at: journal).isValid)
    }

    @Test("a second Ctrl-C ends the process at once; what was committed stays and verifies")
    func secondInterrupt() throws {
        let dir = try TemporaryDirectory()
        let journal = try CLI.makeJournal(in: dir)
        let input = try Self.largeInput(in: dir)
        let (process, _, _) = try Self.interruptedImport(journal: journal, input: input, dir: dir, signals: 2)
        let opened = try Journal.open(at: journal, passphrase: testPassphrase(CLI.passphrase), mode: .readOnly)
        try #require(opened.recordCount < 200_000, "the import finished before it could be interrupted; nothing to check")
        // Either the first signal's stop was already under way (exit 130) or the second one killed it.
        #expect((process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
                || (process.terminationReason == .exit && process.terminationStatus == 130))
        // Killed by the second signal in the middle of a write, it may leave a torn tail (never
        // damage: whole commits in order, then part of one); the next write cuts it, then all verifies.
        let killed = Journal.verify(at: journal)
        #expect(killed.isValid || killed.problems.allSatisfy { $0.message.contains("(an interrupted write") },
                "\(killed)")
        #expect(try CLI.run(["write", journal], input: "after the second Ctrl-C\n").status == 0)
        #expect(Journal.verify(at: journal).isValid)
    }

    /// Input bytes the process has read so far (`rchar` in /proc/PID/io), or nil.
    static func bytesRead(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("rchar:") }) else { return nil }
        return Int(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces))
    }

    /// Whether this process may read /proc/PID/io of the CLI, which makes itself non-dumpable
    /// (ProcessHardening): only with CAP_SYS_PTRACE (bit 19 of CapEff), as root usually has
    /// outside containers.
    static var canWatchTheCLI: Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
        return mask & (1 << 19) != 0
    }

    @Test("Ctrl-C while the file is being checked: exit 130, nothing imported, the journal unchanged and still writable",
          .enabled(if: canWatchTheCLI, "needs CAP_SYS_PTRACE to see how far the CLI (non-dumpable) has read"))
    func interruptDuringCheck() throws {
        let dir = try TemporaryDirectory()
        let journal = try CLI.makeJournal(in: dir)
        let input = try Self.largeInput(in: dir)
        let size = try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int ?? 0
        let before = try fileBytes(journal)
        let (process, stdout, stderr) = try Self.startImport(journal: journal, input: input, dir: dir)
        // In the check: more than 1 MiB of the input read, but not yet all of it (the import reads it again).
        let deadline = Date().addingTimeInterval(120)
        var inCheck = false
        while process.isRunning, Date() < deadline {
            guard let read = Self.bytesRead(process.processIdentifier) else { break }  // not watchable (or ended)
            if read > 1 << 20, read < size / 2 {
                inCheck = true
                break
            }
            usleep(2_000)
        }
        if inCheck { kill(process.processIdentifier, SIGINT) }
        process.waitUntilExit()
        try #require(inCheck, "the check ended before it could be interrupted; nothing to check")
        let said = stdout() + stderr()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(said)")
        #expect(said.contains("Stopped while checking the file: nothing was imported.") && said.contains("import interrupted"), "\(said)")
        #expect(try fileBytes(journal) == before, "nothing written")
        // What happens next: the journal takes the next write.
        #expect(try CLI.run(["write", journal], input: "after the interrupted check\n").status == 0)
        #expect(Journal.verify(at: journal).isValid)
    }

    @Test("Ctrl-C during an import from a pipe whose writer stays open stops it (exit 130) instead of waiting for the input to end")
    func interruptWhileWaitingOnPipe() throws {
        let dir = try TemporaryDirectory()
        let journal = try CLI.makeJournal(in: dir)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["import", journal, "-", "--from", "ndjson"]
        var environment = ProcessInfo.processInfo.environment
        environment["SEALED_JOURNAL_PASSPHRASE"] = CLI.passphrase
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        let err = dir.file("import.err")
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: err)
        try process.run()
        // Three records go in; the writer keeps the pipe open (a producer that is still working).
        let lines = (0..<3).map { #"{"data":{"text":"piped \#($0)"},"kind":"entry","recordedAt":"2024-01-01T00:00:00.000Z"}"# + "\n" }.joined()
        input.fileHandleForWriting.write(Data(lines.utf8))
        usleep(1_500_000)  // it unlocks (Argon2id) and reads them, then waits on the open pipe
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        let stoppedInTime = !process.isRunning
        try? input.fileHandleForWriting.close()  // lets a process that ignored the signal end
        process.waitUntilExit()
        let stderr = String(decoding: FileHandle(forReadingAtPath: err)?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        #expect(stoppedInTime, "the import waited for the input to end")
        #expect(process.terminationStatus == 130 && stderr.contains("import interrupted"), "\(process.terminationStatus) \(stderr)")
        // What happens next: nothing half-written; the journal verifies and takes the next write.
        #expect(Journal.verify(at: journal).isValid)
        #expect(try CLI.run(["write", journal], input: "after the interrupted pipe\n").status == 0)
    }
}
