import ArgumentParser
import Foundation
import SealedJournal

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that a journal is intact. Needs no passphrase.",
        discussion: """
        Checks both header copies, every frame, the Merkle tree and every checkpoint signature. --fingerprint pins the journal's key; --against checks a checkpoint you kept earlier is still part of the journal's history (detects truncation and rollback). With a passphrase source (--passphrase, --passphrase-file, --recovery-key-file or SEALED_JOURNAL_PASSPHRASE) it also decrypts every record. Exit status 0 only when everything holds.

        Examples:
          sealed-journal verify recovery.sjournal --fingerprint 1a2b:...
          sealed-journal verify recovery.sjournal --against checkpoint-2026-11-01.txt
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("The fingerprint the journal must have.", valueName: "fingerprint"))
    var fingerprint: String?
    @Option(help: ArgumentHelp("A checkpoint file kept earlier.", valueName: "checkpoint-file"))
    var against: String?
    @Flag(help: "Also decrypt every record (asks for the passphrase).")
    var passphrase = false
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("witness"), help: ArgumentHelp("Check the stored cosignatures of this witness key (repeatable).", valueName: "key"))
    var witnesses: [String] = []

    func run() throws {
        try runCommand(quiet: output.quiet) {
            var options = VerificationOptions(fingerprint: fingerprint)
            if let against { options.heldCheckpoint = try String(contentsOfFile: against, encoding: .utf8) }
            let progress = Terminal.progress("verifying")
            let report: VerificationReport
            if passphrase || unlock.isGiven {
                report = try unlock.open(target.journal, mode: .readOnly).verify(options: options, progress: progress)
            } else {
                report = Journal.verify(at: target.journal, options: options, progress: progress)
            }
            Terminal.output(report.checks.map { "ok  " + $0 }.joined(separator: "\n") + "\n")
            for note in report.notes { Terminal.say("note: " + note) }
            guard report.isValid else {
                for problem in report.problems.dropFirst() { Terminal.error("also: \(problem)") }
                throw CLIError.verificationFailed(report.problems[0].description)
            }
            if !witnesses.isEmpty { try verifyStoredCosignatures(journal: target.journal, witnessKeys: witnesses) }
            Terminal.say("Verified: \(report.recordCount) records, \(report.checkpointCount) checkpoints.")
        }
    }
}
