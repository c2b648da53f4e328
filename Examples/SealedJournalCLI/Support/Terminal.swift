import Foundation
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

/// Talking to the person at the terminal. Messages go to standard error; data to standard output.
enum Terminal {
    nonisolated(unsafe) static var quiet = false  // set once at command start, before any output

    /// A message for humans (standard error), unless `--quiet`.
    static func say(_ message: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// An error line (standard error), even with `--quiet`.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("sealed-journal: " + message + "\n").utf8))
    }

    /// Data (standard output).
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
    static var standardInputIsTerminal: Bool { isatty(0) == 1 }

    /// Reads a secret from the controlling terminal with echo off.
    /// - Throws: ``CLIError/noTerminal`` when there is no terminal (scripts must use a file or the environment).
    static func readSecret(prompt: String) throws -> SecretBytes {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { throw CLIError.noTerminal }
        defer { close(tty) }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        var original = termios()
        let haveAttributes = tcgetattr(tty, &original) == 0
        if haveAttributes {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ECHONL)
            _ = tcsetattr(tty, TCSAFLUSH, &silent)
        }
        defer {
            if haveAttributes { _ = tcsetattr(tty, TCSAFLUSH, &original) }
        }
        return try SecretBytes(readingLineFrom: tty)
    }

    /// A progress reporter that redraws one line on standard error, only on a terminal.
    static func progress(_ label: String) -> ((UInt64, UInt64) -> Void)? {
        guard !quiet, standardErrorIsTerminal else { return nil }
        return { done, total in
            let percent = total == 0 ? 100 : Int(Double(done) / Double(total) * 100)
            FileHandle.standardError.write(Data("\r\(label) \(percent)%\u{1B}[K".utf8))
            if done >= total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}
