import ArgumentParser
import Foundation
import SealedJournal

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an audit bundle: integrity proof, and only the records you choose.",
        discussion: """
        The bundle (JSON) carries the journal's public key, fingerprint and latest signed checkpoint. With --disclose it also carries chosen records, each with its own key and a Merkle inclusion proof; the auditor can read those and nothing else, and learns the journal's record count. With a filter (--kind/--from/--to) the bundle is complete for that scope: it shows the kind and day of every record in the journal (never their content) and discloses every record in scope, so the auditor can check that nothing in scope was left out (for example, every check-in of November). With --against, it proves the journal still contains the history of a checkpoint the auditor kept. A bundle that discloses records carries their keys: encrypt it with --recipient (the auditor runs `age -d` before `verify-audit`). Recorded in the journal as a disclosure.

        Examples:
          sealed-journal audit recovery.sjournal --output integrity.json
          sealed-journal audit recovery.sjournal --kind checkin \\
              --from 2026-11-01 --to 2026-11-30 \\
              --to-whom - --purpose - --output november-audit.json
          sealed-journal audit recovery.sjournal --disclose 12,14 \\
              --against their-checkpoint.txt --output audit.json

        --to-whom - and --purpose - ask who receives it and why (recorded in the journal), or read one line each from standard input.
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
            try target.check()
            let held = try against.map { try readUserTextFile($0) }
            let sequences = disclose?.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } ?? []
            try RecordNumbers.refuseMissing(sequences, in: target.journal, option: "--disclose")
            let journal = try unlock.open(target.journal)
            // A filter makes a complete bundle: every record's kind and day, the content of every
            // record in scope, so the auditor can see nothing in scope was left out.
            let scope = filterGiven ? AuditBundle.Scope(kinds: range.kind.kinds, from: range.from?.day, to: range.to?.day, complete: true) : nil
            let treeSize = journal.recordCount
            let recipients = try sharing.recipients()
            let request = try sharing.request(recipients: recipients, defaultPurpose: "audit")
            var disclosed = 0
            try sharing.write { sink in
                disclosed = try journal.disclose(AuditBundle.Request(disclosing: sequences, scope: scope, consistencyFrom: held), to: request,
                                                 output: sink.output(recipients),
                                                 beforeRecording: sink.finish).summary.disclosedContentCount
            }
            if scope != nil {
                Terminal.say("The bundle is complete for its scope: it shows the kind and day of every record (\(treeSize)), and the content of the \(disclosed) in scope.")
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
        Checks the checkpoint signature, every disclosed record's inclusion proof and key, and (with --against) that the journal still contains the history of a checkpoint you kept; says what it did not check. Prints the disclosed records (control characters escaped), then the verdict last. Exit status 0 only when everything holds.

        For a complete bundle (made with --kind/--from/--to), give the same --kind/--from/--to you asked for: the bundle must have been made for exactly that scope, and every record in it must be disclosed. A per-day table shows each day's check-ins (flagged when written before the day, or days after it) and the kinds of the day's private records. A day without a check-in is called NO CHECK-IN only once it is over in every time zone; the bundle does not say when it was made, so ask for a scope that ends before the day you receive it. A bundle that fails prints NOT verified and no table.

        Example:
          sealed-journal verify-audit november-audit.json \\
              --fingerprint 1a2b:... --against checkpoint-oct.txt \\
              --kind checkin --from 2026-11-01 --to 2026-11-30
        """
    )

    @Argument(help: "The audit bundle.")
    var bundle: String
    @Option(help: ArgumentHelp("The fingerprint the journal must have.", valueName: "fingerprint"))
    var fingerprint: Fingerprint?
    @Option(help: ArgumentHelp("A checkpoint you kept earlier.", valueName: "checkpoint-file"))
    var against: String?
    @OptionGroup var range: RangeOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("witness"), help: ArgumentHelp("Show when each record existed by, per this witness key (repeatable).", valueName: "key"))
    var witnesses: [String] = []

    /// The scope the auditor asked for, when given: the bundle must have been made for exactly it.
    var expectedScope: AuditBundle.Scope? {
        guard range.kind != .all || range.from != nil || range.to != nil else { return nil }
        return AuditBundle.Scope(kinds: range.kind.kinds, from: range.from?.day, to: range.to?.day, complete: true)
    }

    func run() throws {
        try runCommand(quiet: output.quiet) {
            let data = try ContentFile.read(bundle)
            let held = try against.map { String(decoding: try ContentFile.read($0), as: UTF8.self) }
            let report = AuditVerifier.verify(data, fingerprint: fingerprint, heldCheckpoint: held, expectedScope: expectedScope)
            // Everything from the bundle is escaped; what was checked, and what was not, is said
            // plainly; the verdict comes last, after anything the bundle supplied.
            var lines: [String] = []
            if let id = report.journalID { lines.append("journal \(RecordText.line(id.description)), fingerprint \(RecordText.line(report.fingerprint?.description ?? "?"))") }
            if let scope = report.scope {
                let kinds = scope.kinds.map { $0.map { RecordText.line($0.rawValue) }.joined(separator: ", ") } ?? "all kinds"
                lines.append("scope: \(kinds), \(RecordText.line(scope.from ?? "the start")) to \(RecordText.line(scope.to ?? "the end"))"
                             + (scope.complete ? ", claimed complete" : ""))
            }
            if let checkpoint = report.checkpoint, report.isValid {
                lines.append("ok  checkpoint signed by the journal's key: \(checkpoint.treeSize) records")
                if let followed = report.followedFingerprint, let current = report.fingerprint {
                    lines.append("ok  the key you pinned (\(followed)) signed a rekey of this journal to \(current): a retired key may be the one that leaked, "
                                 + "so confirm \(current) with the journal's owner and pin it from now on")
                } else if fingerprint != nil {
                    lines.append("ok  the journal's key has the fingerprint you gave")
                }
                for rekey in report.rekeys {
                    lines.append("note: re-keyed from \(rekey.from) to \(rekey.to) when it held \(rekey.previousRecordCount) record(s); the retired key signed it")
                    if rekey.omittedCount > 0 {
                        let positions = RecordNumbers.describe(rekey.omitted.flatMap { Array($0.prefix(1_000)) })
                        lines.append("ERASED: that rekey left out \(rekey.omittedCount) record(s) at the owner's request (positions \(positions) of the \(rekey.previousRecordCount) "
                                     + "under \(rekey.from)); they are in no bundle, and completeness is of what remains")
                    }
                }
                if against != nil {
                    if report.checkedConsistency { lines.append("ok  consistent with the checkpoint you hold") }
                } else {
                    if report.checkedConsistency {
                        lines.append("ok  the bundle proves its history extends an earlier checkpoint that it carries itself (not one you hold)")
                    }
                    lines.append("not checked: consistency with a checkpoint you hold (give it with --against FILE)")
                }
                if fingerprint == nil { lines.append("not checked: the journal's fingerprint (give the one you expect with --fingerprint)") }
            }
            // A bundle that fails shows nothing it supplied as if it held: standard output (often
            // saved to a file) says NOT verified, with no day table and no records.
            guard report.isValid else {
                lines.append("NOT verified: \(TerminalText.escape(report.problems[0]))")
                Terminal.output(lines.joined(separator: "\n") + "\n")
                for problem in report.problems.dropFirst() { Terminal.error("also: \(TerminalText.escape(problem))") }
                throw CLIError.verificationFailed(report.problems[0])
            }
            let days = report.days
            if !days.isEmpty {
                lines.append("")
                lines.append("day         check-ins")
                let table = DayTable(report: report, now: Date())
                for row in days { lines.append(table.line(row)) }
                lines.append("")
            }
            for record in report.records {
                lines.append("ok  record #\(record.sequence) is in the journal at its position and opens with its key:")
                lines.append(RecordText.block(RecordText.render(record), indent: "      "))
            }
            Terminal.output(lines.joined(separator: "\n") + "\n")
            let undisclosedCheckIns = days.reduce(0) { $0 + $1.undisclosedCheckIns }
            let erased = report.rekeys.reduce(0) { $0 + $1.omittedCount }
            let erasedNote = erased > 0 ? " Not counted: \(erased) record(s) erased by a rekey (see ERASED above)." : ""
            if report.isComplete && undisclosedCheckIns == 0 {
                Terminal.say((report.scopeConfirmed
                    ? "complete: every record in the scope you asked for is disclosed (\(report.records.count) of \(report.envelopes.count) records)."
                    : "complete for the scope the bundle states (\(report.records.count) of \(report.envelopes.count) records) — not checked against what you asked for: give --kind/--from/--to.")
                    + erasedNote)
            } else if undisclosedCheckIns > 0 {
                Terminal.say("NOT complete for check-ins: \(undisclosedCheckIns) check-in(s) in the table's days are not disclosed.")
            }
            if !witnesses.isEmpty { try verifyAuditWitnessTimes(data, report: report, witnessKeys: witnesses) }
            // A valid report with --against has compared it (AuditVerifier fails what it cannot compare).
            let scope = against != nil && report.checkedConsistency ? "signature, records and consistency with your checkpoint" : "signature and records; no checkpoint of yours was compared"
            Terminal.say("Audit bundle verified (\(scope)).")
        }
    }

}

