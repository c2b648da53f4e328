import ArgumentParser
import SealedJournal

struct RekeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Move the journal to new keys (when a passphrase or recovery key may have leaked).",
        discussion: """
        Every record is re-sealed under a fresh master key and signing key into a new file that replaces the journal at the same path in one atomic step. The old passphrase and recovery key open nothing in the new file. The old key signs a statement naming the new one, kept in the journal, so whoever pinned your old fingerprint can follow: `verify --fingerprint OLD` passes and names the new fingerprint. You choose a new passphrase and get a new recovery key (shown once).

        --erase leaves chosen records out (your right to erasure); the journal keeps a signed statement of how many and which positions were left out, never pretending they did not exist. An amendment of an erased record must be erased too.

        Copies of the old file (backups, synced copies) can still be opened with the old secrets: rekey protects this file and everything written from now on.

        Examples:
          sealed-journal rekey recovery.sjournal
          sealed-journal rekey recovery.sjournal --erase 12,14-16
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("Record numbers to leave out, e.g. 12,14-16.", valueName: "numbers"))
    var erase: String?
    @OptionGroup var newPassphrase: NewPassphraseOptions
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try erasedPositions()
    }

    func erasedPositions() throws -> Set<UInt64> {
        guard let erase else { return [] }
        var positions = Set<UInt64>()
        for item in erase.split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil, low <= high, high - low < 1_000_000 else {
                throw ValidationError("--erase takes record numbers and ranges separated by commas, e.g. 12,14-16")
            }
            positions.formUnion(low...high)
        }
        return positions
    }

    func run() throws {
        try runCommand(quiet: output.quiet) {
            let erased = try erasedPositions()
            try RecordNumbers.refuseMissing(erased, in: target.journal, option: "--erase")
            let journal = try unlock.open(target.journal)
            let passphrase = try newPassphrase.obtain()
            let result = try journal.rekey(to: passphrase, kdf: newPassphrase.kdf, omitting: erased)
            Terminal.say("Re-keyed \(target.journal): \(result.carriedRecords) record(s) re-sealed under new keys"
                + (result.omittedRecords.isEmpty ? "." : ", \(result.omittedRecords.count) left out as you asked (the journal says so, signed)."))
            Terminal.output("previous fingerprint: \(result.previousFingerprint)\n")
            Terminal.output("new fingerprint:      \(result.journal.fingerprint)\n")
            Terminal.output("recovery key: \(result.recoveryKey.displayString)\n")
            Terminal.warnIfSecretOnReadableStandardOutput("the recovery key")
            Terminal.sayText("""

            The old passphrase and recovery key no longer open this file. Write the new recovery key
            down and keep it offline; it is shown only now. Give the new fingerprint, and a fresh
            checkpoint (sealed-journal checkpoint), to whoever verifies your journal: the old
            fingerprint still identifies it through the signed rekey statement, but a checkpoint
            they kept from before the rekey no longer proves anything.
            """)
        }
    }
}

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Remove a damaged or interrupted end of the journal, keeping every removed byte.",
        discussion: """
        Opening a journal for writing never removes anything that was committed: when the end of the file is damaged, writing stops with "damaged at byte offset N" until you run repair. Repair copies everything after the last intact commit into a file beside the journal (mode 0600), cuts the journal back to that commit, commits again every complete record it found there that still opens with your key (up to the first that does not), and records that it ran. When records after a damaged one still open, repair stops first and says how to rescue them (export --salvage); --accept-loss repairs anyway. Damage earlier in the journal cannot be repaired in an append-only file; verify keeps reporting it.

        Example:
          sealed-journal repair recovery.sjournal
        """
    )

    @OptionGroup var target: JournalArgument
    @Flag(help: "Repair even when records after a damaged one still open: they are then kept only in the side file (rescue them first with export --salvage).")
    var acceptLoss = false
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            // A FIFO, directory or device is refused as every other command refuses it (exit 3).
            try JournalArgument.checkRegularFile(target.journal)
            let report: RepairReport
            do {
                if let key = try unlock.recoveryKey() {  // --recovery-key-file FILE or -, or --recovery-key typed
                    report = try Journal.repair(at: target.journal, recoveryKey: key, acceptingLoss: acceptLoss)
                } else {
                    let passphrase = try Passphrases.obtain(file: unlock.passphraseFile, prompt: "Passphrase for \(target.journal): ")
                    report = try Journal.repair(at: target.journal, passphrase: passphrase, acceptingLoss: acceptLoss)
                }
            } catch JournalError.invalidField(let field, let reason) where field == "repair" {
                // Records after a damaged one still open: say how to keep them before repairing.
                Terminal.error(JournalError.invalidField(field: field, reason: reason).description)
                Terminal.say("To keep them, take every readable record into a new journal first (sealed-journal export \(target.journal) --salvage "
                             + "--format ndjson -o rescued.ndjson, then init a new journal and import rescued.ndjson into it), or run repair --accept-loss.")
                throw ExitCode(4)
            }
            guard report.repaired else {
                Terminal.say("Nothing to repair: \(target.journal) ends with an intact commit (\(report.recordCount) records).")
                return
            }
            Terminal.say("Repaired \(target.journal): removed \(report.removedBytes) bytes from byte \(report.removedFromOffset), "
                + "committed \(report.recommittedRecords) complete record(s) found there again; \(report.recordCount) records now.")
            if let saved = report.savedTo { Terminal.say("The removed bytes are kept in \(saved) (mode 0600).") }
            if !report.strandedRecords.isEmpty {
                Terminal.say("\(report.strandedRecords.count) record(s) after the damaged one (#\(RecordNumbers.describe(report.strandedRecords))) still opened "
                             + "but were not taken back, as you accepted: they are only in that file.")
            }
        }
    }
}
