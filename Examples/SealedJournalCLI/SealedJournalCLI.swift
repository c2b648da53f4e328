import ArgumentParser
import Foundation
import SealedJournal

@main
struct SealedJournalCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealed-journal",
        abstract: "Keep a sealed, append-only recovery journal.",
        discussion: """
        Journal entries and daily check-ins are encrypted on your disk, can only be added to, and can be verified by anyone without your passphrase.

        Passphrases are read from the terminal without echo. For scripts use --passphrase-file FILE (first line) or the SEALED_JOURNAL_PASSPHRASE environment variable; --recovery-key-file FILE unlocks with the recovery key instead.

        What you write never goes in the command line (every local account can read it with `ps`, and shell history keeps it): at a terminal you are asked; scripts pipe it in. Value options that carry content are refused unless you add --allow-args. The process turns off core dumps and debugger attach for itself, escapes control characters in everything it shows, and writes output files whole or not at all.

        Exit status: 0 success; 1 failure (including a failed verification); 2 wrong passphrase or recovery key; 3 the file is not a journal, is damaged, or has an unsupported version; 4 invalid input (nothing was written, except the chunks an import from standard input had committed before it: see import --help); 64 usage error; 130 an import stopped by Ctrl-C (what it committed stays).

        Examples:
          sealed-journal init recovery.sjournal
          sealed-journal checkin recovery.sjournal
          sealed-journal write recovery.sjournal < evening.txt
        """,
        version: SealedJournalLibrary.version,
        subcommands: [
            Initialize.self, Write.self, CheckInCommand.self, Read.self, Export.self, Report.self, Import.self, Disclosures.self,
            Verify.self, Audit.self, VerifyAudit.self, CheckpointCommand.self, Info.self, ChangePassphrase.self, ReplaceRecoveryKey.self,
            AmendCommand.self, RekeyCommand.self, RepairCommand.self, BackupCommand.self,
            JournalKeyCommand.self, RequestWitness.self, ImportCosignature.self, WitnessCommand.self,
        ]
    )

    /// Hardens the process before anything is parsed, asked or read: no core dumps, no debugger
    /// attach or /proc/PID/mem reads, no crash report that prints memory; unfinished export
    /// files are removed on SIGINT/SIGTERM/SIGHUP.
    static func main() {
        ProcessHardening.apply()
        ExportFile.removeUnfinishedFilesOnSignals()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, let message = CommandSuggestion.unknownCommandMessage(first, known: commandNames) {
            Terminal.error(message)
            Foundation.exit(64)
        }
        main(arguments)
    }

    /// Every subcommand name and alias, plus `help`.
    static var commandNames: [String] {
        configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases } + ["help"]
    }
}
