import ArgumentParser
import SealedJournal

@main
struct SealedJournalCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealed-journal",
        abstract: "Keep a sealed, append-only recovery journal.",
        discussion: """
        Journal entries and daily check-ins are encrypted on your disk, can only be added to, and can be verified by anyone without your passphrase.

        Passphrases are read from the terminal without echo. For scripts use --passphrase-file FILE (first line) or the SEALED_JOURNAL_PASSPHRASE environment variable; --recovery-key-file FILE unlocks with the recovery key instead.

        Exit status: 0 success; 1 failure (including a failed verification); 2 wrong passphrase or recovery key; 3 the file is not a journal, is damaged, or has an unsupported version; 4 invalid input (nothing was written); 64 usage error.

        Example:
          sealed-journal init recovery.sjournal
          sealed-journal checkin recovery.sjournal --mood 7 --craving 2 --use sober
        """,
        version: SealedJournalLibrary.version,
        subcommands: [
            Initialize.self, Write.self, CheckInCommand.self, Read.self, Export.self, Report.self, Import.self, Disclosures.self,
            Verify.self, Audit.self, VerifyAudit.self, CheckpointCommand.self, Info.self, ChangePassphrase.self, ReplaceRecoveryKey.self,
            RekeyCommand.self, RepairCommand.self,
            JournalKeyCommand.self, RequestWitness.self, ImportCosignature.self, WitnessCommand.self,
        ]
    )
}
