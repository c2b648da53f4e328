import ArgumentParser
import SealedJournal

@main
struct SealedJournalCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealed-journal",
        abstract: "Keep a sealed, append-only recovery journal.",
        discussion: """
        Journal entries and daily check-ins are encrypted on your disk and can be
        verified without your passphrase.
        """,
        version: SealedJournalLibrary.version
    )
}
