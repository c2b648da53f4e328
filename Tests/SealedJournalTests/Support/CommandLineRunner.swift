import Foundation
import Testing

/// Runs the built `sealed-journal` binary.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum CLI {
    static var executable: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("sealed-journal")
    }

    static let passphrase = "correct horse battery staple"

    /// Runs `sealed-journal arguments` with `SEALED_JOURNAL_PASSPHRASE` set (unless `passphrase` is nil),
    /// feeding `input` on standard input (empty by default), with no controlling terminal
    /// (`setsid`), so a missing passphrase source can never hang on a prompt.
    @discardableResult
    static func run(_ arguments: [String], passphrase: String? = CLI.passphrase, input: String = "",
                    environment extra: [String: String] = [:], directory: String? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--wait", executable.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SEALED_JOURNAL_PASSPHRASE")
        if let passphrase { environment["SEALED_JOURNAL_PASSPHRASE"] = passphrase }
        environment["TZ"] = environment["TZ"] ?? "UTC"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // Read both pipes concurrently so a large output cannot block the child.
        let errorData = DataBox()
        let reader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.done { usleep(1000) }
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errorData.data, as: UTF8.self))
    }

    /// A journal made with the interactive preset.
    static func makeJournal(in dir: TemporaryDirectory, name: String = "j.sjournal") throws -> String {
        try makeJournalWithKey(in: dir, name: name).path
    }

    /// A journal made with the interactive preset, and the recovery key `init` printed (its text).
    static func makeJournalWithKey(in dir: TemporaryDirectory, name: String = "j.sjournal") throws -> (path: String, recoveryKey: String) {
        let path = dir.file(name)
        let result = try run(["init", path, "--kdf", "interactive"])
        #expect(result.status == 0, "\(result.stderr)")
        return (path, try recoveryKey(printedIn: result.stdout))
    }

    /// The recovery key in what `init`, `recovery-key` or `rekey` printed (`recovery key: ...`).
    static func recoveryKey(printedIn output: String) throws -> String {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("recovery key: ") })
        return String(line.dropFirst("recovery key: ".count))
    }

    /// Runs `sealed-journal ARGUMENTS` through `/bin/sh -c script` (the binary is `$0`, the
    /// arguments `$@`), with the test passphrase in the environment plus `environment`, for what
    /// a shell does around it (a umask, a redirection): its exit status and standard error.
    static func runInShell(_ script: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, executable.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SEALED_JOURNAL_PASSPHRASE"] = passphrase
        environment["TZ"] = environment["TZ"] ?? "UTC"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let said = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, said)
    }
}

final class DataBox: @unchecked Sendable {
    // @unchecked: `data` is written once by the reader thread before `done` is set, then only read.
    private let lock = NSLock()
    private var stored = Data()
    private var finished = false
    func set(_ value: Data) { lock.withLock { stored = value; finished = true } }
    var done: Bool { lock.withLock { finished } }
    var data: Data { lock.withLock { stored } }
}
