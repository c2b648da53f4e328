import ArgumentParser
import Foundation
import SealedJournal

struct CheckInCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkin",
        abstract: "Record a daily check-in.",
        discussion: """
        At a terminal, asks for the passphrase, then each answer in turn (range shown, asked \
        again when out of range; Ctrl-C writes nothing). From a script, give a JSON object on \
        standard input or in a file; fields: mood (1-10), craving (0-10), use (sober, hard-day, \
        used), and optional sleepHours, meetingsAttended, meetingKinds, medication, triggers, \
        reachedOutToSupport, note, day (YYYY-MM-DD). Out-of-range values are refused naming the \
        field; nothing is written.

        Value options (--mood, --note, ...) would show your answers to every local account (ps) \
        and keep them in shell history: they are refused unless you add --allow-args.

        Examples:
          sealed-journal checkin recovery.sjournal
          sealed-journal checkin recovery.sjournal --json today.json
          some-script | sealed-journal checkin recovery.sjournal --json -
        """,
        aliases: ["check-in"]
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("Read the check-in as a JSON object from this file (- for standard input).", valueName: "file"))
    var json: String?
    @Flag(help: "Accept a check-in for a day after today (refused otherwise).")
    var allowFutureDay = false
    @Flag(help: "When the day already has a check-in: this one corrects it (an amendment).")
    var replace = false
    @Flag(help: "When the day already has a check-in: this one is a second check-in for the day.")
    var add = false
    @Option(help: ArgumentHelp("The day (default: today, in your time zone).", valueName: "YYYY-MM-DD"))
    var day: DayArgument?
    @Option(help: ArgumentHelp("Mood, 1 (worst) to 10 (best). Needs --allow-args.", visibility: .hidden))
    var mood: Int?
    @Option(help: ArgumentHelp("Craving, 0 (none) to 10 (overwhelming). Needs --allow-args.", visibility: .hidden))
    var craving: Int?
    @Option(help: ArgumentHelp("sober, hard-day (no use) or used. Needs --allow-args.", visibility: .hidden))
    var use: CheckIn.UseStatus?
    @Option(help: ArgumentHelp("Hours slept, 0 to 24. Needs --allow-args.", valueName: "hours", visibility: .hidden))
    var sleep: Double?
    @Option(help: ArgumentHelp("Meetings attended today. Needs --allow-args.", valueName: "n", visibility: .hidden))
    var meetings: Int?
    @Option(name: .customLong("meeting-kind"), help: ArgumentHelp("Kind of meeting (repeatable). Needs --allow-args.", valueName: "kind", visibility: .hidden))
    var meetingKinds: [CheckIn.MeetingKind] = []
    @Option(help: ArgumentHelp("Medication: taken, missed or none. Needs --allow-args.", visibility: .hidden))
    var medication: CheckIn.Medication?
    @Option(help: ArgumentHelp("A trigger (repeatable). Needs --allow-args.", valueName: "text", visibility: .hidden))
    var trigger: [String] = []
    @Flag(help: ArgumentHelp("You reached out to your support network today. Needs --allow-args.", visibility: .hidden))
    var support = false
    @Option(help: ArgumentHelp("A note. Needs --allow-args.", visibility: .hidden))
    var note: String?
    @OptionGroup var policy: ContentArgumentPolicy
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    /// The value options given on the command line (each one is journal content).
    var valueOptionsGiven: [String] {
        var given: [String] = []
        if mood != nil { given.append("--mood") }
        if craving != nil { given.append("--craving") }
        if use != nil { given.append("--use") }
        if sleep != nil { given.append("--sleep") }
        if meetings != nil { given.append("--meetings") }
        if !meetingKinds.isEmpty { given.append("--meeting-kind") }
        if medication != nil { given.append("--medication") }
        if !trigger.isEmpty { given.append("--trigger") }
        if support { given.append("--support") }
        if note != nil { given.append("--note") }
        return given
    }

    func validate() throws {
        try DayArgument.check(day, option: "--day")
        let given = valueOptionsGiven
        try policy.check(given, safeWay: "Run `sealed-journal checkin JOURNAL` at a terminal to be asked, or pipe a JSON object to `checkin JOURNAL --json -`.")
        if !given.isEmpty && json != nil { throw ValidationError("use either --json or value options, not both") }
        if !given.isEmpty && (mood == nil || craving == nil || use == nil) {
            throw ValidationError("--mood, --craving and --use are all needed with value options")
        }
    }

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let today = day?.day ?? LocalDate(date: Date())
            let checkIn: CheckIn
            let journal: Journal
            var sameDayDecision: UInt64?? = nil
            if let mood, let craving, let use {
                checkIn = CheckIn(day: today, mood: mood, craving: craving, use: use,
                                  sleepHours: sleep, meetingsAttended: meetings ?? (meetingKinds.isEmpty ? 0 : meetingKinds.count),
                                  meetingKinds: meetingKinds, medication: medication, triggers: trigger,
                                  reachedOutToSupport: support, note: note)
                try checkIn.validate()  // before asking for the passphrase
                if !allowFutureDay { try CheckIn.refuseFutureDay(checkIn) }
                journal = try unlock.open(target.journal)
            } else if let json {
                checkIn = try CheckInInput.parse(try ContentFile.jsonObject(json), day: day?.day)
                try checkIn.validate()
                if !allowFutureDay { try CheckIn.refuseFutureDay(checkIn) }
                journal = try unlock.open(target.journal)
            } else if Terminal.standardInputIsTerminal {
                // Unlock first, so a wrong passphrase never costs the answers; settle a second
                // check-in for the day before asking the questions.
                journal = try unlock.open(target.journal)
                sameDayDecision = .some(try decideSameDay(journal, day: today))
                checkIn = try GuidedCheckIn.ask(day: today)
            } else {
                throw CLIError.noInput("no check-in given: at a terminal, run `sealed-journal checkin \(target.journal)` to be asked; from a script, pipe a JSON object to `sealed-journal checkin \(target.journal) --json -`")
            }
            if let replacing = try sameDayDecision ?? decideSameDay(journal, day: checkIn.day) {
                if !allowFutureDay { try CheckIn.refuseFutureDay(checkIn) }
                let receipt = try journal.amendCheckIn(replacing, with: checkIn, reason: "replaced by a new check-in for the day")
                Terminal.say("Sealed correction #\(receipt.sequence) of check-in #\(replacing) for \(checkIn.day).")
                return
            }
            let receipt = try journal.appendCheckIn(checkIn, allowFutureDay: allowFutureDay)
            Terminal.say("Sealed check-in #\(receipt.sequence) for \(checkIn.day).")
        }
    }

    /// When `day` already has a check-in: the one to replace (a correction), or `nil` to add a
    /// second one — from --replace/--add, else asked at a terminal; refused from a script.
    func decideSameDay(_ journal: Journal, day: LocalDate) throws -> UInt64? {
        guard !add, let existing = try journal.latestCheckIn(for: day) else { return nil }
        if replace { return existing.sequence }
        guard Terminal.standardInputIsTerminal else {
            throw CLIError.invalidInput("\(day) already has check-in #\(existing.sequence): add --replace to correct it, or --add for a second check-in")
        }
        let answer = try Terminal.ask("\(day) already has check-in #\(existing.sequence). Replace it (a correction; the first stays in the journal) or add a second check-in? [r/a]: ")?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard let answer, ["r", "replace", "a", "add"].contains(answer) else { throw CLIError.invalidInput("nothing was written (answer r or a)") }
        return answer.hasPrefix("r") ? existing.sequence : nil
    }
}

