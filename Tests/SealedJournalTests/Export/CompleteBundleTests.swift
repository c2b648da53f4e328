import Foundation
import Testing
@testable import SealedJournal

@Suite("A check-in bundle proves it holds every check-in")
struct CompleteBundleTests {
    /// November 1-5: check-ins on 1, 2, 4 and two on 5 (one "used"), private entries on 2 and 3,
    /// a check-in for October 31 (out of scope), written in shuffled order.
    func journal(in dir: TemporaryDirectory) throws -> Journal {
        let journal = try makeJournal(at: dir.file("j")).journal
        func checkIn(_ day: String, _ use: CheckIn.UseStatus = .sober) throws -> CheckIn {
            CheckIn(day: try LocalDate(day), mood: 5, craving: 3, use: use)
        }
        try journal.append(try checkIn("2026-10-31"))
        try journal.append(try checkIn("2026-11-01"))
        try journal.append(JournalEntry(text: "private thoughts"), at: Date(timeIntervalSince1970: 1_793_620_800))  // 2026-11-02 UTC
        try journal.append(try checkIn("2026-11-02", .hardDay))
        try journal.append(JournalEntry(text: "more private thoughts"), at: Date(timeIntervalSince1970: 1_793_707_200), timeZone: TimeZone(secondsFromGMT: 0)!)
        try journal.append(try checkIn("2026-11-05"))
        try journal.append(try checkIn("2026-11-04"))  // written late, after the 5th
        try journal.append(try checkIn("2026-11-05", .used))
        return journal
    }

    let scope = AuditBundle.Scope(kinds: [RecordKind.checkIn], from: try? LocalDate("2026-11-01"), to: try? LocalDate("2026-11-05"), complete: true)

    @Test("a complete bundle discloses every in-scope check-in, shows private records by kind and day only, and the day table is right")
    func completeBundle() throws {
        let dir = try TemporaryDirectory()
        let journal = try journal(in: dir)
        let bundle = try journal.auditBundle(scope: scope)
        let json = String(decoding: try bundle.encoded(), as: UTF8.self)
        #expect(!json.contains("private"), "no private content in the bundle")
        let report = AuditVerifier.verify(try bundle.encoded())
        #expect(report.isValid && report.isComplete, "\(report.problems)")
        #expect(report.records.count == 5 && report.envelopes.count == 8)
        #expect(!report.records.contains { if case let .checkIn(c) = $0.content { c.day.description == "2026-10-31" } else { false } })
        let days = report.days
        #expect(days.map(\.day.description) == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"])
        #expect(days.map(\.checkIns.count) == [1, 1, 0, 1, 2])
        #expect(days.map(\.privateRecords) == [0, 1, 1, 0, 0], "entries are counted by day, never shown")
        #expect(days[4].checkIns.map(\.use) == [.sober, .used])
    }

    @Test("withholding one in-scope check-in fails the completeness claim and names its day")
    func withheldCheckIn() throws {
        let dir = try TemporaryDirectory()
        let journal = try journal(in: dir)
        let bundle = try journal.auditBundle(scope: scope)
        // The client removes the content key of the "used" check-in of the 5th.
        let used = try #require(bundle.records.last { $0.contentKey != nil })
        let stripped = bundle.records.map { $0.sequence == used.sequence
            ? AuditBundle.DisclosedRecord(sequence: $0.sequence, frame: $0.frame, envelopeKey: $0.envelopeKey, contentKey: nil, inclusionProof: $0.inclusionProof)
            : $0 }
        let tampered = AuditBundle(format: bundle.format, version: bundle.version, journalID: bundle.journalID, publicKey: bundle.publicKey,
                                   fingerprint: bundle.fingerprint, checkpoint: bundle.checkpoint, consistency: nil, scope: bundle.scope, records: stripped)
        let report = AuditVerifier.verify(try tampered.encoded())
        #expect(!report.isValid && !report.isComplete)
        #expect(report.problems.contains { $0.contains("check-in of 2026-11-05") && $0.contains("not disclosed") }, "\(report.problems)")
        // Dropping the record altogether is caught too (the journal's root no longer matches).
        let dropped = AuditBundle(format: bundle.format, version: bundle.version, journalID: bundle.journalID, publicKey: bundle.publicKey,
                                  fingerprint: bundle.fingerprint, checkpoint: bundle.checkpoint, consistency: nil, scope: bundle.scope,
                                  records: bundle.records.filter { $0.sequence != used.sequence })
        let droppedReport = AuditVerifier.verify(try dropped.encoded())
        #expect(!droppedReport.isValid && droppedReport.problems.contains { $0.contains("holds 7 of the journal's 8 records") })
        // A bundle made with --disclose that leaves out check-ins makes no completeness claim.
        let selective = AuditVerifier.verify(try journal.auditBundle(disclosing: [1, 3]).encoded())
        #expect(selective.isValid && !selective.isComplete && selective.scope == nil)
    }
}