/// The per-day table of `verify-audit`, said the way `report` counts: the client's days are
/// local days of an unknown time zone, so a day is called missed only once it is over in every
/// time zone (UTC-12 to UTC+14) by the verifier's clock, and a check-in is flagged when its
/// record was written before its day (it cannot report on it) or days after it.
struct DayTable {
    enum Timing { case notBegun, mayBeGoingOn, over }

    /// Per day: how many days after the day each disclosed check-in was written (negative: before).
    let lateness: [LocalDate: [Int]]
    /// Per day: the kinds of the records whose content is not in the bundle (not check-ins).
    let privateKinds: [LocalDate: [String]]
    let now: Date

    init(report: AuditReport, now: Date) {
        var lateness: [LocalDate: [Int]] = [:]
        for record in report.records {
            guard case let .checkIn(checkIn) = record.content else { continue }
            let written = LocalDate(date: record.recordedAt, offsetSeconds: record.timeZoneOffsetSeconds)
            lateness[checkIn.day, default: []].append(checkIn.day.days(to: written))
        }
        var kinds: [LocalDate: [String]] = [:]
        for envelope in report.envelopes where envelope.kind != RecordKind.checkIn {
            kinds[envelope.day, default: []].append(envelope.kind.rawValue)
        }
        self.lateness = lateness
        self.privateKinds = kinds
        self.now = now
    }