/// A check-in as a JSON object (the field names of ``CheckIn``, as in the NDJSON export's `data`).
enum CheckInInput {
    static let fields: Set<String> = ["day", "timeZoneOffsetSeconds", "mood", "craving", "use", "sleepHours", "meetingsAttended",
                                      "meetingKinds", "medication", "triggers", "reachedOutToSupport", "note"]

    static func parse(_ object: [String: Any], day: LocalDate?) throws -> CheckIn {
        let fields = try JSONFields(object, allowed: Self.fields)
        guard let mood = try fields.int("mood") else { throw CLIError.invalidInput("mood: missing (1 to 10)") }
        guard let craving = try fields.int("craving") else { throw CLIError.invalidInput("craving: missing (0 to 10)") }
        guard let use = try fields.choice("use", CheckIn.UseStatus.self) else { throw CLIError.invalidInput("use: missing (sober, hard-day or used)") }
        var checkInDay = day ?? LocalDate(date: Date())
        if let text = try fields.string("day") {
            guard let parsed = try? LocalDate(text) else { throw CLIError.invalidInput("day: must be a date like 2026-11-27 (YYYY-MM-DD)") }
            checkInDay = parsed
        }
        let kinds = try fields.strings("meetingKinds").map { text -> CheckIn.MeetingKind in
            guard let kind = CheckIn.MeetingKind(rawValue: text) else {
                throw CLIError.invalidInput("meetingKinds: each must be one of \(CheckIn.MeetingKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
        return CheckIn(day: checkInDay, timeZoneOffsetSeconds: try fields.int("timeZoneOffsetSeconds") ?? TimeZone.current.secondsFromGMT(),
                       mood: mood, craving: craving, use: use, sleepHours: try fields.double("sleepHours"),
                       meetingsAttended: try fields.int("meetingsAttended") ?? kinds.count, meetingKinds: kinds,
                       medication: try fields.choice("medication", CheckIn.Medication.self), triggers: try fields.strings("triggers"),
                       reachedOutToSupport: try fields.bool("reachedOutToSupport") ?? false, note: try fields.string("note"))
    }
}

/// The guided check-in: one question at a time on the terminal, each with its range, asked
/// again on an invalid answer. End of input (Ctrl-D) stops with nothing written; Ctrl-C ends
/// the process before anything is written.
enum GuidedCheckIn {
    static func ask(day: LocalDate) throws -> CheckIn {
        Terminal.tell("Check-in for \(day). Press Enter to skip an optional question; Ctrl-C stops without writing.")
        let mood = try question("Mood, 1 (worst) to 10 (best): ") { Int($0).flatMap { (1...10).contains($0) ? $0 : nil } }
            ?? { throw CLIError.cancelled }()
        let craving = try question("Craving, 0 (none) to 10 (overwhelming): ") { Int($0).flatMap { (0...10).contains($0) ? $0 : nil } }
            ?? { throw CLIError.cancelled }()
        let use = try question("Use today: sober, hard-day (no use) or used: ") { answer in
            CheckIn.UseStatus(rawValue: answer.lowercased().replacingOccurrences(of: " ", with: "-"))
        } ?? { throw CLIError.cancelled }()
        let sleep = try question("Hours slept, 0 to 24 (Enter to skip): ", optional: true) { answer in
            Double(answer).flatMap { $0.isFinite && (0...24).contains($0) ? $0 : nil }
        }
        let meetings = try question("Meetings attended today, 0 to 20 (Enter for 0): ", optional: true) { answer in
            Int(answer).flatMap { (0...20).contains($0) ? $0 : nil }
        } ?? 0
        var kinds: [CheckIn.MeetingKind] = []
        if meetings > 0 {
            let list = CheckIn.MeetingKind.allCases.map(\.rawValue).joined(separator: ", ")
            kinds = try question("Kinds of meeting (\(list); separate with commas, Enter to skip): ", optional: true) { answer in
                let parts = answer.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                let parsed = parts.compactMap(CheckIn.MeetingKind.init(rawValue:))
                return parsed.count == parts.count && parsed.count <= 20 ? parsed : nil
            } ?? []
        }
        let medication = try question("Medication: taken, missed or none (Enter to skip): ", optional: true) {
            CheckIn.Medication(rawValue: $0.lowercased())
        }
        var triggers: [String] = []
        while triggers.count < 20 {
            let next = try question(triggers.isEmpty ? "A trigger today (Enter for none): " : "Another trigger (Enter when done): ",
                                    optional: true) { $0.utf8.count <= 200 ? $0 : nil }
            guard let next else { break }
            triggers.append(next)
        }
        let support = try question("Did you reach out to your support network? yes or no (Enter for no): ", optional: true) { answer -> Bool? in
            switch answer.lowercased() {
            case "y", "yes": return true
            case "n", "no": return false
            default: return nil
            }
        } ?? false
        let note = try question("A note (one line, Enter to skip): ", optional: true) { $0.utf8.count <= 64 * 1024 ? $0 : nil }
        let checkIn = CheckIn(day: day, mood: mood, craving: craving, use: use, sleepHours: sleep, meetingsAttended: meetings,
                              meetingKinds: kinds, medication: medication, triggers: triggers, reachedOutToSupport: support, note: note)
        try checkIn.validate()
        return checkIn
    }

    /// Asks until `parse` accepts the answer. An empty answer is nil when `optional`, asked
    /// again otherwise; end of input is nil for an optional question and stops otherwise.
    private static func question<T>(_ prompt: String, optional: Bool = false, _ parse: (String) -> T?) throws -> T? {
        while true {
            guard let raw = try Terminal.ask(prompt) else {
                if optional { return nil }
                throw CLIError.cancelled
            }
            let answer = raw.trimmingCharacters(in: .whitespaces)
            if answer.isEmpty {
                if optional { return nil }
                Terminal.tell("  an answer is needed here (Ctrl-C stops without writing)")
                continue
            }
            if let value = parse(answer) { return value }
            Terminal.tell("  that is not an answer this question takes (see the range or choices in it); please try again")
        }
    }
}
