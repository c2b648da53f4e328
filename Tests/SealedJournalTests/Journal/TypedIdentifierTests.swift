import Foundation
import Testing
@testable import SealedJournal

@Suite("Typed identifiers: Fingerprint and RecordKind")
struct TypedIdentifierTests {
    @Test func fingerprintParsesWhatPeopleTypeAndNothingElse() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let fingerprint = journal.fingerprint
        let written = fingerprint.description
        #expect(written.count == 39 && written.split(separator: ":").count == 8)
        #expect(Fingerprint(written) == fingerprint)
        #expect(Fingerprint(written.uppercased()) == fingerprint)
        #expect(Fingerprint(written.replacingOccurrences(of: ":", with: "")) == fingerprint)
        #expect(Fingerprint(written.replacingOccurrences(of: ":", with: " ")) == fingerprint)
        #expect(Fingerprint(written.replacingOccurrences(of: ":", with: "-")) == fingerprint)
        // Too short, too long, not hex, or hex look-alikes from other scripts.
        #expect(Fingerprint(String(written.dropLast())) == nil)
        #expect(Fingerprint(written + "0") == nil)
        #expect(Fingerprint(written.replacingOccurrences(of: ":", with: "/")) == nil)
        #expect(Fingerprint(String(repeating: "g", count: 32)) == nil)
        #expect(Fingerprint(String(repeating: "\u{FF10}", count: 32)) == nil)  // fullwidth digit zero
        #expect(Fingerprint("") == nil)
        // JSON: the written form.
        let json = try JSONEncoder().encode([fingerprint])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(written)\"]")
        #expect(try JSONDecoder().decode([Fingerprint].self, from: json) == [fingerprint])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Fingerprint].self, from: Data("[\"nope\"]".utf8)) }
        // And it is what info, verify and open use.
        #expect(try journal.info().fingerprint == fingerprint)
        #expect(Journal.verify(at: journal.path).fingerprint == fingerprint)
        #expect(try Journal.open(at: journal.path, passphrase: testPassphrase(), mode: .readOnly,
                                 expectedFingerprint: Fingerprint(written.uppercased())).fingerprint == fingerprint)
    }

    @Test func recordKindIsTypedAndEncodesAsItsName() throws {
        let kind: RecordKind = "com.example.sleep-log"
        #expect(kind.rawValue == "com.example.sleep-log" && kind.description == kind.rawValue && !kind.isBuiltIn)
        #expect(RecordKind.checkIn.isBuiltIn && RecordKind.bookkeeping.contains(.witness))
        let json = try JSONEncoder().encode(RecordFilterProbe(kinds: [.checkIn, kind]))
        #expect(String(decoding: json, as: UTF8.self) == #"{"kinds":["checkIn","com.example.sleep-log"]}"#)
        // Filters select by kind; the records say which kind they are.
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        try journal.append(JournalEntry(text: "a"))
        try journal.append(CheckIn(day: try LocalDate("2026-11-27"), mood: 5, craving: 1, use: .sober))
        let checkIns = try readAll(journal, RecordFilter(kinds: [.checkIn]))
        #expect(checkIns.map(\.kind) == [.checkIn])
        var notEntries = RecordFilter.all
        notEntries.excludingKinds = [.entry]
        #expect(try readAll(journal, notEntries).map(\.kind) == [.checkIn])
    }

    @Test func journalIDIsTyped() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let id = journal.id
        #expect(id.description.count == 32 && id.description == id.description.lowercased())
        #expect(JournalID(id.description.uppercased()) == id)
        #expect(JournalID(String(id.description.dropLast())) == nil)
        #expect(JournalID("g" + id.description.dropFirst()) == nil)
        #expect(try journal.info().journalID == id)
        // The checkpoint names it, and so does an audit report.
        #expect(journal.latestCheckpoint.origin.hasSuffix(id.description))
        let report = AuditVerifier.verify(try journal.auditBundle().encoded())
        #expect(report.journalID == id)
        let json = try JSONEncoder().encode([id])
        #expect(try JSONDecoder().decode([JournalID].self, from: json) == [id])
    }

    private struct RecordFilterProbe: Codable { var kinds: [RecordKind] }
}

@Suite("Dates in app-defined record kinds")
struct AppKindDateTests {
    struct Appointment: JournalRecordContent, Equatable {
        static let recordKind: RecordKind = "com.example.appointment"
        var at: Date
        var with: String
    }

    @Test func datesAreISO8601WithMillisecondsAndReadBack() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let at = Date(timeIntervalSince1970: 1_796_830_200.125)  // 2026-12-09T15:30:00.125Z
        try journal.append(Appointment(at: at, with: "Dr. Lee"))
        let record = try journal.record(at: 0)
        #expect(String(decoding: record.payload, as: UTF8.self) == #"{"at":"2026-12-09T15:30:00.125Z","with":"Dr. Lee"}"#)
        #expect(try record.decode(Appointment.self) == Appointment(at: at, with: "Dr. Lee"))
        // The NDJSON export shows the same text.
        var lines = ""
        try OwnerExport.write(journal, format: .ndjson) { lines += $0 }
        #expect(lines.contains(#""at":"2026-12-09T15:30:00.125Z""#))
        // What comes next after a refused date: nothing was written, the journal takes the next record.
        #expect(throws: JournalError.self) { try journal.append(Appointment(at: Date(timeIntervalSince1970: 1e15), with: "x")) }
        #expect(throws: JournalError.self) { try journal.append(Appointment(at: Date(timeIntervalSince1970: .infinity), with: "x")) }
        #expect(journal.recordCount == 1)
        try journal.append(Appointment(at: at, with: "group"))
        #expect(journal.recordCount == 2)
    }

    /// Records written before the rule (Foundation's default: seconds since 2001) stay readable,
    /// as do ISO texts with an offset or without milliseconds; malformed text is refused.
    @Test func olderAndOtherFormsDecode() throws {
        func decode(_ json: String) throws -> Appointment { try RecordCoding.decoder.decode(Appointment.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"at":786989400.5,"with":"a"}"#).at == Date(timeIntervalSinceReferenceDate: 786_989_400.5))
        #expect(try decode(#"{"at":"2026-12-09T16:30:00+01:00","with":"a"}"#).at == Date(timeIntervalSince1970: 1_796_830_200))
        #expect(try decode(#"{"at":"2026-12-09T15:30:00Z","with":"a"}"#).at == Date(timeIntervalSince1970: 1_796_830_200))
        #expect(throws: DecodingError.self) { try decode(#"{"at":"9 December","with":"a"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"at":"2026-02-30T00:00:00Z","with":"a"}"#) }
    }
}
