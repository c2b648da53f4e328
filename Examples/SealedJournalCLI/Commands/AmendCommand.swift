import ArgumentParser
import Foundation
import SealedJournal

struct AmendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend",
        abstract: "Correct an earlier record (nothing is edited: the correction is added and points back).",
        discussion: """
        Choose the record by its number (as `read` shows it) or --todays-check-in. For a check-in you give the corrected check-in for the same day: at a terminal by answering the check-in questions again, from a script as a JSON object (the check-in fields, plus an optional "reason") on standard input or in a file. Reports then use the corrected values and say "corrected by #N". For any other record you type the correction (Ctrl-D on a new line), or give {"text": ..., "reason": ...}. `read` shows the record with its correction.

        Examples:
          sealed-journal amend recovery.sjournal --todays-check-in
          sealed-journal amend recovery.sjournal --record 12
          sealed-journal amend recovery.sjournal --record 12 --json fix.json
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("The number of the record to correct.", valueName: "N"))
    var record: UInt64?
    @Flag(help: "Correct today's check-in (the last one recorded for today).")
    var todaysCheckIn = false
    @Option(help: ArgumentHelp("The correction as a JSON object, from this file (- for standard input).", valueName: "file"))
    var json: String?
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (record != nil) != todaysCheckIn else { throw ValidationError("give either --record N or --todays-check-in") }
    }

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let journal = try unlock.open(target.journal)  // unlock first: a wrong passphrase never costs the correction
            let original: JournalRecord
            if let record {
                original = try journal.record(at: record)
            } else {
                let today = LocalDate(date: Date())
                guard let found = try journal.latestCheckIn(for: today) else { throw CLIError.invalidInput("there is no check-in for today (\(today))") }
                original = found
            }
            var object = try json.map { try ContentFile.jsonObject($0) }
            let reasonFromJSON = object?.removeValue(forKey: "reason")
            if reasonFromJSON != nil, !(reasonFromJSON is String) { throw CLIError.invalidInput("reason: must be text") }
            let receipt: AppendReceipt
            if original.kind == RecordKind.checkIn {
                let checkIn = try original.decode(CheckIn.self)
                let corrected: CheckIn
                if let object {
                    corrected = try CheckInInput.parse(object, day: checkIn.day)
                } else if Terminal.standardInputIsTerminal {
                    Terminal.tell("Correcting check-in #\(original.sequence) for \(checkIn.day): answer each question with the right value.")
                    corrected = try GuidedCheckIn.ask(day: checkIn.day)
                } else {
                    throw CLIError.noInput("give the corrected check-in as JSON (--json FILE, or --json - on standard input)")
                }
                let reason = try reasonFromJSON as? String ?? askReason()
                receipt = try journal.amendCheckIn(original.sequence, with: corrected, reason: reason)
            } else {
                let text: String
                if let object {
                    guard let value = object["text"] as? String, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                        throw CLIError.invalidInput("text: missing (the correction)")
                    }
                    text = value
                } else if Terminal.standardInputIsTerminal {
                    Terminal.tell("Type the correction of record #\(original.sequence); end with Ctrl-D on a new line.")
                    text = try ContentFile.typedText(FileHandle.standardInput.readDataToEndOfFile(), from: "the correction typed")
                } else {
                    text = try ContentFile.utf8Text(FileHandle.standardInput.readDataToEndOfFile(), from: "standard input")
                }
                guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw CLIError.invalidInput("the correction is empty; nothing was written") }
                let reason = try reasonFromJSON as? String ?? askReason()
                receipt = try journal.amend(original.sequence, text: text.trimmingCharacters(in: .newlines), reason: reason)
            }
            Terminal.say("Sealed correction #\(receipt.sequence) of record #\(original.sequence).")
        }
    }

    /// At a terminal, asks why (Enter to skip); otherwise no reason.
    private func askReason() throws -> String? {
        guard Terminal.standardInputIsTerminal else { return nil }
        let answer = try Terminal.ask("Why (Enter to skip): ")?.trimmingCharacters(in: .whitespaces)
        return (answer?.isEmpty ?? true) ? nil : answer
    }
}
