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

    /// Waits until the worker has acknowledged something (or ended); returns what it read,
    /// to be passed to ``acknowledged(_:readFirst:)``.
    static func firstOutput(_ pipe: Pipe) -> Data {
        pipe.fileHandleForReading.availableData
    }

    /// The indices the worker acknowledged (complete lines only), after `readFirst`.
    static func acknowledged(_ pipe: Pipe, readFirst: Data = Data()) -> [Int] {
        let data = readFirst + pipe.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }  // a partial last line was not acknowledged
        return lines.compactMap { Int($0) }
    }
}
