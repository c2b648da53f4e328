import ArgumentParser
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

struct Initialize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new journal.",
        discussion: """
        Asks for the passphrase twice, creates the journal (mode 0600), and prints its fingerprint and a recovery key. The recovery key is shown only once.

        Example:
          sealed-journal init recovery.sjournal --kdf moderate
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("How hard the passphrase is to guess offline: interactive (64 MiB), moderate (256 MiB) or sensitive (1 GiB).", valueName: "preset"))
    var kdf: KDFPreset = .moderate
    @Option(name: .long, help: ArgumentHelp("Read the new passphrase from the first line of this file.", valueName: "file"))
    var passphraseFile: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            // Checked before any passphrase is asked: an existing name is never overwritten.
            var existing = stat()
            if lstat(target.journal, &existing) == 0 { throw JournalError.alreadyExists(path: target.journal) }
            let passphrase = try Passphrases.obtainNew(file: passphraseFile)
            let created = try Journal.create(at: target.journal, passphrase: passphrase, kdf: kdf)
            Terminal.say("Created \(target.journal).")
            Terminal.output("fingerprint: \(created.journal.fingerprint)\n")
            Terminal.output("recovery key: \(created.recoveryKey.displayString)\n")
            Terminal.warnIfSecretOnReadableStandardOutput("the recovery key")
            Terminal.sayText("""

            Write the recovery key down and keep it offline (not on this computer). It is shown
            only now, and it is the only way in if you forget your passphrase.
            Share the fingerprint with whoever will verify your journal.
            """)
        }
    }
}
