import ArgumentParser
import Foundation
import SealedJournal

/// The journal file every command works on.
struct JournalArgument: ParsableArguments {
    @Argument(help: "The journal file.")
    var journal: String
}

/// Output options shared by all commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print no messages, only data and errors.")
    var quiet = false
}

/// How to unlock the journal.
struct UnlockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the passphrase from the first line of this file.", valueName: "file"))
    var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp("Unlock with the recovery key stored in this file.", valueName: "file"))
    var recoveryKeyFile: String?

    var isGiven: Bool { passphraseFile != nil || recoveryKeyFile != nil || Passphrases.environmentValue != nil }

    /// Opens `path`, asking for the passphrase at the terminal if no other source is given,
    /// and says so when a torn tail (an interrupted append) was ignored or cut off.
    func open(_ path: String, mode: OpenMode = .readWrite) throws -> Journal {
        let journal: Journal
        if let recoveryKeyFile {
            let text = try Passphrases.readTextFile(recoveryKeyFile)
            journal = try Journal.open(at: path, recoveryKey: RecoveryKey(text), mode: mode)
        } else {
            let passphrase = try Passphrases.obtain(file: passphraseFile, prompt: "Passphrase for \(path): ")
            journal = try Journal.open(at: path, passphrase: passphrase, mode: mode)
        }
        let torn = journal.tornTailBytesAtOpen
        if torn > 0 {
            Terminal.say(mode == .readOnly
                ? "warning: ignored \(torn) bytes after the last complete record (an interrupted append); the next write removes them"
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

/// `YYYY-MM-DD` on the command line.
struct DayArgument: ExpressibleByArgument {
    let day: LocalDate
    init?(argument: String) {
        guard let day = try? LocalDate(argument) else { return nil }
        self.day = day
    }
    static var defaultValueDescription: String { "YYYY-MM-DD" }
}

/// Which kinds `read` and `export` show.
enum KindChoice: String, ExpressibleByArgument, CaseIterable {
    case entry, checkin, amendment, disclosure, all

    var kinds: Set<String>? {
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
        if let from, let to, to.day < from.day {
            throw ValidationError("--to (\(to.day)) is before --from (\(from.day))")
        }
    }
}
