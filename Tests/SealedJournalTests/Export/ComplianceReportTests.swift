import Foundation
import Testing
@testable import SealedJournal
import SealedJournalHTML

/// A report over 2026-11-01...08 made on 2026-11-06 at 10:00 +01:00, from check-ins written at
/// +01:00: one on time, a day checked in twice, a missed day, one written two days late, a
/// day with only a check-in written two days ahead of it, today without a check-in, a future day
/// checked in ahead, and an empty future day.
struct ReportFixture {
    static let offset = 3600
    static let zone = TimeZone(secondsFromGMT: offset)!
    static let now = local(2026, 11, 6, 10, 0)

    /// A UTC instant for a wall-clock time at +01:00.
    static func local(_ y: Int, _ m: Int, _ d: Int, _ hour: Int, _ minute: Int) -> Date {
        let day = try! LocalDate(year: y, month: m, day: d)
        return Date(timeIntervalSince1970: Double(day.daysSince1970 * 86_400 + hour * 3600 + minute * 60 - offset))
    }

    static func checkIn(_ day: String, mood: Int, craving: Int, use: CheckIn.UseStatus, meetings: [CheckIn.MeetingKind] = [],
                        support: Bool = false, triggers: [String] = [], note: String? = nil) throws -> CheckIn {
        CheckIn(day: try LocalDate(day), timeZoneOffsetSeconds: offset, mood: mood, craving: craving, use: use, sleepHours: 7,
                meetingsAttended: meetings.count, meetingKinds: meetings, medication: .taken, triggers: triggers,
                reachedOutToSupport: support, note: note)
    }

    let directory: TemporaryDirectory
    let journal: Journal

    init() throws {
        directory = try TemporaryDirectory()
        journal = try makeJournal(at: directory.file("report.sjournal")).journal
        try journal.append(try Self.checkIn("2026-10-31", mood: 2, craving: 9, use: .used), at: Self.local(2026, 10, 31, 21, 0))
        try journal.append(try Self.checkIn("2026-11-01", mood: 6, craving: 3, use: .sober, meetings: [.aa]), at: Self.local(2026, 11, 1, 21, 0))
        try journal.append(try Self.checkIn("2026-11-02", mood: 4, craving: 6, use: .hardDay, meetings: [.na], support: true),
                           at: Self.local(2026, 11, 2, 9, 0))
        try journal.append(try Self.checkIn("2026-11-02", mood: 7, craving: 2, use: .sober), at: Self.local(2026, 11, 2, 22, 0))
        try journal.append(try Self.checkIn("2026-11-07", mood: 9, craving: 0, use: .sober), at: Self.local(2026, 11, 5, 8, 0))
        try journal.append(try Self.checkIn("2026-11-04", mood: 3, craving: 8, use: .used, triggers: ["PRIVATE-TRIGGER"],
                                            note: "PRIVATE-NOTE"), at: Self.local(2026, 11, 6, 8, 14))
        try journal.append(try Self.checkIn("2026-11-05", mood: 8, craving: 1, use: .sober), at: Self.local(2026, 11, 3, 9, 0))
    }

    func report() throws -> ComplianceReport {
        try ComplianceReport.build(journal, from: try LocalDate("2026-11-01"), to: try LocalDate("2026-11-08"),
                                   now: Self.now, timeZone: Self.zone)
    }
}

@Suite("Compliance report: duplicate, future, late and missing days, in every format")
struct ComplianceReportTests {
    @Test("days get the right status, every check-in is kept, and the summary counts only what it should")
    func model() throws {
        let fixture = try ReportFixture()
        let report = try fixture.report()
        #expect(report.today == (try LocalDate("2026-11-06")))
        #expect(report.days.map(\.status) == [.checkedIn, .checkedIn, .missed, .checkedIn, .missed, .pending, .future, .future])
        let twice = report.days[1]
        #expect(twice.checkIns.map(\.counted) == [false, true] && twice.checkIns.map(\.reason) == [.supersededByLaterCheckIn, .lastRecordedForDay])
        #expect(twice.checkIn?.mood == 7 && twice.checkInsDisagreeOnUse)
        #expect(twice.checkIns[0].checkIn.meetingsAttended == 1 && twice.checkIns[0].checkIn.reachedOutToSupport, "the first check-in is still there")
        let late = try #require(report.days[3].counted)
        #expect(late.recordedDaysAfterDay == 2 && late.timingNote == "recorded 2 days later")
        #expect(late.recordedAtReadable == "2026-11-06 08:14 +01:00" && late.recordedAtISO8601 == "2026-11-06T08:14:00+01:00")
        let ahead = try #require(report.days[6].checkIns.first)
        #expect(!ahead.counted && ahead.reason == .dayIsInTheFuture && ahead.recordedDaysAfterDay == -2)
        #expect(report.days[6].checkIn == nil, "a future day's check-in is never counted")
        let written = try #require(report.days[4].checkIns.first)
        #expect(!written.counted && written.reason == .recordedBeforeItsDay && written.recordedDaysAfterDay == -2)
        #expect(report.days[4].status == .missed && report.days[4].checkIn == nil, "a check-in written ahead does not make the day checked in")

        let s = report.summary
        let counts: [Int] = [s.days, s.daysElapsed, s.daysCheckedIn, s.daysMissed, s.daysPending, s.daysInFuture]
        #expect(counts == [8, 6, 3, 2, 1, 2])
        let uses: [Int] = [s.soberDays, s.hardDays, s.usedDays, s.meetings, s.daysReachedOut]
        #expect(uses == [2, 0, 1, 1, 0])
        let marks: [Int] = [s.lateCheckIns, s.checkInsRecordedAhead, s.daysWithSeveralCheckIns, s.checkInsNotCounted]
        #expect(marks == [1, 2, 1, 3])
        let streaks: [Int] = [s.longestStreak, s.currentStreak]
        #expect(streaks == [2, 0])
        let expectedMood: Double = 16.0 / 3
        #expect(s.averageMood == expectedMood)
        #expect(report.fingerprint == fixture.journal.fingerprint && report.checkpoint == fixture.journal.latestCheckpoint)
        #expect(report.generatedAtISO8601 == "2026-11-06T10:00:00+01:00")
    }

