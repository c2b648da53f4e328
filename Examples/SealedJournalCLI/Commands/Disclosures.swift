import ArgumentParser
import Foundation
import SealedJournal

struct Disclosures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every export and disclosure (the accounting of disclosures).",
        discussion: """
        Each export records when, to whom, why, what (kinds, dates, record count) and a SHA-256 digest of the exported plaintext, sealed in the journal.

        Example:
          sealed-journal disclosures recovery.sjournal
        """
    )

    @OptionGroup var target: JournalArgument
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let journal = try unlock.open(target.journal, mode: .readOnly)
            var count = 0
            try journal.forEachRecord(RecordFilter(kinds: [RecordKind.disclosure])) { record in
                let d = try record.decode(Disclosure.self)
                Terminal.output("""
                #\(record.sequence)  \(record.localTimeDescription)  to \(RecordText.line(d.recipient))
                    purpose: \(RecordText.line(d.purpose))
                    scope:   \(RecordText.line(d.scope))
                    format:  \(RecordText.line(d.format))\(d.digest.map { "\n    sha256:  \(RecordText.line($0))" } ?? "")

                """)
                count += 1
            }
            Terminal.say(count == 0 ? "No disclosures recorded." : "\(count) disclosure(s).")
        }
    }
}
