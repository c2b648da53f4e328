import ArgumentParser
import Foundation
import SealedJournal

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that a journal is intact. Needs no passphrase.",
        discussion: """
        Checks both header copies, every frame, the Merkle tree and every checkpoint signature. --fingerprint pins the journal's key; --against checks a checkpoint you kept earlier is still part of the journal's history (detects truncation and rollback). With a passphrase source (--passphrase, --passphrase-file, --recovery-key-file or SEALED_JOURNAL_PASSPHRASE) it also decrypts every record. Exit status 0 only when everything holds; 1 when a check fails; 3 when the file is not a journal (or neither header copy can be read).

        Examples:
          sealed-journal verify recovery.sjournal --fingerprint 1a2b:...
          sealed-journal verify recovery.sjournal --against checkpoint-2026-11-01.txt
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("The fingerprint the journal must have.", valueName: "fingerprint"))
    var fingerprint: Fingerprint?
    @Option(help: ArgumentHelp("A checkpoint file kept earlier.", valueName: "checkpoint-file"))
    var against: String?
    @Flag(help: "Also decrypt every record (asks for the passphrase).")
    var passphrase = false
    @Flag(help: "Also print the latest checkpoint, fingerprints and bytes checked.")
    var verbose = false
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("witness"), help: ArgumentHelp("Check the stored cosignatures of this witness key (repeatable).", valueName: "key"))
    var witnesses: [String] = []

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try JournalArgument.checkRegularFile(target.journal)
            var options = VerificationOptions(fingerprint: fingerprint)
            if let against { options.heldCheckpoint = try readUserTextFile(against) }
            let progress = Terminal.progress("verifying")
            let report: VerificationReport
            if passphrase || unlock.isGiven {
                report = try unlock.open(target.journal, mode: .readOnly).verify(options: options, progress: progress)
            } else {
                report = Journal.verify(at: target.journal, options: options, progress: progress)
            }
            progress?(1, 1)  // clear the progress line before the result
            // One plain sentence first; the detail under it.
            var lines = [report.summary]
            lines += report.checks.map { "  ok  " + $0 }
            lines += report.notes.map { "  note: " + $0 }
            lines += report.problems.dropFirst().map { "  also: \($0)" }
            if verbose, let checkpoint = report.latestCheckpoint {
                lines.append("  latest checkpoint: \(checkpoint.treeSize) records, root \(checkpoint.rootHash.map { String(format: "%02x", $0) }.joined())")
                if let fingerprint = report.fingerprint { lines.append("  fingerprint: \(fingerprint)") }
                for (index, predecessor) in report.predecessorFingerprints.enumerated() { lines.append("  re-keyed from (\(index + 1)): \(predecessor)") }
                lines.append("  bytes checked: \(report.bytesChecked)")
            }
            Terminal.output(lines.joined(separator: "\n") + "\n")
            // No fingerprint: neither header copy could be read (a foreign, empty, future-version
            // or header-damaged file), exit 3 as for every other command; otherwise a failed check, 1.
            guard report.isValid else { throw ExitCode(report.fingerprint == nil ? 3 : 1) }
            if !witnesses.isEmpty { try verifyStoredCosignatures(journal: target.journal, witnessKeys: witnesses) }
        }
    }
}
