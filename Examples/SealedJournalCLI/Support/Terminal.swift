import Foundation
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

/// Talking to the person at the terminal. Messages go to standard error; data to standard output.
/// Anything shown on a terminal has its control characters escaped (``TerminalText``), so text a
/// client wrote or a bundle carried can never drive the terminal.
enum Terminal {
    nonisolated(unsafe) static var quiet = false  // set once at command start, before any output

    /// A message for humans (standard error), unless `--quiet`: one line, escaped here whatever
    /// it holds (a recipient's name, a path, a title), line breaks included, so no message can
    /// drive the terminal or forge a line of its own. (Escaping leaves escaped text as it is.)
    static func say(_ message: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((TerminalText.escape(message) + "\n").utf8))
    }

    /// Fixed text of several lines, written as it is (a `StaticString` cannot carry a value).
    static func sayText(_ text: StaticString) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data(("\(text)" + "\n").utf8))
    }

    /// An error line (standard error), even with `--quiet`; escaped as ``say(_:)`` is.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("sealed-journal: " + TerminalText.escape(message) + "\n").utf8))
    }

    /// Data (standard output). On a terminal, controls are escaped (line feeds and tabs kept).
    static func output(_ text: String) {
        let shown = standardOutputIsTerminal ? TerminalText.escape(text, keepingLineBreaks: true) : text
        FileHandle.standardOutput.write(Data(shown.utf8))
    }

    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
    static var standardInputIsTerminal: Bool { isatty(0) == 1 }
    static var standardOutputIsTerminal: Bool { isatty(1) == 1 }

    /// A sink for exported bytes going to standard output: escaped when that is a terminal.
    static func standardOutputSink() -> (sink: (Data) throws -> Void, finish: () throws -> Void) {
        // A reader that goes away (`| head`) makes the next write fail with EPIPE instead of
        // killing the process, so what already went out can still be recorded.
        signal(SIGPIPE, SIG_IGN)
        func put(_ data: Data) throws {
            do { try FileHandle.standardOutput.write(contentsOf: data) } catch {
                throw CLIError.cannotWriteOutput("standard output was closed or failed (\(errno == EPIPE ? "its reader went away" : String(cString: strerror(errno))))")
            }
        }
        guard standardOutputIsTerminal else { return ({ try put($0) }, {}) }
        let filter = FilterBox()
        return ({ try put(Data(filter.filter.filter($0))) }, { try put(Data(filter.filter.finish())) })
    }

    /// When a secret (a recovery key) went to standard output and standard output is a regular
    /// file that other accounts can read, says so: the shell made that file, with its umask.
    static func warnIfSecretOnReadableStandardOutput(_ what: String) {
        guard let file = standardOutputFile(), file.mode & 0o077 != 0 else { return }
        say("warning: \(what) went to standard output, the file \(file.path) (mode \(String(file.mode, radix: 8))), which other accounts can read. "
            + "Copy it down, then delete that file (or run chmod 600 on it now).")
    }

    /// The regular file standard output goes to (its path, or "a file", and its mode), or nil.
    private static func standardOutputFile() -> (path: String, mode: mode_t)? {
        var info = stat()
        guard fstat(1, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/fd/1", &buffer, buffer.count - 1)
        let path = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "a file"
        return (path, info.st_mode & 0o777)
    }

    /// When plaintext went to standard output and standard output is a regular file, says which
    /// file and its mode (as `--output` would), and warns if other accounts can read it.
    static func notePlaintextOnStandardOutput() {
        guard let file = standardOutputFile() else { return }
        var message = "note: the plaintext went to standard output, the file \(file.path) (mode \(String(file.mode, radix: 8)))"
        if file.mode & 0o077 != 0 { message += ": other accounts can read it; --output FILE creates it with mode 600" }
        say(message)
    }

    /// Asks a question on the controlling terminal (echo on) and returns the answer without
    /// its line ending; nil at end of input (Ctrl-D).
    /// - Throws: ``CLIError/noTerminal`` when there is no terminal.
    static func ask(_ question: String) throws -> String? {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { throw CLIError.noTerminal }
        defer { close(tty) }
        _ = TerminalText.escape(question).withCString { write(tty, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(tty, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { break }
            bytes.append(byte)
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Shows text the person typed at this terminal again, its line breaks kept (every other
    /// control escaped), on /dev/tty.
    static func tellTyped(_ text: String) {
        writeToTerminal(TerminalText.escape(text, keepingLineBreaks: true) + "\n")
    }

    /// Writes already escaped text to /dev/tty, if there is one.
    private static func writeToTerminal(_ text: String) {
        let tty = open("/dev/tty", O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { return }
        defer { close(tty) }
        _ = text.withCString { write(tty, $0, strlen($0)) }
    }

    /// Tells the person at the terminal something (on /dev/tty, so it never mixes with data):
    /// one line, escaped as ``say(_:)`` is.
    static func tell(_ text: String) {
        writeToTerminal(TerminalText.escape(text) + "\n")
    }

    /// Reads a secret from the controlling terminal with echo off.
    /// - Throws: ``CLIError/noTerminal`` when there is no terminal (scripts must use a file or the environment).
    static func readSecret(prompt: String) throws -> SecretBytes {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { throw CLIError.noTerminal }
        defer { close(tty) }
        _ = TerminalText.escape(prompt).withCString { write(tty, $0, strlen($0)) }
        var original = termios()
        let haveAttributes = tcgetattr(tty, &original) == 0
        var previousHandlers: [sigaction] = []
        if haveAttributes {
            // Ctrl-C (or a hang-up) while echo is off must not leave the terminal silent.
            EchoRestore.saved.pointee = original
            EchoRestore.descriptor.pointee = tty
            previousHandlers = EchoRestore.signals.map { signal in
                var action = sigaction(), previous = sigaction()
                action.__sigaction_handler.sa_handler = restoreEchoAndDie
                sigemptyset(&action.sa_mask)
                sigaction(signal, &action, &previous)
                return previous
            }
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ECHONL)
            _ = tcsetattr(tty, TCSAFLUSH, &silent)
        }
        defer {
            if haveAttributes {
                _ = tcsetattr(tty, TCSAFLUSH, &original)
                for (signal, var previous) in zip(EchoRestore.signals, previousHandlers) { sigaction(signal, &previous, nil) }
                EchoRestore.descriptor.pointee = -1
            }
        }
        return try SecretBytes(readingLineFrom: tty)
    }


    /// Asks a yes/no question at the controlling terminal (answer echoed); only "y" or "yes"
    /// (any case) is yes. - Throws: ``CLIError/noTerminal`` without a terminal.
    static func confirm(_ question: String) throws -> Bool {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { throw CLIError.noTerminal }
        defer { close(tty) }
        _ = TerminalText.escape(question).withCString { write(tty, $0, strlen($0)) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while answer.count < 64 {
            let count = read(tty, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1, byte != 0x0A, byte != 0x0D else { break }
            answer.append(byte)
        }
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return text == "y" || text == "yes"
    }

    /// A progress reporter that redraws one line on standard error, only on a terminal.
    static func progress(_ label: String) -> ((UInt64, UInt64) -> Void)? {
        guard !quiet, standardErrorIsTerminal else { return nil }
        // Written only when the percentage changes (callers may report far more often).
        var shown = -1
        return { done, total in
            let percent = total == 0 ? 100 : Int(Double(done) / Double(total) * 100)
            if percent != shown {
                shown = percent
                FileHandle.standardError.write(Data("\r\(label) \(percent)%\u{1B}[K".utf8))
            }
            if done >= total {
                FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
                shown = -1
            }
        }
    }
}

/// The terminal settings to put back if a signal ends the process at a passphrase prompt.
/// Written before the handler is installed, read only by it.
/// Heap cells allocated once, before the handler is installed, so the handler only reads memory.
enum EchoRestore {
    nonisolated(unsafe) static let saved: UnsafeMutablePointer<termios> = {
        let cell = UnsafeMutablePointer<termios>.allocate(capacity: 1)
        cell.initialize(to: termios())
        return cell
    }()
    nonisolated(unsafe) static let descriptor: UnsafeMutablePointer<Int32> = {
        let cell = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        cell.initialize(to: -1)
        return cell
    }()
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
}

/// Async-signal-safe: `tcsetattr`, `sigaction`, `raise`.
private func restoreEchoAndDie(_ signal: Int32) {
    if EchoRestore.descriptor.pointee >= 0 { _ = tcsetattr(EchoRestore.descriptor.pointee, TCSANOW, EchoRestore.saved) }
    var action = sigaction()
    sigemptyset(&action.sa_mask)
    sigaction(signal, &action, nil)
    raise(signal)
}

/// Holds a stream filter for a closure (one export at a time, on one thread).
final class FilterBox {
    var filter = TerminalText.StreamFilter()
}
