import Foundation
import Testing

@Suite("make demo, as a newcomer runs it")
struct DemoTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/demo.sh").path

    @Test("scripts/demo.sh runs the main job end to end with the built CLI and leaves the HTML report where it says")
    func demoRuns() throws {
        let dir = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--wait", "/bin/bash", Self.script, CLI.executable.path]
        process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SEALED_JOURNAL_PASSPHRASE")
        process.environment = environment
        let output = dir.file("demo.log")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "\(log.suffix(2000))")
        let report = dir.file(".build/demo/compliance-report.html")
        #expect(FileManager.default.fileExists(atPath: report) && log.contains(".build/demo/compliance-report.html"), "\(log.suffix(500))")
        #expect(log.contains("Verified: "), "the demo verifies the journal")
    }
}