    @Test("CSV: one row per check-in and per empty day, stable machine names, provenance rows")
    func csv() throws {
        let fixture = try ReportFixture()
        let rows = try CSVReader.parse(try fixture.report().render(.csv, includeNotes: true))
        #expect(rows[0] == ComplianceReport.columns + ComplianceReport.noteColumns)
        #expect(rows[0].contains("reachedOutToSupport") && rows[0].contains("recordedDaysAfterDay"))
        let dayRows = rows.dropFirst().filter { !$0[0].contains(":") }
        #expect(dayRows.map { $0[0] } == ["2026-11-01", "2026-11-02", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05",
                                          "2026-11-06", "2026-11-07", "2026-11-08"])
        #expect(dayRows.map { $0[1] } == ["checked-in", "checked-in", "checked-in", "missed", "checked-in", "missed", "pending", "future", "future"])
        func column(_ name: String) -> Int { rows[0].firstIndex(of: name) ?? 0 }
        #expect(dayRows.map { $0[column("counted")] } == ["true", "false", "true", "", "true", "false", "", "false", ""])
        #expect(dayRows[5][column("reason")] == "recorded-before-its-day" && dayRows[5][column("checkIns")] == "1")
        #expect(dayRows[1][column("reason")] == "superseded-by-later-check-in")
        #expect(dayRows[7][column("reason")] == "day-is-in-the-future")
        #expect(dayRows[4][column("recordedAt")] == "2026-11-06T08:14:00+01:00" && dayRows[4][column("recordedDaysAfterDay")] == "2")
        #expect(dayRows[7][column("recordedDaysAfterDay")] == "-2")
        #expect(dayRows[1][column("meetingKinds")] == "na" && dayRows[1][column("reachedOutToSupport")] == "true")
        #expect(dayRows[4][column("note")] == "PRIVATE-NOTE")
        let extra = Dictionary(uniqueKeysWithValues: rows.filter { $0[0].contains(":") }.map { ($0[0], $0[1]) })
        #expect(extra["summary:daysMissed"] == "2" && extra["summary:daysInFuture"] == "2" && extra["summary:daysPending"] == "1")
        #expect(extra["summary:daysCheckedIn"] == "3" && extra["summary:lateCheckIns"] == "1")
        #expect(extra["report:journalFingerprint"] == fixture.journal.fingerprint.description)
        #expect(extra["report:checkpointTreeSize"] == "\(fixture.journal.latestCheckpoint.treeSize)")
        #expect(extra["report:checkpointRoot"] == Data(fixture.journal.latestCheckpoint.rootHash).base64EncodedString())
        #expect(extra["report:generatedAt"] == "2026-11-06T10:00:00+01:00")

        let noNotes = try fixture.report().render(.csv, includeNotes: false)
        #expect(!noNotes.contains("PRIVATE"))
        #expect(throws: JournalError.self) { try fixture.report().render(.csv, includeNotes: false, notice: "Do not redisclose.") }
    }

    @Test("JSON: typed values, every check-in of a day, provenance and the counting rule")
    func json() throws {
        let fixture = try ReportFixture()
        let text = try fixture.report().render(.json, includeNotes: false, notice: "Do not redisclose.")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["notice"] as? String == "Do not redisclose." && root["includesNotes"] as? Bool == false)
        #expect(root["journalFingerprint"] as? String == fixture.journal.fingerprint.description)
        #expect(root["checkpointTreeSize"] as? Int == Int(fixture.journal.latestCheckpoint.treeSize))
        #expect(root["generatedAt"] as? String == "2026-11-06T10:00:00+01:00" && root["timeZoneOffset"] as? String == "+01:00")
        #expect((root["countingRule"] as? String)?.contains("last one recorded") == true)
        let days = try #require(root["days"] as? [[String: Any]])
        #expect(days.map { $0["status"] as? String } == ["checked-in", "checked-in", "missed", "checked-in", "missed", "pending", "future", "future"])
        let twice = try #require(days[1]["checkIns"] as? [[String: Any]])
        #expect(twice.map { $0["counted"] as? Bool } == [false, true])
        #expect(twice[0]["meetings"] as? Int == 1 && twice[0]["reachedOutToSupport"] as? Bool == true)
        let late = try #require((days[3]["checkIns"] as? [[String: Any]])?.first)
        #expect(late["recordedDaysAfterDay"] as? Int == 2 && late["recordedAt"] as? String == "2026-11-06T08:14:00+01:00")
        #expect(late["note"] == nil && late["triggers"] == nil, "no free text without notes")
        let summary = try #require(root["summary"] as? [String: Any])
        #expect(summary["daysMissed"] as? Int == 2 && summary["daysInFuture"] as? Int == 2 && summary["checkInsNotCounted"] as? Int == 3)
        #expect(!text.contains("PRIVATE"))
    }

    @Test("Markdown: readable headings and values, marks for late, superseded and future check-ins, provenance")
    func markdown() throws {
        let fixture = try ReportFixture()
        let text = try fixture.report().render(.markdown, includeNotes: true, notice: "Do not redisclose.")
        #expect(text.contains("> Do not redisclose."))
        #expect(text.contains("Journal fingerprint: `\(fixture.journal.fingerprint)`"))
        #expect(text.contains("Made from checkpoint: \(fixture.journal.latestCheckpoint.treeSize) records, root `"))
        #expect(text.contains("Made at: 2026-11-06 10:00 +01:00"))
        #expect(text.contains("| Day | Status | Check-in | Counted | Recorded at | Use | Craving | Mood |"))
        #expect(text.contains("| 2026-11-03 | Missed |") && text.contains("| 2026-11-06 | Pending (today) |"))
        #expect(text.contains("| 2026-11-05 | Missed | #6 | no (written before its day came) | 2026-11-03 09:00 +01:00 (recorded 2 days ahead of its day) |"))
        #expect(text.contains("| 2026-11-08 | Future (not counted) |"))
        #expect(text.contains("no (a later check-in for this day replaces it)") && text.contains("yes (last recorded for the day)"))
        #expect(text.contains("2026-11-06 08:14 +01:00 (recorded 2 days later)"))
        #expect(text.contains("2026-11-05 08:00 +01:00 (recorded 2 days ahead of its day)") && text.contains("no (day after the report date)"))
        #expect(text.contains("- Days missed: 2") && text.contains("- Days after the report date (not counted): 2"))
        #expect(text.contains("| PRIVATE-TRIGGER | PRIVATE-NOTE |"), "notes included when asked")
        for machineName in ["reachedOutToSupport", "daysCheckedIn", "true", "false", "hard-day"] {
            #expect(!text.contains(machineName), "Markdown shows \(machineName)")
        }
    }

    @Test("HTML: the same rows and marks, and the provenance in the header")
    func html() throws {
        let fixture = try ReportFixture()
        let html = try fixture.report().renderHTML(includeNotes: false)
        #expect(html.contains(fixture.journal.fingerprint.description) && html.contains(Data(fixture.journal.latestCheckpoint.rootHash).base64EncodedString()))
        #expect(html.contains("2026-11-06 10:00 +01:00"))
        #expect(html.contains("recorded 2 days later") && html.contains("recorded 2 days ahead of its day"))
        #expect(html.contains("not counted: replaced by #3") && html.contains("not counted: future day"))
        #expect(html.contains("Pending (today)") && html.contains("Future (not counted)"))
        #expect(html.components(separatedBy: "<tr class=\"missed\">").count - 1 == 1)
        #expect(html.contains("<tr class=\"missed not-counted\">") && html.contains("not counted: written ahead"))
        #expect(!html.contains("PRIVATE"))
        #expect(try fixture.report().renderHTML(includeNotes: true).contains("PRIVATE-NOTE"))
    }

    @Test("a check-in for a future day is refused unless forced; nothing is written, and the journal goes on")
    func futureCheckInRefused() throws {
        let fixture = try ReportFixture()
        let journal = fixture.journal
        let before = journal.recordCount
        let tomorrow = try ReportFixture.checkIn("2026-11-07", mood: 5, craving: 5, use: .sober)
        #expect {
            try journal.appendCheckIn(tomorrow, at: ReportFixture.now)
        } throws: { error in
            guard case let JournalError.invalidField(field, reason) = error else { return false }
            return field == "day" && reason.contains("1 day after today")
        }
        #expect(journal.recordCount == before)
        // Late evening UTC is already tomorrow at +01:00: accepted then.
        try journal.appendCheckIn(tomorrow, at: ReportFixture.local(2026, 11, 7, 0, 30))
        var utcWriter = tomorrow
        utcWriter.timeZoneOffsetSeconds = 0
        #expect(throws: JournalError.self) { try journal.appendCheckIn(utcWriter, at: ReportFixture.local(2026, 11, 7, 0, 30)) }
        try journal.appendCheckIn(try ReportFixture.checkIn("2026-11-02", mood: 5, craving: 5, use: .sober), at: ReportFixture.now)
        try journal.appendCheckIn(try ReportFixture.checkIn("2026-12-25", mood: 5, craving: 5, use: .sober), at: ReportFixture.now,
                                  allowFutureDay: true)
        #expect(journal.recordCount == before + 3)
        #expect(Journal.verify(at: journal.path).isValid)
    }

    @Test("an empty range, a one-day range and a year build, and streaks run across months")
    func shapes() throws {
        let fixture = try ReportFixture()
        let empty = try ComplianceReport.build(fixture.journal, from: try LocalDate("2025-01-01"), to: try LocalDate("2025-01-31"),
                                               now: ReportFixture.now, timeZone: ReportFixture.zone)
        #expect(empty.summary.daysMissed == 31 && empty.summary.averageMood == nil && empty.summary.longestStreak == 0)
        let one = try ComplianceReport.build(fixture.journal, from: try LocalDate("2026-11-01"), to: try LocalDate("2026-11-01"),
                                             now: ReportFixture.now, timeZone: ReportFixture.zone)
        #expect(one.days.count == 1 && one.summary.currentStreak == 1)
        #expect(throws: JournalError.self) {
            try ComplianceReport.build(fixture.journal, from: try LocalDate("2026-11-02"), to: try LocalDate("2026-11-01"))
        }
        #expect(throws: JournalError.self) {
            try ComplianceReport.build(fixture.journal, from: try LocalDate("1990-01-01"), to: try LocalDate("2026-11-01"))
        }
    }

    @Test("day arithmetic agrees with the calendar over four centuries of edge days")
    func dayArithmetic() throws {
        var day = try LocalDate("1899-12-25")
        var number = day.daysSince1970
        for _ in 0..<(366 * 3) {
            #expect(LocalDate(daysSince1970: number) == day && day.daysSince1970 == number)
            day = day.next
            number += 1
        }
        for text in ["1600-02-29", "1970-01-01", "2000-02-29", "2024-12-31", "2100-03-01", "9999-12-31"] {
            let date = try LocalDate(text)
            #expect(LocalDate(daysSince1970: date.daysSince1970) == date)
            #expect(date.isoWeekday == Calendar(identifier: .iso8601).component(.weekday, from: date.start(in: TimeZone(secondsFromGMT: 0)!))
                .isoWeekdayFromGregorian)
        }
        #expect(try LocalDate("2026-11-27").isoWeekday == 5)
        #expect(ReportTime.readable(Date(timeIntervalSince1970: 0), offsetSeconds: -19_800) == "1969-12-31 18:30 -05:30")
    }

    @Test("Markdown: journal text cannot break the table or become a link, an image or HTML")
    func markdownEscaping() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j.sjournal")).journal
        let note = "a | b <script>x</script> [link](http://198.51.100.7) ![i](http://198.51.100.7/i.png) `code` \u{1B}[2J\nnext"
        try journal.append(try ReportFixture.checkIn("2026-11-02", mood: 5, craving: 5, use: .sober, triggers: ["**bold**"], note: note),
                           at: ReportFixture.now)
        let text = try ComplianceReport.build(journal, from: try LocalDate("2026-11-02"), to: try LocalDate("2026-11-02"),
                                              now: ReportFixture.now, timeZone: ReportFixture.zone).render(.markdown, includeNotes: true)
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| 2026-11-02 |") })
        #expect(row.components(separatedBy: " | ").count == 14, "the note's pipe does not add a column")
        #expect(row.contains("a \\| b \\<script\\>x\\</script\\> \\[link\\](http://198.51.100.7) !\\[i\\]"))
        #expect(row.contains("\\`code\\` ␛\\[2J next") && row.contains("\\*\\*bold\\*\\*"))
        #expect(!text.contains("\u{1B}"))
    }
}

private extension Int {
    /// Calendar's weekday (1 = Sunday) as ISO (1 = Monday).
    var isoWeekdayFromGregorian: Int { self == 1 ? 7 : self - 1 }
}
