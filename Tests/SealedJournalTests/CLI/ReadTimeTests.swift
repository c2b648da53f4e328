import Foundation
import Testing
@testable import SealedJournal

/// `read` prints each record's time as its writer's local time with the writer's UTC offset
/// (issue: every time with its zone); it must equal what Calendar gives in that zone (from
/// 1582-10-15 on; before it Foundation's Gregorian calendar is Julian, and ours stays proleptic
/// Gregorian, as FORMAT.md 4.3 says, checked against the library's own civil-time code).
@Suite("CLI read shows the writer's local time and offset, exactly as Calendar computes them (proleptic Gregorian before 1582)")
struct ReadTimeTests {
    @Test("times across zones, DST changes, leap days and years 0001-9999", arguments: ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
    func localTimes(zone: String) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path, passphrase: CLI.passphrase).journal
        let writerZone = try #require(TimeZone(identifier: zone))
        let instants: [Double] = [0, -1, 951_825_600, 1_709_164_800, 1_710_054_000, 1_710_054_000 + 3599, 1_730_613_600, -62_135_596_800 + 86_400, 253_402_300_799 - 86_400, 1_767_225_599.999]
        try journal.appendBatch(instants.map { PendingRecord(JournalEntry(text: "t"), recordedAt: Date(timeIntervalSince1970: $0), timeZone: writerZone) })
        // Read in another zone: the writer's time and offset are shown, not the reader's.
        let result = try CLI.run(["read", path], environment: ["TZ": zone == "UTC" ? "Asia/Tokyo" : "UTC"])
        #expect(result.status == 0, "\(result.stderr)")
        let shown = result.stdout.split(separator: "\n").filter { $0.hasPrefix("#") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = writerZone
        #expect(shown.count == instants.count)
        for (fields, instant) in zip(shown, instants) {
            let date = Date(timeIntervalSince1970: instant)
            let offset = Int32(clamping: writerZone.secondsFromGMT(for: date))
            let expected: String
            if instant >= -12_219_292_800 {
                let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
                expected = String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
                    + " " + CivilTime.offsetText(offset)
            } else {
                expected = CivilTime.localText(milliseconds: Int64(instant * 1000), offsetSeconds: offset)
            }
            #expect(fields.count > 3 && "\(fields[1]) \(fields[2]) \(fields[3])" == expected, "\(instant) in \(zone): \(fields)")
        }
    }
}

/// `read` splits entry text into indented lines; CR LF stays one line end as with Character splitting.
@Suite("CLI read splits entry text exactly as Character splitting does")
struct ReadLinesTests {
    @Test("LF, CR LF, lone CR, empty lines, combining marks after LF, emoji")
    func lines() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path, passphrase: CLI.passphrase).journal
        let text = "first\nsecond\r\nthird\rsame\n\n\u{301}accent 🌱\nlast"
        try journal.append(JournalEntry(text: text))
        let result = try CLI.run(["read", path])
        #expect(result.status == 0)
        // What reaches the terminal is escaped (a lone CR is shown as \r), then split.
        let expected = TerminalText.escape(text, keepingLineBreaks: true).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n")
        #expect(result.stdout.contains(expected), "\(result.stdout.debugDescription)")
    }
}
