import ArgumentParser
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
            Terminal.output(try Journal.info(at: target.journal).latestCheckpoint.text)
        }
    }
}
