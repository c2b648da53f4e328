import ArgumentParser
import Foundation
import SealedJournal

/// Errors of the command line itself (the library's errors are JournalError).
enum CLIError: Error, CustomStringConvertible {
    case noTerminal
    case passphrasesDiffer
    case passphraseTooShort(Int)
    case cannotRead(String, String)
    case verificationFailed(String)
    case emptyEntry
    /// Input given on standard input or in a file is malformed (names the field, never its value).
    case invalidInput(String)
    /// Nothing to write was given, and there is no terminal to ask on.
    case noInput(String)
    /// The journal path names something that is not a regular file.
    case notAJournalFile(path: String, type: String)
    /// The person stopped at a prompt (end of input); nothing was written.
    case cancelled
    /// Standard output (or an output file) refused the data (names the system's reason).
    case cannotWriteOutput(String)

    var description: String {
        switch self {
        case .noTerminal:
            return "no passphrase given and no terminal to ask on: use --passphrase-file FILE or set SEALED_JOURNAL_PASSPHRASE"
        case .passphrasesDiffer: return "the two passphrases differ; nothing was changed"
        case let .passphraseTooShort(minimum): return "the passphrase must have at least \(minimum) characters"
        case let .cannotRead(path, reason): return "cannot read \(path): \(reason)"
        case let .verificationFailed(problem): return "verification FAILED: \(problem)"
        case .emptyEntry: return "the entry is empty; nothing was written"
        case let .invalidInput(reason): return "\(reason); nothing was written"
        case let .noInput(hint): return hint
        case let .notAJournalFile(path, type): return "\(path) is \(type), not a journal file"
        case .cancelled: return "stopped; nothing was written"
        case let .cannotWriteOutput(reason): return "cannot write the output: \(reason)"
        }
    }
}

/// Runs a command body: any error becomes one clear line on standard error and a specific exit status.
func runCommand(quiet: Bool, _ body: () throws -> Void) throws {
    Terminal.quiet = quiet
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as JournalError {
        Terminal.error(error.description)
        throw ExitCode(exitStatus(for: error))
    } catch let error as CLIError {
        Terminal.error(error.description)
        switch error {
        case .noTerminal, .passphrasesDiffer, .passphraseTooShort, .emptyEntry, .invalidInput, .noInput, .cancelled: throw ExitCode(4)
        case .notAJournalFile: throw ExitCode(3)
        case .cannotRead, .verificationFailed, .cannotWriteOutput: throw ExitCode(1)
        }
    } catch let error as CryptoError {
        Terminal.error(error.description)
        throw ExitCode(1)
    } catch let error as ValidationError {
        throw error  // usage (64), said by ArgumentParser with the command's usage line
    } catch let error as CleanExit {
        throw error
    } catch {
        // Anything else (a witness error, a Foundation file call): one escaped line, never
        // Foundation's raw dump of an NSError.
        Terminal.error(describe(error))
        throw ExitCode(1)
    }
}

/// What to say of an error no case above knows: for a Foundation file error, the path and the
/// system's reason (`No such file or directory`); otherwise the error's own description.
func describe(_ error: any Error) -> String {
    if let cocoa = error as? CocoaError {
        let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError
        let reason = underlying.map { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : "error \($0.code)" }
            ?? "error \(cocoa.code.rawValue)"
        return cocoa.filePath.map { "\($0): \(reason)" } ?? "a file operation failed: \(reason)"
    }
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    return String(describing: error)
}

/// A small text file the user named (a held checkpoint): its text, or ``CLIError/cannotRead(_:_:)``
/// with the system's reason (exit 1).
func readUserTextFile(_ path: String) throws -> String {
    var info = stat()
    if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { throw CLIError.cannotRead(path, "it is a directory") }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { throw CLIError.cannotRead(path, String(cString: strerror(errno))) }  // the system's reason
    close(descriptor)
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.cannotRead(path, "cannot read it") }
    guard let text = String(data: data, encoding: .utf8) else { throw CLIError.cannotRead(path, "it is not UTF-8 text") }
    return text
}

/// The exit status for a library error, from its category (see `sealed-journal --help`).
func exitStatus(for error: JournalError) -> Int32 {
    switch error.category {
    case .wrongSecret: return 2
    case .damaged, .unsupported: return 3
    case .invalidInput: return 4
    case .notFound, .system, .state: return 1
    }
}
