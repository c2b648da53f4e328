import ArgumentParser
import Foundation
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

/// The journal file every command works on.
struct JournalArgument: ParsableArguments {
    @Argument(help: "The journal file.")
    var journal: String

    /// Checks, before any passphrase is asked, that the journal exists, is a regular file (a
    /// FIFO would block, a directory or device is never a journal) and is a journal.
    func check() throws { try Self.check(journal) }

    static func check(_ path: String) throws {
        try checkRegularFile(path)
        _ = try Journal.info(at: path)
    }

    static func checkRegularFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CLIError.cannotRead(path, String(cString: strerror(errno))) }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let name: String
            switch type {
            case S_IFDIR: name = "a directory"
            case S_IFIFO: name = "a named pipe (FIFO)"
            case S_IFSOCK: name = "a socket"
            case S_IFCHR, S_IFBLK: name = "a device"
            default: name = "not a regular file"
            }
            throw CLIError.notAJournalFile(path: path, type: name)
        }
    }
}

/// Output options shared by all commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print no messages, only data and errors.")
    var quiet = false
}

/// A new passphrase and its Argon2id preset (`passwd`, `rekey`).
struct NewPassphraseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Argon2id preset for the new passphrase.", valueName: "preset"))
    var kdf: KDFPreset = .moderate
    @Option(help: ArgumentHelp("Read the new passphrase from the first line of this file.", valueName: "file"))
    var newPassphraseFile: String?

    /// The new passphrase: from the file, or asked twice at the terminal (never the environment).
    func obtain() throws -> SecretBytes {
        do {
            return try Passphrases.obtainNew(file: newPassphraseFile, environment: false)
        } catch CLIError.noTerminal {
            // The current passphrase may well have come from a file: name the option this one needs.
            throw CLIError.noInput("no new passphrase given and no terminal to ask on: use --new-passphrase-file FILE (the current one is unchanged)")
        }
    }
}

/// How to unlock the journal.
struct UnlockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the passphrase from the first line of this file.", valueName: "file"))
    var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp("Unlock with the recovery key stored in this file (- for standard input).", valueName: "file"))
    var recoveryKeyFile: String?

    @Flag(name: .customLong("recovery-key"), help: "Unlock with the recovery key, typed at a prompt (read and write commands then offer to set a new passphrase).")
    var recoveryKeyTyped = false

    var isGiven: Bool { passphraseFile != nil || recoveryKeyFile != nil || recoveryKeyTyped || Passphrases.environmentValue != nil }

    /// The recovery key from `--recovery-key-file FILE|-` or typed at the prompt (no echo).
    func recoveryKey() throws -> RecoveryKey? {
        if recoveryKeyTyped {
            let typed = try Terminal.readSecret(prompt: "Recovery key: ")
            return try RecoveryKey(typed.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
        guard let recoveryKeyFile else { return nil }
        if recoveryKeyFile == "-" {
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            return try RecoveryKey(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try RecoveryKey(try Passphrases.readTextFile(recoveryKeyFile))
    }

    /// After unlocking with the recovery key at a terminal: offers to set a new passphrase
    /// (typed twice; Enter at the first prompt keeps the old one).
    private func offerNewPassphrase(_ writable: () throws -> Journal) throws {
        guard Terminal.standardInputIsTerminal || recoveryKeyTyped else { return }
        Terminal.tell("Unlocked with the recovery key. Choose a new passphrase now (press Enter to keep the current one).")
        let first = try Terminal.readSecret(prompt: "New passphrase: ")
        guard first.count > 0 else { return }
        let again = try Terminal.readSecret(prompt: "Repeat the new passphrase: ")
        guard first.constantTimeEquals(again) else { throw CLIError.passphrasesDiffer }
        let journal = try writable()
        try journal.changePassphrase(to: first)
        Terminal.tell("Passphrase changed; the old one no longer opens the journal.")
        KeyChangeNote.sayIfUnrecorded(journal)
    }

    private func openWithPassphrase(_ path: String, mode: OpenMode) throws -> Journal {
        var attempt = 1
        while true {
            let passphrase = try Passphrases.obtain(file: passphraseFile, prompt: "Passphrase for \(path): ")
            let result = Result { () throws(JournalError) -> Journal in try Journal.open(at: path, passphrase: passphrase, mode: mode) }
            if case .failure(.wrongPassphrase) = result, asksAtTerminal, attempt < 3 {
                Terminal.tell("wrong passphrase; try again (\(3 - attempt) more \(attempt == 2 ? "try" : "tries"))")
                attempt += 1
                continue
            }
            return try result.get()
        }
    }

    /// Whether the passphrase will be typed at the terminal (so a wrong one can be retried).
    var asksAtTerminal: Bool { passphraseFile == nil && recoveryKeyFile == nil && !recoveryKeyTyped && Passphrases.environmentValue == nil }

    /// Opens `path`, asking for the passphrase at the terminal if no other source is given
    /// (three tries), and says so when a torn tail (an interrupted append) was ignored or cut off.
    /// The file is checked first, so a missing file or a non-journal is reported before any prompt.
    func open(_ path: String, mode: OpenMode = .readWrite) throws -> Journal {
        try JournalArgument.check(path)
        let journal: Journal
        if let key = try recoveryKey() {
            // At a terminal, a new passphrase is offered (the way back for someone who forgot it).
            // A command that only reads opens read-only whatever unlocks it: a write-open would
            // cut a torn tail (which repair can keep) and refuses a damaged end that a read can
            // still read up to. So the offer opens for writing only for a healthy journal, and
            // only once a new passphrase was typed; otherwise it says what to do first.
            let opened = try Journal.open(at: path, recoveryKey: key, mode: mode)
            journal = opened
            if recoveryKeyTyped || Terminal.standardInputIsTerminal {
                if mode == .readWrite {
                    try offerNewPassphrase { opened }
                } else if opened.tornTailBytesAtOpen == 0 && opened.warningsAtOpen.isEmpty {
                    try offerNewPassphrase { try Journal.open(at: path, recoveryKey: key) }
                } else {
                    Terminal.tell("Unlocked with the recovery key, read only: the journal's end needs sealed-journal repair \(path) --recovery-key before a new passphrase can be set (then: sealed-journal passwd \(path) --recovery-key).")
                }
            }
        } else {
            journal = try openWithPassphrase(path, mode: mode)
        }
        let torn = journal.tornTailBytesAtOpen
        if torn > 0 {
            Terminal.say(mode == .readOnly
                ? "warning: ignored \(torn) bytes after the last commit (an append that was interrupted before it was confirmed); the next write removes them. To keep a complete record among them, run sealed-journal repair \(path) first."
                : "note: removed \(torn) bytes of an interrupted append that held no checkpoint; every committed record is intact")
        }
        for warning in journal.warningsAtOpen { Terminal.say("warning: \(warning)") }
        return journal
    }
}

extension KDFPreset: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "interactive": self = .interactive
        case "moderate": self = .moderate
        case "sensitive": self = .sensitive
        default: return nil
        }
    }

    public static var allValueStrings: [String] { ["interactive", "moderate", "sensitive"] }
}

