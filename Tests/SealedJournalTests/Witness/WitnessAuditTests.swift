import Foundation
import Testing
@testable import SealedJournal

/// Audit bundles carry cosigned checkpoints; the verifier gives each disclosed record its
/// earliest witness time, and a check-in witnessed long after its day is flagged.
@Suite struct WitnessAuditTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func checkIn(_ journal: Journal, day: String, at time: Date) throws {
        let date = try LocalDate(day)
        try journal.append(CheckIn(day: date, timeZoneOffsetSeconds: 0, mood: 6, craving: 2, use: .sober), at: time, timeZone: utc)
    }

    @Test func bundlesCarryWitnessTimesPerRecord() throws {
        let s = try WitnessTests.setUp()
        let day1 = Date(timeIntervalSince1970: 1_764_201_600 + 20 * 3600)  // 2025-11-27T20:00Z
        try Self.checkIn(s.journal, day: "2025-11-27", at: day1)                       // #0
        let first = try s.witness.cosign(Array(try s.journal.witnessRequest(oldSize: 0).encoded.utf8), now: day1.addingTimeInterval(600))
        try s.journal.storeCosignatures(first.cosignedNote, witness: s.witness.identity)  // #1 receipt
        try Self.checkIn(s.journal, day: "2025-11-28", at: day1.addingTimeInterval(86_400))  // #2
        try Self.checkIn(s.journal, day: "2025-11-20", at: day1.addingTimeInterval(86_400))  // #3, backdated a week
        let late = day1.addingTimeInterval(86_400 + 600)
        let second = try s.witness.cosign(Array(try s.journal.witnessRequest(oldSize: 1).encoded.utf8), now: late)
        try s.journal.storeCosignatures(second.cosignedNote, witness: s.witness.identity)  // #4 receipt
        try Self.checkIn(s.journal, day: "2025-11-29", at: day1.addingTimeInterval(2 * 86_400))  // #5, not witnessed

        let bundle = try s.journal.auditBundle(disclosing: [0, 2, 3, 5])
        let witnessed = try #require(bundle.witnessed)
        #expect(witnessed.map { try? Checkpoint.parse($0.checkpoint, publicKey: s.journal.publicKey).treeSize } == [1, 4])
        let data = try bundle.encoded()
        #expect(AuditVerifier.verify(data).isValid)
        let report = AuditVerifier.witnessTimes(data, witnesses: [s.witness.identity])
        #expect(report.problems.isEmpty)
        #expect(report.witnessedBy[0]?.date == day1.addingTimeInterval(600))
        #expect(report.witnessedBy[2]?.date == late && report.witnessedBy[3]?.date == late)
        #expect(report.witnessedBy[5] == nil)
        #expect(report.witnessedBy[0]?.witness == WitnessTests.name)
        // Without the witness pinned, nothing is witnessed.
        #expect(AuditVerifier.witnessTimes(data, witnesses: []).witnessedBy.isEmpty)

        // The backdated check-in is flagged, the others are not.
        #expect(WitnessStatus.of(day: try LocalDate("2025-11-27"), witnessedBy: report.witnessedBy[0]?.date) == .witnessed(by: day1.addingTimeInterval(600)))
        #expect(WitnessStatus.of(day: try LocalDate("2025-11-28"), witnessedBy: late) == .witnessed(by: late))
        #expect(WitnessStatus.of(day: try LocalDate("2025-11-20"), witnessedBy: late) == .writtenLate(witnessedBy: late))
        #expect(WitnessStatus.of(day: try LocalDate("2025-11-29"), witnessedBy: nil) == .notWitnessed)
        // Boundary: the day ends everywhere at day+1 12:00 UTC; a day later is the limit.
        let limit = Date(timeIntervalSince1970: TimeInterval(try LocalDate("2025-11-27").daysSinceEpoch + 2) * 86_400 + 12 * 3600)
        #expect(WitnessStatus.of(day: try LocalDate("2025-11-27"), witnessedBy: limit) == .witnessed(by: limit))
        #expect(WitnessStatus.of(day: try LocalDate("2025-11-27"), witnessedBy: limit + 1) == .writtenLate(witnessedBy: limit + 1))

        // Tampering: a forged time, or a checkpoint not in the bundle's history, is a problem.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var entries = try #require(object["witnessed"] as? [[String: Any]])
        let original = try #require(entries[0]["checkpoint"] as? String)
        let line = try #require(original.split(separator: "\n").last.map(String.init))
        var blob = [UInt8](Data(base64Encoded: String(line.split(separator: " ")[2]))!)
        blob[11] ^= 1  // one second earlier or later
        entries[0]["checkpoint"] = original.replacingOccurrences(of: line, with: "— \(WitnessTests.name) \(Data(blob).base64EncodedString())")
        object["witnessed"] = entries
        let forged = AuditVerifier.witnessTimes(try JSONSerialization.data(withJSONObject: object), witnesses: [s.witness.identity])
        #expect(forged.problems.count == 1 && forged.witnessedBy[0]?.date == late, "the forged earlier time is not used")
        entries[0]["checkpoint"] = original
        entries[0]["proof"] = entries[1]["proof"]
        object["witnessed"] = entries
        #expect(!AuditVerifier.witnessTimes(try JSONSerialization.data(withJSONObject: object), witnesses: [s.witness.identity]).problems.isEmpty)
    }

    @Test func aJournalWithoutCosignaturesMakesTheSameBundleAsBefore() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        try Self.checkIn(journal, day: "2025-11-27", at: Date(timeIntervalSince1970: 1_764_201_600))
        let bundle = try journal.auditBundle(disclosing: [0])
        #expect(bundle.witnessed == nil)
        #expect(!String(decoding: try bundle.encoded(), as: UTF8.self).contains("witnessed"))
    }
}
