import ArgumentParser
import Foundation
import SealedJournal

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the latest signed checkpoint. Needs no passphrase.",
        discussion: """
        Give it to someone to keep (your clinician, a monitoring program, another device). Later, `verify --against` with it proves no record was removed or changed since.

        Example:
          sealed-journal checkpoint recovery.sjournal > checkpoint-$(date +%F).txt
        """
    )

    @OptionGroup var target: JournalArgument
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let info = try Journal.info(at: target.journal)
            // A plain line for people; verifiers skip everything before the signed note.
            let made = JournalRecord.describeLocalTime(Date())
            Terminal.output("SealedJournal checkpoint of journal \(info.fingerprint), made \(made): keep it; "
                            + "`verify --against` with it later proves nothing was removed or changed since.\n\n")
            Terminal.output(info.latestCheckpoint.text)
        }
    }
}