extension CheckIn.UseStatus: ExpressibleByArgument {}
extension CheckIn.MeetingKind: ExpressibleByArgument {}
extension CheckIn.Medication: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
extension JournalImport.Format: ExpressibleByArgument {}
extension JournalImport.UnmatchedCorrections: ExpressibleByArgument {}

/// `YYYY-MM-DD` on the command line. Parsing always succeeds and keeps the text; the commands'
/// `validate()` calls ``check(_:option:)``, so a wrongly formatted date is reported with the
/// expected form and an example (ArgumentParser's own message for a failed value cannot).
struct DayArgument: ExpressibleByArgument {
    let text: String
    let parsed: LocalDate?
    init?(argument: String) {
        text = argument
        parsed = try? LocalDate(argument)
    }
    /// The day; only read after ``check(_:option:)`` accepted it.
    var day: LocalDate { parsed ?? LocalDate(date: Date()) }
    static var defaultValueDescription: String { "YYYY-MM-DD" }

    /// Refuses a date that is not `YYYY-MM-DD` or not a real day, saying what is expected.
    static func check(_ argument: DayArgument?, option: String) throws {
        guard let argument, argument.parsed == nil else { return }
        let example = LocalDate(date: Date()).description
        let shaped = argument.text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil
        let shown = TerminalText.escape(String(argument.text.prefix(40)))
        throw ValidationError(shaped ? "\(option) \(shown): there is no such day; expected a real date as YYYY-MM-DD, e.g. \(example)"
                                     : "\(option) \(shown): expected a date as YYYY-MM-DD, e.g. \(example)")
    }
}

/// Which kinds `read` and `export` show.
enum KindChoice: String, ExpressibleByArgument, CaseIterable {
    case entry, checkin, amendment, disclosure, all

    var kinds: Set<RecordKind>? {
        switch self {
        case .entry: return [RecordKind.entry]
        case .checkin: return [RecordKind.checkIn]
        case .amendment: return [RecordKind.amendment]
        case .disclosure: return [RecordKind.disclosure]
        case .all: return nil
        }
    }
}

/// `--from`, `--to`, `--kind` as a record filter (days are local, `--to` inclusive).
struct RangeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only records of this kind.", valueName: "kind"))
    var kind: KindChoice = .all

    @Option(help: ArgumentHelp("From this day (inclusive, your time zone).", valueName: "YYYY-MM-DD"))
    var from: DayArgument?

    @Option(help: ArgumentHelp("Up to this day (inclusive, your time zone).", valueName: "YYYY-MM-DD"))
    var to: DayArgument?

    func filter(tag: String? = nil, containing: String? = nil) -> RecordFilter {
        RecordFilter(kinds: kind.kinds, from: from?.day.start(), to: to?.day.next.start(), tag: tag, containing: containing)
    }

    func validate() throws {
        try DayArgument.check(from, option: "--from")
        try DayArgument.check(to, option: "--to")
        if let from, let to, to.day < from.day {
            throw ValidationError("--to (\(to.day)) is before --from (\(from.day))")
        }
    }
}

/// `--fingerprint`: 32 hex digits, any case, separators ignored; anything else is a usage error.
extension Fingerprint: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
