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

    private struct RecordFilterProbe: Codable { var kinds: [RecordKind] }
}
