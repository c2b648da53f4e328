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

    /// A message for the person at the controlling terminal (not standard error), after a prompt.
    /// Only fixed text: never anything a client wrote. Silently dropped without a terminal.
    static func tell(_ message: String) {
        let tty = open("/dev/tty", O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { return }
        defer { close(tty) }
        _ = (message + "\n").withCString { write(tty, $0, strlen($0)) }
    }

    /// Asks a yes/no question at the controlling terminal (answer echoed); only "y" or "yes"
    /// (any case) is yes. - Throws: ``CLIError/noTerminal`` without a terminal.
    static func confirm(_ question: String) throws -> Bool {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { throw CLIError.noTerminal }
        defer { close(tty) }
        _ = question.withCString { write(tty, $0, strlen($0)) }
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
        return { done, total in
            let percent = total == 0 ? 100 : Int(Double(done) / Double(total) * 100)
            FileHandle.standardError.write(Data("\r\(label) \(percent)%\u{1B}[K".utf8))
            if done >= total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}
