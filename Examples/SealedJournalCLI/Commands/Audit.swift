import ArgumentParser
import Foundation
import SealedJournal

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an audit bundle: integrity proof, and only the records you choose.",
        discussion: """
        The bundle (JSON) carries the journal's public key, fingerprint and latest signed checkpoint. With --disclose or a filter it also carries chosen records, each with its own key and a Merkle inclusion proof; the auditor can read those and nothing else, and learns the journal's record count. With --against, it proves the journal still contains the history of a checkpoint the auditor kept. A bundle that discloses records carries their keys: encrypt it with --recipient (the auditor runs `age -d` before `verify-audit`). Recorded in the journal as a disclosure.

        Examples:
          sealed-journal audit recovery.sjournal --output integrity.json
          sealed-journal audit recovery.sjournal --kind checkin --from 2026-11-01 --to 2026-11-30 \\
              --to-whom "Monitoring program" --purpose "monthly audit" --output november-audit.json
          sealed-journal audit recovery.sjournal --disclose 12,14 --against their-checkpoint.txt --output audit.json
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("Sequence numbers of records to disclose, comma-separated.", valueName: "seq,..."))
    var disclose: String?
    @OptionGroup var range: RangeOptions
    @Option(help: ArgumentHelp("A checkpoint the auditor kept: include a consistency proof from it.", valueName: "checkpoint-file"))
    var against: String?
    @OptionGroup var sharing: SharingOptions
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var messages: OutputOptions

    var filterGiven: Bool { range.kind != .all || range.from != nil || range.to != nil }

    func validate() throws {
        try sharing.validate()
        if sharing.noticeFile != nil { throw ValidationError("an audit bundle cannot carry a notice") }
        if disclose != nil && filterGiven { throw ValidationError("use either --disclose or a filter (--kind/--from/--to), not both") }
        if let disclose, disclose.split(separator: ",").contains(where: { UInt64($0.trimmingCharacters(in: .whitespaces)) == nil }) {
            throw ValidationError("--disclose takes sequence numbers separated by commas, e.g. 3,7,12")
        }
    }

    func run() throws {
        try runCommand(quiet: messages.quiet) {
            let held = try against.map { try String(contentsOfFile: $0, encoding: .utf8) }
            let journal = try unlock.open(target.journal)
            var sequences = disclose?.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } ?? []
            if filterGiven { sequences = try journal.sequences(matching: range.filter()) }
            let treeSize = journal.recordCount
            let recipients = try sharing.recipients()
            let request = try sharing.request(recipients: recipients, defaultPurpose: "audit")
            var disclosed = 0
            try sharing.write { write, finish in
                disclosed = try journal.discloseAuditBundle(disclosing: sequences, consistencyFrom: held, request: request,
                                                            recipients: recipients, armored: sharing.armor,
                                                            write: write, beforeRecording: finish).records.count
            }
            Terminal.say("Audit bundle: checkpoint of \(treeSize) records, \(disclosed) disclosed. Recorded the disclosure to \(request.recipient).")
        }
    }
}

struct VerifyAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-audit",
        abstract: "Check an audit bundle, with the bundle alone.",
        discussion: """
        Checks the checkpoint signature, every disclosed record's inclusion proof and key, and (with --against) that the journal still contains the history of a checkpoint you kept. Prints the disclosed records. Exit status 0 only when everything holds.

        Example:
          sealed-journal verify-audit november-audit.json --fingerprint 1a2b:... --against checkpoint-oct.txt
        """
    )

    @Argument(help: "The audit bundle.")
    var bundle: String
    @Option(help: ArgumentHelp("The fingerprint the journal must have.", valueName: "fingerprint"))
    var fingerprint: String?
    @Option(help: ArgumentHelp("A checkpoint you kept earlier.", valueName: "checkpoint-file"))
    var against: String?
    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("witness"), help: ArgumentHelp("Show when each record existed by, per this witness key (repeatable).", valueName: "key"))
    var witnesses: [String] = []

    func run() throws {
        try runCommand(quiet: output.quiet) {
            guard let data = FileManager.default.contents(atPath: bundle) else { throw CLIError.cannotRead(bundle, "cannot open it") }
            let held = try against.map { try String(contentsOfFile: $0, encoding: .utf8) }
            let report = AuditVerifier.verify(data, fingerprint: fingerprint, heldCheckpoint: held)
            if let checkpoint = report.checkpoint, let id = report.journalID, let print = report.fingerprint {
                Terminal.output("journal \(id), fingerprint \(print)\n")
                Terminal.output("ok  checkpoint signed by the journal's key: \(checkpoint.treeSize) records\n")
            }
            if report.checkedConsistency { Terminal.output("ok  consistent with the checkpoint you hold\n") }
            for record in report.records {
                Terminal.output("ok  record \(record.sequence) is in the journal at its position and opens with its key:\n")
                Terminal.output(RecordText.render(record).split(separator: "\n").map { "      " + $0 }.joined(separator: "\n") + "\n")
            }
            guard report.isValid else {
                for problem in report.problems.dropFirst() { Terminal.error("also: \(problem)") }
                throw CLIError.verificationFailed(report.problems[0])
            }
            if !witnesses.isEmpty { try verifyAuditWitnessTimes(data, report: report, witnessKeys: witnesses) }
            Terminal.say("Audit bundle verified.")
        }
    }
}
