import ArgumentParser
import Foundation
import SealedJournal

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A per-day compliance report for a date range.",
        discussion: """
        One row per day in your time zone, days without a check-in marked missed, with use, craving, mood and meetings, and summary counts at the end. --no-notes leaves all free text (triggers, notes) out. Recorded in the journal as a disclosure, like exports, and can be encrypted the same way (--recipient, --encrypt-with-passphrase, --armor).

        Example:
          sealed-journal report recovery.sjournal \\
              --from 2026-11-01 --to 2026-11-30 --format csv --no-notes \\
              --recipient age1... --to-whom - --purpose - --output nov.csv.age
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("First day (inclusive).", valueName: "YYYY-MM-DD"))
    var from: DayArgument
    @Option(help: ArgumentHelp("Last day (inclusive).", valueName: "YYYY-MM-DD"))
    var to: DayArgument
    @Option(help: "csv, json or markdown.")
    var format: ComplianceReport.Format = .markdown
    @Flag(help: "Leave all free text (triggers, notes) out.")
    var noNotes = false
    @OptionGroup var sharing: SharingOptions
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var messages: OutputOptions

    func validate() throws {
        try DayArgument.check(from, option: "--from")
        try DayArgument.check(to, option: "--to")
        if to.day < from.day { throw ValidationError("--to (\(to.day)) is before --from (\(from.day))") }
        try sharing.validate()
    }

    func run() throws {
        try runCommand(quiet: messages.quiet) {
            try target.check()
            let recipients = try sharing.recipients()
            let request = try sharing.request(recipients: recipients, defaultPurpose: "owner report")
            let journal = try unlock.open(target.journal)
            let report = try ComplianceReport.build(journal, from: from.day, to: to.day)
            try sharing.write { write, finish in
                try report.disclose(from: journal, format: format, includeNotes: !noNotes, request: request,
                                    recipients: recipients, armored: sharing.armor, write: write, beforeRecording: finish)
            }
            let s = report.summary
            Terminal.say("Report: \(s.days) days, \(s.daysCheckedIn) checked in, \(s.daysMissed) missed. Recorded the disclosure to \(request.recipient).")
        }
    }
}

extension ComplianceReport.Format: ExpressibleByArgument {}
