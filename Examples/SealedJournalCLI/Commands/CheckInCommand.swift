import ArgumentParser
import Foundation
import SealedJournal

struct CheckInCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkin",
        abstract: "Record a daily check-in.",
        discussion: """
        Out-of-range values are refused with a message naming the field; nothing is written.

        Example:
          sealed-journal checkin recovery.sjournal --mood 7 --craving 2 --use sober \\
              --sleep 7.5 --meetings 1 --meeting-kind aa --medication taken \\
              --trigger "payday" --support --note "Called my sponsor."
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: "Mood, 1 (worst) to 10 (best).")
    var mood: Int
    @Option(help: "Craving, 0 (none) to 10 (overwhelming).")
    var craving: Int
    @Option(help: "sober, hard-day (no use) or used.")
    var use: CheckIn.UseStatus
    @Option(help: ArgumentHelp("Hours slept, 0 to 24.", valueName: "hours"))
    var sleep: Double?
    @Option(help: ArgumentHelp("Meetings attended today.", valueName: "n"))
    var meetings: Int?
    @Option(name: .customLong("meeting-kind"), help: ArgumentHelp("Kind of meeting (repeatable).", valueName: "kind"))
    var meetingKinds: [CheckIn.MeetingKind] = []
    @Option(help: "Medication: taken, missed or none.")
    var medication: CheckIn.Medication?
    @Option(help: ArgumentHelp("A trigger (repeatable).", valueName: "text"))
    var trigger: [String] = []
    @Flag(help: "You reached out to your support network today.")
    var support = false
    @Option(help: "A note.")
    var note: String?
    @Option(help: ArgumentHelp("The day (default: today, in your time zone).", valueName: "YYYY-MM-DD"))
    var day: DayArgument?
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            let checkIn = CheckIn(day: day?.day ?? LocalDate(date: Date()), mood: mood, craving: craving, use: use,
                                  sleepHours: sleep, meetingsAttended: meetings ?? (meetingKinds.isEmpty ? 0 : meetingKinds.count),
                                  meetingKinds: meetingKinds, medication: medication, triggers: trigger,
                                  reachedOutToSupport: support, note: note)
            try checkIn.validate()  // before asking for the passphrase
            let journal = try unlock.open(target.journal)
            let receipt = try journal.append(checkIn)
            Terminal.say("Sealed check-in #\(receipt.sequence) for \(checkIn.day).")
        }
    }
}
