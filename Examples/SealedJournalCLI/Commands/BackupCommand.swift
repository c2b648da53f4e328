import ArgumentParser
import SealedJournal

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Make a verified copy of the journal.",
        discussion: """
        The copy is taken while no one is writing, fsynced, and verified before this command says it is done. It is as encrypted as the journal, so it is safe on a synced folder, a USB stick or a shared drive. Keep the checkpoint this command prints: `verify COPY --against CHECKPOINT` later proves the copy (or the journal) still holds that history.

        Example:
          sealed-journal backup recovery.sjournal /media/usb/recovery-2026-11.sjournal
        """
    )

    @OptionGroup var target: JournalArgument
    @Argument(help: ArgumentHelp("Where to write the copy (must not exist).", valueName: "destination"))
    var destination: String
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            let journal = try unlock.open(target.journal, mode: .readOnly)
            let report = try journal.backup(to: destination)
            Terminal.say("Copied \(report.recordCount) records (\(report.byteCount) bytes) to \(destination) and verified the copy (mode 0600).")
            Terminal.output(report.checkpoint.text)
        }
    }
}
