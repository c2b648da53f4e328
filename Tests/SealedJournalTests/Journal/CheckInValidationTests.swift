import Foundation
import Testing
@testable import SealedJournal

@Suite("Check-in fields are validated before anything is written")
struct CheckInValidationTests {
    static let day = try! LocalDate("2026-11-27")

    static let invalid: [(String, CheckIn)] = [
        ("mood", CheckIn(day: day, mood: 0, craving: 0, use: .sober)),
        ("mood", CheckIn(day: day, mood: 11, craving: 0, use: .sober)),
        ("craving", CheckIn(day: day, mood: 5, craving: -1, use: .sober)),
        ("craving", CheckIn(day: day, mood: 5, craving: 11, use: .sober)),
        ("sleepHours", CheckIn(day: day, mood: 5, craving: 0, use: .sober, sleepHours: 24.5)),
        ("sleepHours", CheckIn(day: day, mood: 5, craving: 0, use: .sober, sleepHours: -1)),
        ("sleepHours", CheckIn(day: day, mood: 5, craving: 0, use: .sober, sleepHours: .nan)),
        ("meetingsAttended", CheckIn(day: day, mood: 5, craving: 0, use: .sober, meetingsAttended: -1)),
        ("meetingsAttended", CheckIn(day: day, mood: 5, craving: 0, use: .sober, meetingsAttended: 21)),
        ("triggers", CheckIn(day: day, mood: 5, craving: 0, use: .sober, triggers: ["  "])),
        ("triggers", CheckIn(day: day, mood: 5, craving: 0, use: .sober, triggers: [String(repeating: "x", count: 201)])),
        ("timeZoneOffsetSeconds", CheckIn(day: day, timeZoneOffsetSeconds: 19 * 3600, mood: 5, craving: 0, use: .sober)),
    ]

    @Test("out-of-range fields are refused with the field's name; nothing is written",
          arguments: 0..<invalid.count)
    func outOfRange(index: Int) throws {
        let (field, checkIn) = Self.invalid[index]
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let before = try fileBytes(dir.file("j"))
        do {
            try journal.append(checkIn)
            Issue.record("accepted an invalid \(field)")
        } catch let JournalError.invalidField(name, reason) {
            #expect(name == field)
            #expect(!reason.isEmpty)
        }
        #expect(try fileBytes(dir.file("j")) == before)
    }

    @Test("boundary values are accepted")
    func boundaries() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        try journal.append(CheckIn(day: Self.day, mood: 1, craving: 0, use: .sober, sleepHours: 0, meetingsAttended: 0))
        try journal.append(CheckIn(day: Self.day, mood: 10, craving: 10, use: .used, sleepHours: 24, meetingsAttended: 20))
        #expect(journal.recordCount == 2)
    }

    @Test("local dates parse strictly")
    func localDates() throws {
        #expect(try LocalDate("2024-02-29").description == "2024-02-29")
        for bad in ["2023-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-32", "abcd-ef-gh", "", "2026-00-10"] {
            #expect(throws: JournalError.self, "\(bad)") { try LocalDate(bad) }
        }
        #expect(try LocalDate("2026-12-31").next == (try LocalDate("2027-01-01")))
    }

    @Test("amendments must point at an existing record; custom kinds cannot take built-in names")
    func amendmentsAndKinds() throws {
        struct Impostor: JournalRecordContent { static let recordKind: RecordKind = "entry"; var x = 1 }
        struct Nameless: JournalRecordContent { static let recordKind: RecordKind = ""; var x = 1 }
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        #expect(throws: JournalError.invalidField(field: "amends", reason: "record 0 does not exist")) {
            try journal.append(Amendment(amends: 0, text: "x"))
        }
        try journal.append(JournalEntry(text: "x"))
        try journal.append(Amendment(amends: 0, text: "y"))
        #expect(throws: JournalError.self) { try journal.append(Impostor()) }
        #expect(throws: JournalError.self) { try journal.append(Nameless()) }
        #expect(journal.recordCount == 2)
    }

    @Test("a record over the size limit is refused")
    func tooLarge() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let huge = JournalEntry(text: String(repeating: "a", count: RecordPlaintext.maximumPayloadByteCount))
        #expect(throws: JournalError.self) { try journal.append(huge) }
        #expect(journal.recordCount == 0)
    }
}
