import Foundation
import Testing

/// Starts the `JournalWorker` helper executable (built with the tests).
enum Worker {
    static var executable: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("JournalWorker")
    }

    /// Starts `JournalWorker append path passphrase count prefix`; stdout is captured.
    static func startAppending(path: String, passphrase: String, count: Int, prefix: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["append", path, passphrase, String(count), prefix]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// The indices the worker acknowledged (complete lines only).
    static func acknowledged(_ pipe: Pipe) -> [Int] {
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }  // a partial last line was not acknowledged
        return lines.compactMap { Int($0) }
    }
}
