import ArgumentParser
import Foundation
import SealedJournal
import SealedJournalHTML

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A per-day compliance report for a date range.",
        discussion: """
        Every day of the period in your time zone: every check-in of the day (the last one recorded for a day is the one counted, the others are listed and marked), days without a check-in marked missed, today without one pending, days after today never counted, and check-ins recorded after their day marked ("recorded 2 days later"). Summary counts at the end. The report names the journal fingerprint and the checkpoint it was made from; times carry their UTC offset.

        Formats: markdown (default), csv, json, or html: one self-contained page with a calendar and charts, for a person to read, print or file as a PDF. --no-notes leaves all free text (triggers, notes) out. Recorded in the journal as a disclosure, like exports, and can be encrypted the same way (--recipient, --encrypt-with-passphrase, --armor). --notice-file puts a notice first (not with csv). Who it is for and why: --to-whom - and --purpose - ask at the terminal, or read one line each from standard input.

        Examples:
          sealed-journal report recovery.sjournal \\
              --from 2026-11-01 --to 2026-11-30 --format csv --no-notes \\
              --recipient age1... --to-whom - --purpose - --output nov.csv.age
          sealed-journal report recovery.sjournal \\
              --from 2026-11-01 --to 2026-11-30 --format html --output nov.html
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("First day (inclusive).", valueName: "YYYY-MM-DD"))
    var from: DayArgument
    @Option(help: ArgumentHelp("Last day (inclusive).", valueName: "YYYY-MM-DD"))
    var to: DayArgument
    @Option(help: "markdown, csv, json or html.")
    var format: ReportFormat = .markdown
    @Option(name: .customLong("witness"), help: ArgumentHelp("Mark each check-in witnessed by this witness key, not witnessed, or possibly written late (repeatable).", valueName: "key"))
    var witnesses: [String] = []
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
        if format == .csv && sharing.noticeFile != nil {
            throw ValidationError("CSV cannot carry a notice; use --format json, markdown or html")
        }
        if format == .html && sharing.output == nil && !sharing.encrypted && isatty(1) == 1 {
            throw ValidationError("an HTML report is a page, not terminal text: use --output FILE (e.g. report.html)")
        }
    }

    func run() throws {
        try runCommand(quiet: messages.quiet) {
            try target.check()
            let recipients = try sharing.recipients()
            let request = try sharing.request(recipients: recipients, defaultPurpose: "owner report")
            let journal = try unlock.open(target.journal)
            let keys = try witnesses.map { text throws -> WitnessPublicKey in
                do { return try WitnessPublicKey(verifierKey: text) } catch { throw CLIError.invalidInput("--witness: \(error)") }
            }
            let report = try ComplianceReport.build(journal, from: from.day, to: to.day, witnesses: keys)
            try sharing.write { sink in
                let rendering = format.libraryFormat.map { report.rendering($0, includeNotes: !noNotes) }
                    ?? report.htmlRendering(includeNotes: !noNotes)
                try journal.disclose(rendering, to: request, output: sink.output(recipients),
                                     beforeRecording: sink.finish)
            }
            let s = report.summary
            var counts = "\(s.days) days, \(s.daysCheckedIn) checked in, \(s.daysMissed) missed"
            if s.daysPending > 0 { counts += ", today pending" }
            if s.daysInFuture > 0 { counts += ", \(s.daysInFuture) after today (not counted)" }
            Terminal.say("Report: \(counts). Recorded the disclosure to \(request.recipient).")
        }
    }
}

/// The report's formats: the library's machine and Markdown forms, and the HTML page.
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
    case markdown, csv, json, html

    /// The ``ComplianceReport/Format`` of this choice; `nil` for HTML (rendered by SealedJournalHTML).
    var libraryFormat: ComplianceReport.Format? { ComplianceReport.Format(rawValue: rawValue) }
}