    /// Where `day` stands by the verifier's clock: a local day runs from its midnight at UTC+14
    /// to the next midnight at UTC-12.
    func timing(of day: LocalDate) -> Timing {
        let epoch = LocalDate(date: Date(timeIntervalSince1970: 0), offsetSeconds: 0)
        let midnightUTC = Date(timeIntervalSince1970: Double(epoch.days(to: day)) * 86_400)
        if now < midnightUTC.addingTimeInterval(-14 * 3_600) { return .notBegun }
        if now < midnightUTC.addingTimeInterval((24 + 12) * 3_600) { return .mayBeGoingOn }
        return .over
    }

    /// One row: what the check-ins of a day say, when they were written, and what else is there.
    func line(_ row: AuditDay) -> String {
        var parts: [String] = []
        let written = lateness[row.day] ?? []
        let ahead = !written.isEmpty && written.allSatisfy { $0 < 0 }
        switch (row.checkIns.count + row.undisclosedCheckIns, timing(of: row.day)) {
        case (0, .notBegun): parts.append("not yet (the day has not begun)")
        case (0, .mayBeGoingOn): parts.append("none yet (the day may not be over where the client is)")
        case (0, .over): parts.append("NO CHECK-IN")
        case (_, _) where ahead: parts.append("checked in AHEAD (written before the day: it does not report on it)")
        case (1, _): parts.append("checked in")
        case let (count, _): parts.append("\(count) check-ins")
        }
        if !ahead {
            let uses = Set(row.checkIns.map(\.use))
            if uses.contains(.used) { parts.append("used") } else if uses.contains(.hardDay) { parts.append("hard day") } else if !uses.isEmpty { parts.append("sober") }
            if let latest = written.filter({ $0 >= 0 }).max(), latest > 0 {
                parts.append("written \(latest) day\(latest == 1 ? "" : "s") later")
            }
            let early = written.filter { $0 < 0 }.count
            if early > 0 { parts.append("\(early) of them written before the day (AHEAD: it does not report on it)") }
        }
        if row.undisclosedCheckIns > 0 { parts.append("\(row.undisclosedCheckIns) NOT DISCLOSED") }
        if let kinds = privateKinds[row.day], !kinds.isEmpty {
            let counted = Dictionary(kinds.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }
            parts.append("private (kind only): " + counted.map { "\(RecordText.line($0.key))" + ($0.value > 1 ? " x\($0.value)" : "") }.joined(separator: ", "))
        }
        return "\(row.day)  " + parts.joined(separator: " · ")
    }
}
