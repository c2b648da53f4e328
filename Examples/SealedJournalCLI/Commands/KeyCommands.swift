import ArgumentParser
import SealedJournal

struct ChangePassphrase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Change the passphrase.",
        discussion: """
        Unlock with the current passphrase (or --recovery-key-file), then type the new one twice. The old passphrase stops opening this file.

        This re-wraps the journal's key; it does not change it. Anyone who knew the old passphrase and kept an old copy of the journal (a backup, a synced copy) can still read everything in it, and what you write later if they get the file again. If the old passphrase may have leaked, use `sealed-journal rekey` instead.

        Example:
          sealed-journal passwd recovery.sjournal
        """
    )

    @OptionGroup var target: JournalArgument
    @OptionGroup var newPassphrase: NewPassphraseOptions
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let journal = try unlock.open(target.journal)
            let passphrase = try newPassphrase.obtain()
            try journal.changePassphrase(to: passphrase, kdf: newPassphrase.kdf)
            Terminal.say("Passphrase changed. The old passphrase no longer opens \(target.journal) as it is now,")
            Terminal.say("but it still opens old copies of it (backups, synced copies). If it may have leaked, run: sealed-journal rekey \(target.journal)")
            KeyChangeNote.sayIfUnrecorded(journal)
        }
    }
}

struct ReplaceRecoveryKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery-key",
        abstract: "Replace the recovery key and show the new one once.",
        discussion: """
        The old recovery key stops opening this file (it still opens old copies of it; if it may have leaked, use `sealed-journal rekey`).

        Example:
          sealed-journal recovery-key recovery.sjournal
        """
    )

    @OptionGroup var target: JournalArgument
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let journal = try unlock.open(target.journal)
            let key = try journal.replaceRecoveryKey()
            Terminal.output("recovery key: \(key.displayString)\n")
            Terminal.say("Write it down and keep it offline. It is shown only now; the old key no longer works.")
            Terminal.warnIfSecretOnReadableStandardOutput("the recovery key")
            KeyChangeNote.sayIfUnrecorded(journal)
        }
    }
}

/// A key change in effect whose record the disk refused (``Journal/unrecordedKeyChange``).
enum KeyChangeNote {
    static func sayIfUnrecorded(_ journal: Journal) {
        guard let error = journal.unrecordedKeyChange else { return }
        Terminal.say("note: the change is in effect, but the disk failed before the journal recorded it (\(error.description)).")
        Terminal.say("Free some space: the next write records it. Until then, verify says the header is newer than the last checkpoint.")
    }
}
