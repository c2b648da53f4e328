import Foundation

/// A per-day compliance report for a date range, built so that it cannot mislead:
///
/// - every check-in of a day is listed; the summary counts one per day, the last one recorded
///   for that day (a later check-in for the same day is the writer's latest account of it), and
///   says so for each check-in (``CheckInRow/reason``); a check-in written before its day came
///   is listed but never counted;
/// - days after the report's "today" are `future` and never counted as missed; today without a
///   check-in is `pending`, not missed;
/// - each check-in says when it was recorded, with its UTC offset, and how many days after (or
///   before) its day that was;
/// - the report names the journal fingerprint and the checkpoint (tree size and root) it was
///   made from, and when it was made, with the time zone.
///
/// Built in one streaming pass; memory grows with the number of days and check-ins in range.
public struct ComplianceReport: Sendable {
    /// Output formats of this module (the HTML page lives in `SealedJournalHTML`).
    public enum Format: String, Sendable, CaseIterable {
        /// Comma-separated values (RFC 4180): a header, one row per check-in and per day without
        /// one, then summary and provenance rows. Every row ends in CRLF (`\r\n`). Cannot carry a notice.
        case csv
        /// One JSON document: the notice, the summary, provenance and the days.
        case json
        /// A Markdown document for people: the notice as a quote, a summary and a per-day table.
        case markdown
    }

    /// What a day amounts to.
    public enum DayStatus: String, Sendable, CaseIterable {
        /// A check-in for the day is counted.
        case checkedIn = "checked-in"
        /// A past day with no countable check-in (none, or only ones written before the day).
        case missed
        /// Today, no check-in yet: not missed (the day is not over).
        case pending
        /// After the report's today: never counted, whatever was recorded for it.
        case future
    }

    /// Why a check-in is or is not the one the summary counts for its day.
    public enum CountReason: String, Sendable, CaseIterable {
        /// Counted: the last check-in recorded for its day.
        case lastRecordedForDay = "last-recorded-for-day"
        /// Not counted: a later check-in for the same day replaces it in the summary.
        case supersededByLaterCheckIn = "superseded-by-later-check-in"
        /// Not counted: its day is after the report's today.
        case dayIsInTheFuture = "day-is-in-the-future"
        /// Not counted: it was written before its day came (in the writer's own offset), so it
        /// cannot report on that day.
        case recordedBeforeItsDay = "recorded-before-its-day"

        /// The reason in words.
        public var explanation: String {
            switch self {
            case .lastRecordedForDay: return "counted: the last check-in recorded for this day"
            case .supersededByLaterCheckIn: return "not counted: a later check-in for the same day replaces it"
            case .dayIsInTheFuture: return "not counted: the day is after the report date"
            case .recordedBeforeItsDay: return "not counted: written before its day came"
            }
        }
    }

    /// One check-in as the report shows it.
    public struct CheckInRow: Sendable {
        /// The record's sequence number in the journal.
        public let sequence: UInt64
        /// When it was written (UTC instant; shown in the writer's offset).
        public let recordedAt: Date
        /// The check-in itself.
        public let checkIn: CheckIn
        /// Whole days between the check-in's day and the local day it was recorded on (in the
        /// writer's offset): 0 on the day, 2 for "recorded 2 days later", -3 for "3 days ahead".
        public let recordedDaysAfterDay: Int
        /// Whether the summary counts this check-in for its day.
        public let counted: Bool
        /// Why it is or is not counted.
        public let reason: CountReason
        /// The amendment that corrected this check-in (its values are the corrected ones), if any.
        public var correctedBy: UInt64? = nil
        /// Why it was corrected, as the amendment says.
        public var correctionReason: String? = nil

        /// What a witness proves about this check-in, when the report was made with witness keys
        /// (`nil` otherwise): the earliest witness time, or "not witnessed", or "written late".
        public var witness: WitnessStatus? = nil

        /// "witnessed by 2026-11-03 08:14 +01:00", "not witnessed", "WRITTEN LATE? witnessed ...", or `nil`.
        public func witnessNote(timeZone: TimeZone) -> String? {
            switch witness {
            case nil: return nil
            case .notWitnessed?: return "not witnessed"
            case let .witnessed(date)?: return "witnessed by " + JournalRecord.describeLocalTime(date, timeZone: timeZone)
            case let .writtenLate(date)?: return "possibly written late: first witnessed " + JournalRecord.describeLocalTime(date, timeZone: timeZone)
            }
        }

        /// The witness status for machines: "" (no witness keys given), "not-witnessed",
        /// "witnessed:<ISO 8601 UTC>" or "written-late:<ISO 8601 UTC>".
        public var witnessMachineValue: String {
            func iso(_ date: Date) -> String { CivilTime.iso8601(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded())) }
            switch witness {
            case nil: return ""
            case .notWitnessed?: return "not-witnessed"
            case let .witnessed(date)?: return "witnessed:" + iso(date)
            case let .writtenLate(date)?: return "written-late:" + iso(date)
            }
        }

        /// "corrected by #12: wrong day's mood", or `nil`.
        public var correctionNote: String? {
            correctedBy.map { "corrected by #\($0)" + (correctionReason.map { ": \($0)" } ?? "") }
        }

        /// "recorded 2 days later", "recorded 3 days ahead of its day", or `nil` on the day.
        public var timingNote: String? {
            switch recordedDaysAfterDay {
            case 0: return nil
            case 1: return "recorded 1 day later"
            case 2...: return "recorded \(recordedDaysAfterDay) days later"
            case -1: return "recorded 1 day ahead of its day"
            default: return "recorded \(-recordedDaysAfterDay) days ahead of its day"
            }
        }

        /// `recordedAt` as `2026-11-27 08:14 +01:00`, in the writer's offset.
        public var recordedAtReadable: String { ReportTime.readable(recordedAt, offsetSeconds: checkIn.timeZoneOffsetSeconds) }
        /// `recordedAt` as `2026-11-27T08:14:05+01:00`, in the writer's offset.
        public var recordedAtISO8601: String { ReportTime.iso8601(recordedAt, offsetSeconds: checkIn.timeZoneOffsetSeconds) }
    }

    /// One local day.
    public struct Day: Sendable {
        /// The local day.
        public let day: LocalDate
        /// What the day amounts to.
        public let status: DayStatus
        /// Every check-in for the day, in the order recorded.
        public internal(set) var checkIns: [CheckInRow]

        /// The check-in the summary counts, if any.
        public var counted: CheckInRow? { checkIns.last(where: \.counted) }
        /// The counted check-in's content, if any.
        public var checkIn: CheckIn? { counted?.checkIn }
        /// How many check-ins were recorded for the day.
        public var checkInCount: Int { checkIns.count }
        /// `true` when the day's check-ins do not all report the same use status.
        public var checkInsDisagreeOnUse: Bool { Set(checkIns.map(\.checkIn.use)).count > 1 }
    }

    /// Totals over the range. Only days up to the report's today count.
    public struct Summary: Sendable, Equatable {
        /// Days in the range.
        public let days: Int
        /// Days in the range up to and including today.
        public let daysElapsed: Int
        /// Days up to today with a counted check-in.
        public let daysCheckedIn: Int
        /// Past days without a check-in.
        public let daysMissed: Int
        /// Today, if in range and not checked in yet (0 or 1).
        public let daysPending: Int
        /// Days after today (never counted).
        public let daysInFuture: Int
        /// Counted days reported sober.
        public let soberDays: Int
        /// Counted days reported as a hard day, no use.
        public let hardDays: Int
        /// Counted days reported with use.
        public let usedDays: Int
        /// Meetings attended, over counted check-ins.
        public let meetings: Int
        /// Counted days on which the writer reached out to support.
        public let daysReachedOut: Int
        /// Average mood of counted check-ins; `nil` without any.
        public let averageMood: Double?
        /// Average craving of counted check-ins; `nil` without any.
        public let averageCraving: Double?
        /// Counted check-ins recorded at least one day after their day.
        public let lateCheckIns: Int
        /// Check-ins (counted or not) recorded before their day came.
        public let checkInsRecordedAhead: Int
        /// Days with more than one check-in.
        public let daysWithSeveralCheckIns: Int
        /// Check-ins in range that the summary does not count (superseded or future).
        public let checkInsNotCounted: Int
        /// Longest run of consecutive checked-in days without use (sober or hard day).
        public let longestStreak: Int
        /// The run of checked-in days without use ending today (or yesterday while today is pending).
        public let currentStreak: Int
    }

    /// First day of the period.
    public let from: LocalDate
    /// Last day of the period (inclusive).
    public let to: LocalDate
    /// Every day of the period, in order.
    public internal(set) var days: [Day]
    /// Whether check-ins carry a witness status (the report was made with witness keys).
    public internal(set) var witnessed = false

    /// Sets every check-in's witness status.
    mutating func markWitnessed(_ status: (UInt64, LocalDate) -> WitnessStatus) {
        for dayIndex in days.indices {
            for rowIndex in days[dayIndex].checkIns.indices {
                let row = days[dayIndex].checkIns[rowIndex]
                days[dayIndex].checkIns[rowIndex].witness = status(row.sequence, row.checkIn.day)
            }
        }
        witnessed = true
    }
    /// The report's today (in ``timeZone``): later days are future.
    public let today: LocalDate
    /// When the report was made.
    public let generatedAt: Date
    /// The time zone of "today" and of ``generatedAt`` as shown.
    public let timeZone: TimeZone
    /// The journal's fingerprint (see ``Journal/fingerprint``).
    public let fingerprint: Fingerprint
    /// The journal id, hex.
    public let journalID: JournalID
    /// The checkpoint the report was made from: it covers every record the report read.
    public let checkpoint: Checkpoint

    /// Longest range accepted (about 30 years).
    public static let maximumDays = 11_000

    /// The rule the summary follows, in words (shown in the readable formats).
    public static let countingRule = "Each day counts once: when a day has several check-ins, the last one recorded for it is counted and the others are listed. A check-in written before its day came is listed but never counted. Days after the report date are never counted; today without a check-in is pending, not missed. Runs count consecutive checked-in days without use (sober or hard day)."

    /// Builds the report from the journal's check-ins whose local `day` is in `from...to`.
    ///
    /// - Parameters:
    ///   - journal: the journal to read (read-only use; nothing is written).
    ///   - from: the first local day of the report.
    ///   - to: the last local day of the report (inclusive; at most ``maximumDays`` after `from`).
    ///   - now: the report's time; its day in `timeZone` is "today".
    ///   - timeZone: the reader's time zone, for "today" and for showing ``generatedAt``.
    ///   - witnesses: witness keys whose stored cosignatures mark each check-in "witnessed by",
    ///     "not witnessed" or "possibly written late" (none: no witness column).
    /// - Throws: ``JournalError/invalidField(field:reason:)`` for a backwards or too long range;
    ///   read errors of ``Journal/cursor(_:)``.
    public static func build(_ journal: Journal, from: LocalDate, to: LocalDate, now: Date = Date(),
                             timeZone: TimeZone = .current, witnesses: [WitnessPublicKey] = []) throws(JournalError) -> ComplianceReport {
        guard from <= to else { throw JournalError.invalidField(field: "to", reason: "is before from") }
        guard from.days(to: to) < maximumDays else {
            throw JournalError.invalidField(field: "from", reason: "the range is longer than \(maximumDays) days")
        }
        let checkpoint = journal.latestCheckpoint
        var found: [(UInt64, Date, CheckIn)] = []
        var corrections: [UInt64: (UInt64, Amendment)] = [:]
        var cursor = try journal.cursor(RecordFilter(kinds: [RecordKind.checkIn, RecordKind.amendment]))
        while let record = try cursor.next() {
            guard record.sequence < checkpoint.treeSize else { continue }
            if record.kind == RecordKind.amendment {
                let amendment = try record.decode(Amendment.self)
                if amendment.checkIn != nil { corrections[amendment.amends] = (record.sequence, amendment) }
                continue
            }
            let checkIn = try record.decode(CheckIn.self)
            guard checkIn.day >= from, checkIn.day <= to else { continue }
            found.append((record.sequence, record.recordedAt, checkIn))
        }
        var report = assemble(found, from: from, to: to, now: now, timeZone: timeZone, journal: journal, checkpoint: checkpoint,
                              corrections: corrections)
        if !witnesses.isEmpty {
            let timeline = try journal.witnessTimeline(witnesses: witnesses)
            if let problem = timeline.problems.first { throw JournalError.damaged(offset: 0, reason: "stored cosignatures: \(problem)") }
            report.markWitnessed { sequence, day in WitnessStatus.of(day: day, witnessedBy: timeline.witnessedBy(sequence: sequence)) }
        }
        return report
    }

    /// Builds the report over the check-ins matching `filter` (other kinds are skipped), spanning
    /// the days from the first to the last of them (today alone when none match). Used for
    /// check-in exports rendered as a report.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` when they span more than ``maximumDays``.
    public static func build(_ journal: Journal, matching filter: RecordFilter, now: Date = Date(),
                             timeZone: TimeZone = .current) throws(JournalError) -> ComplianceReport {
        var filter = filter
        filter.kinds = [RecordKind.checkIn]
        let checkpoint = journal.latestCheckpoint
        var found: [(UInt64, Date, CheckIn)] = []
        var cursor = try journal.cursor(filter)
        while let record = try cursor.next() {
            guard record.sequence < checkpoint.treeSize else { continue }
            found.append((record.sequence, record.recordedAt, try record.decode(CheckIn.self)))
        }
        let today = LocalDate(date: now, offsetSeconds: timeZone.secondsFromGMT(for: now))
        let from = found.map(\.2.day).min() ?? today
        let to = found.map(\.2.day).max() ?? today
        guard from.days(to: to) < maximumDays else {
            throw JournalError.invalidField(field: "from", reason: "the check-ins span more than \(maximumDays) days")
        }
        return assemble(found, from: from, to: to, now: now, timeZone: timeZone, journal: journal, checkpoint: checkpoint)
    }

    private static func assemble(_ found: [(UInt64, Date, CheckIn)], from: LocalDate, to: LocalDate, now: Date,
                                 timeZone: TimeZone, journal: Journal, checkpoint: Checkpoint,
                                 corrections: [UInt64: (UInt64, Amendment)] = [:]) -> ComplianceReport {
        // A corrected check-in counts with its corrected values (same day), and says so.
        let found = found.map { item -> (UInt64, Date, CheckIn) in
            guard let corrected = corrections[item.0]?.1.checkIn, corrected.day == item.2.day else { return item }
            return (item.0, item.1, corrected)
        }
        let today = LocalDate(date: now, offsetSeconds: timeZone.secondsFromGMT(for: now))
        var byDay: [LocalDate: [(UInt64, Date, CheckIn)]] = [:]
        for item in found.sorted(by: { $0.0 < $1.0 }) { byDay[item.2.day, default: []].append(item) }
        var days: [Day] = []
        days.reserveCapacity(from.days(to: to) + 1)
        var day = from
        while true {
            let items = byDay[day] ?? []
            let isFuture = day > today
            let lateness = items.map { day.days(to: LocalDate(date: $0.1, offsetSeconds: $0.2.timeZoneOffsetSeconds)) }
            let countable = items.indices.last { lateness[$0] >= 0 }
            let rows = items.enumerated().map { index, item in
                let reason: CountReason = isFuture ? .dayIsInTheFuture : lateness[index] < 0 ? .recordedBeforeItsDay
                    : index == countable ? .lastRecordedForDay : .supersededByLaterCheckIn
                var row = CheckInRow(sequence: item.0, recordedAt: item.1, checkIn: item.2, recordedDaysAfterDay: lateness[index],
                                     counted: reason == .lastRecordedForDay, reason: reason)
                if let (by, amendment) = corrections[item.0], amendment.checkIn?.day == item.2.day {
                    row.correctedBy = by
                    row.correctionReason = amendment.reason
                }
                return row
            }
            let status: DayStatus = isFuture ? .future : countable != nil ? .checkedIn : day == today ? .pending : .missed
            days.append(Day(day: day, status: status, checkIns: rows))
            if day == to { break }
            day = day.next
        }
        return ComplianceReport(from: from, to: to, days: days, today: today, generatedAt: now, timeZone: timeZone,
                                fingerprint: journal.fingerprint, journalID: journal.id, checkpoint: checkpoint)
    }

    /// The summary figures (see ``Summary``).
    public var summary: Summary {
        let counted = days.compactMap(\.checkIn)
        func count(_ status: CheckIn.UseStatus) -> Int { counted.filter { $0.use == status }.count }
        let rows = days.flatMap(\.checkIns)
        var longest = 0, run = 0
        for day in days where day.status != .future && day.status != .pending {
            if let c = day.checkIn, c.use != .used { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        var current = 0
        for day in days.reversed() where day.status != .future && day.status != .pending {
            guard let c = day.checkIn, c.use != .used else { break }
            current += 1
        }
        let elapsed = days.filter { $0.status != .future }.count
        return Summary(
            days: days.count, daysElapsed: elapsed, daysCheckedIn: counted.count,
            daysMissed: days.filter { $0.status == .missed }.count,
            daysPending: days.filter { $0.status == .pending }.count,
            daysInFuture: days.count - elapsed,
            soberDays: count(.sober), hardDays: count(.hardDay), usedDays: count(.used),
            meetings: counted.reduce(0) { $0 + $1.meetingsAttended },
            daysReachedOut: counted.filter(\.reachedOutToSupport).count,
            averageMood: counted.isEmpty ? nil : Double(counted.reduce(0) { $0 + $1.mood }) / Double(counted.count),
            averageCraving: counted.isEmpty ? nil : Double(counted.reduce(0) { $0 + $1.craving }) / Double(counted.count),
            lateCheckIns: rows.filter { $0.counted && $0.recordedDaysAfterDay > 0 }.count,
            checkInsRecordedAhead: rows.filter { $0.recordedDaysAfterDay < 0 }.count,
            daysWithSeveralCheckIns: days.filter { $0.checkIns.count > 1 }.count,
            checkInsNotCounted: rows.filter { !$0.counted }.count,
            longestStreak: longest, currentStreak: current)
    }

    /// `generatedAt` as `2026-11-27 08:14 +01:00` in ``timeZone``.
    public var generatedAtReadable: String { ReportTime.readable(generatedAt, offsetSeconds: timeZone.secondsFromGMT(for: generatedAt)) }
    /// `generatedAt` as ISO 8601 with the offset of ``timeZone``.
    public var generatedAtISO8601: String { ReportTime.iso8601(generatedAt, offsetSeconds: timeZone.secondsFromGMT(for: generatedAt)) }
    /// The checkpoint root hash, base64 as in the checkpoint text.
    public var checkpointRoot: String { Data(checkpoint.rootHash).base64EncodedString() }

    // MARK: - Machine and Markdown forms

    /// Stable machine column names of the CSV form (and keys of the JSON check-in objects).
    static let columns = ["day", "status", "checkIns", "sequence", "counted", "reason", "recordedAt", "recordedDaysAfterDay",
                                 "use", "craving", "mood", "sleepHours", "meetings", "meetingKinds", "medication", "reachedOutToSupport",
                                 "correctedBy", "witness"]
    /// Columns added when notes are included.
    static let noteColumns = ["triggers", "note"]

    /// The summary as (stable machine name, value) pairs; empty value for "none".
    public var summaryPairs: [(String, String)] {
        let s = summary
        return [
            ("days", "\(s.days)"), ("daysElapsed", "\(s.daysElapsed)"), ("daysCheckedIn", "\(s.daysCheckedIn)"),
            ("daysMissed", "\(s.daysMissed)"), ("daysPending", "\(s.daysPending)"), ("daysInFuture", "\(s.daysInFuture)"),
            ("soberDays", "\(s.soberDays)"), ("hardDays", "\(s.hardDays)"), ("usedDays", "\(s.usedDays)"),
            ("meetings", "\(s.meetings)"), ("daysReachedOut", "\(s.daysReachedOut)"),
            ("averageMood", s.averageMood.map { String(format: "%.1f", $0) } ?? ""),
            ("averageCraving", s.averageCraving.map { String(format: "%.1f", $0) } ?? ""),
            ("lateCheckIns", "\(s.lateCheckIns)"), ("checkInsRecordedAhead", "\(s.checkInsRecordedAhead)"),
            ("daysWithSeveralCheckIns", "\(s.daysWithSeveralCheckIns)"), ("checkInsNotCounted", "\(s.checkInsNotCounted)"),
            ("longestStreak", "\(s.longestStreak)"), ("currentStreak", "\(s.currentStreak)"),
        ]
    }

    /// Where the report came from, as (stable machine name, value) pairs.
    public var provenancePairs: [(String, String)] {
        [("journalFingerprint", fingerprint.description), ("journalID", journalID.description), ("checkpointTreeSize", "\(checkpoint.treeSize)"),
         ("checkpointRoot", checkpointRoot), ("generatedAt", generatedAtISO8601), ("today", today.description),
         ("from", from.description), ("to", to.description)]
    }

    /// Renders the report. With `includeNotes == false` no free text (triggers, notes) appears.
    /// This records no ``Disclosure``: to share the report, disclose ``rendering(_:includeNotes:)``
    /// with ``Journal/disclose(_:to:output:beforeRecording:)``.
    /// `notice` (e.g. a redisclosure notice) comes first where the format can carry it (JSON,
    /// Markdown); CSV refuses one.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` for a notice with CSV.
    public func render(_ format: Format, includeNotes: Bool, notice: String? = nil) throws(JournalError) -> String {
        switch format {
        case .csv:
            guard notice == nil else {
                throw .invalidField(field: "notice", reason: "CSV cannot carry a notice; use json, markdown or html")
            }
            return renderCSV(includeNotes: includeNotes)
        case .json: return renderJSON(includeNotes: includeNotes, notice: notice)
        case .markdown: return renderMarkdown(includeNotes: includeNotes, notice: notice)
        }
    }

    /// One machine row per check-in, and one for each day without a check-in.
    func machineRows(includeNotes: Bool) -> [[String]] {
        var rows: [[String]] = []
        let width = Self.columns.count + (includeNotes ? Self.noteColumns.count : 0)
        for day in days {
            if day.checkIns.isEmpty {
                rows.append([day.day.description, day.status.rawValue, "0"] + Array(repeating: "", count: width - 3))
                continue
            }
            for row in day.checkIns {
                let c = row.checkIn
                var values = [day.day.description, day.status.rawValue, "\(day.checkIns.count)", "\(row.sequence)",
                              row.counted ? "true" : "false", row.reason.rawValue, row.recordedAtISO8601, "\(row.recordedDaysAfterDay)",
                              c.use.rawValue, "\(c.craving)", "\(c.mood)", c.sleepHours.map { String($0) } ?? "",
                              "\(c.meetingsAttended)", c.meetingKinds.map(\.rawValue).joined(separator: ";"),
                              c.medication?.rawValue ?? "", c.reachedOutToSupport ? "true" : "false", row.correctedBy.map { "\($0)" } ?? "",
                              row.witnessMachineValue]
                if includeNotes { values += [c.triggers.joined(separator: ";"), c.note ?? ""] }
                rows.append(values)
            }
        }
        return rows
    }

    private func renderCSV(includeNotes: Bool) -> String {
        let header = Self.columns + (includeNotes ? Self.noteColumns : [])
        var out = CSV.row(header) + machineRows(includeNotes: includeNotes).map(CSV.row).joined()
        for (prefix, pairs) in [("summary:", summaryPairs), ("report:", provenancePairs + [("includesNotes", "\(includeNotes)")])] {
            for (name, value) in pairs {
                out += CSV.row([prefix + name, value] + Array(repeating: "", count: header.count - 2))
            }
        }
        return out
    }

    private func renderJSON(includeNotes: Bool, notice: String?) -> String {
        func string(_ text: String) -> String { OwnerExport.jsonString(text) }
        func number(_ value: Double?) -> String { value.map { String($0) } ?? "null" }
        let dayObjects = days.map { day -> String in
            let checkIns = day.checkIns.map { row -> String in
                let c = row.checkIn
                var fields = [
                    "\"sequence\":\(row.sequence)", "\"counted\":\(row.counted)", "\"reason\":" + string(row.reason.rawValue),
                    "\"recordedAt\":" + string(row.recordedAtISO8601), "\"recordedDaysAfterDay\":\(row.recordedDaysAfterDay)",
                    "\"correctedBy\":" + (row.correctedBy.map { "\($0)" } ?? "null"),
                    "\"witness\":" + (row.witness == nil ? "null" : string(row.witnessMachineValue)),
                    "\"use\":" + string(c.use.rawValue), "\"craving\":\(c.craving)", "\"mood\":\(c.mood)",
                    "\"sleepHours\":" + number(c.sleepHours), "\"meetings\":\(c.meetingsAttended)",
                    "\"meetingKinds\":[" + c.meetingKinds.map { string($0.rawValue) }.joined(separator: ",") + "]",
                    "\"medication\":" + (c.medication.map { string($0.rawValue) } ?? "null"),
                    "\"reachedOutToSupport\":\(c.reachedOutToSupport)",
                ]
                if includeNotes {
                    fields.append("\"triggers\":[" + c.triggers.map(string).joined(separator: ",") + "]")
                    fields.append("\"note\":" + (c.note.map(string) ?? "null"))
                }
                return "{" + fields.joined(separator: ",") + "}"
            }
            return "{\"day\":\"\(day.day)\",\"status\":\"\(day.status.rawValue)\",\"checkIns\":[" + checkIns.joined(separator: ",") + "]}"
        }
        let summaryObject = "{" + summaryPairs.map { name, value in string(name) + ":" + (value.isEmpty ? "null" : value) }
            .joined(separator: ",") + "}"
        var out = "{\"report\":\"compliance\",\"version\":2,"
        if let notice { out += "\"notice\":" + string(notice) + "," }
        out += provenancePairs.map { string($0) + ":" + ($0 == "checkpointTreeSize" ? $1 : string($1)) }.joined(separator: ",")
        out += ",\"timeZoneOffset\":" + string(ReportTime.offset(timeZone.secondsFromGMT(for: generatedAt)))
        out += ",\"includesNotes\":\(includeNotes),\"countingRule\":" + string(Self.countingRule) + ",\"days\":[\n"
        out += dayObjects.joined(separator: ",\n") + "\n],\"summary\":" + summaryObject + "}\n"
        return out
    }

    private func renderMarkdown(includeNotes: Bool, notice: String?) -> String {
        func cell(_ text: String) -> String { Self.markdownText(text) }
        var out = "# Compliance report, \(from) to \(to)\n\n"
        if let notice {
            out += notice.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + Self.markdownText(String($0)) }
                .joined(separator: "\n") + "\n\n"
        }
        out += "- Journal fingerprint: `\(fingerprint)`\n"
        out += "- Made from checkpoint: \(checkpoint.treeSize) records, root `\(checkpointRoot)`\n"
        out += "- Made at: \(generatedAtReadable) (report date \(today); later days are not counted)\n"
        out += "- Notes and triggers: \(includeNotes ? "included" : "left out")\n\n"
        out += "\(Self.countingRule)\n\n"
        var header = ["Day", "Status", "Check-in", "Counted", "Recorded at", "Use", "Craving", "Mood", "Sleep", "Meetings",
                      "Medication", "Reached out"]
        if includeNotes { header += ["Triggers", "Note"] }
        out += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: header.count) + "\n"
        for day in days {
            if day.checkIns.isEmpty {
                out += "| \(day.day) | \(Self.statusLabel(day.status)) |" + String(repeating: " |", count: header.count - 2) + "\n"
                continue
            }
            for row in day.checkIns {
                let c = row.checkIn
                let timing: String = row.timingNote.map { " (\($0))" } ?? ""
                let reason: String = includeNotes ? (row.correctionReason.map { ": " + $0 } ?? "") : ""
                let correction: String = row.correctedBy.map { " (corrected by #\($0)" + reason + ")" } ?? ""
                let witnessed: String = row.witnessNote(timeZone: timeZone).map { " (" + $0 + ")" } ?? ""
                let recorded: String = row.recordedAtReadable + timing + correction + witnessed
                var values = [day.day.description, Self.statusLabel(day.status), "#\(row.sequence)",
                              Self.countedLabel(row, of: day), recorded,
                              Self.useLabel(c.use), "\(c.craving)/10", "\(c.mood)/10", c.sleepHours.map { Self.hours($0) } ?? "–",
                              Self.meetingsLabel(c), c.medication.map(Self.medicationLabel) ?? "–", c.reachedOutToSupport ? "yes" : "no"]
                if includeNotes { values += [c.triggers.isEmpty ? "–" : c.triggers.joined(separator: "; "), c.note ?? "–"] }
                out += "| " + values.map(cell).joined(separator: " | ") + " |\n"
            }
        }
        out += "\n## Summary\n\n" + Self.summaryLabels(summary).map { "- \($0): \($1)" }.joined(separator: "\n") + "\n"
        if !includeNotes { out += "\n_Free text (triggers, notes) was left out of this report._\n" }
        return out
    }

    // MARK: - Readable labels (shared with the HTML page)

    /// "Checked in", "Missed", "Pending (today)", "Future (not counted)".
    @_spi(Rendering) public static func statusLabel(_ status: DayStatus) -> String {
        switch status {
        case .checkedIn: return "Checked in"
        case .missed: return "Missed"
        case .pending: return "Pending (today)"
        case .future: return "Future (not counted)"
        }
    }

    /// "yes", "yes (last recorded for the day)", "no (a later check-in for this day replaces it)", ...
    static func countedLabel(_ row: CheckInRow, of day: Day) -> String {
        switch row.reason {
        case .lastRecordedForDay: return day.checkIns.count > 1 ? "yes (last recorded for the day)" : "yes"
        case .supersededByLaterCheckIn: return "no (a later check-in for this day replaces it)"
        case .dayIsInTheFuture: return "no (day after the report date)"
        case .recordedBeforeItsDay: return "no (written before its day came)"
        }
    }

    /// "Sober", "Hard day, no use", "Used".
    @_spi(Rendering) public static func useLabel(_ use: CheckIn.UseStatus) -> String {
        switch use {
        case .sober: return "Sober"
        case .hardDay: return "Hard day, no use"
        case .used: return "Used"
        }
    }

    /// "Taken", "Missed", "None prescribed".
    @_spi(Rendering) public static func medicationLabel(_ medication: CheckIn.Medication) -> String {
        switch medication {
        case .taken: return "Taken"
        case .missed: return "Missed"
        case .none: return "None prescribed"
        }
    }

    /// "AA", "NA", "SMART Recovery", "Caduceus", "Therapy", "Peer group", "Other".
    @_spi(Rendering) public static func meetingKindLabel(_ kind: CheckIn.MeetingKind) -> String {
        switch kind {
        case .aa: return "AA"
        case .na: return "NA"
        case .smart: return "SMART Recovery"
        case .caduceus: return "Caduceus"
        case .therapy: return "Therapy"
        case .peer: return "Peer group"
        case .other: return "Other"
        }
    }

    /// "0", "2 (AA, Therapy)".
    @_spi(Rendering) public static func meetingsLabel(_ c: CheckIn) -> String {
        c.meetingsAttended == 0 || c.meetingKinds.isEmpty ? "\(c.meetingsAttended)"
            : "\(c.meetingsAttended) (" + c.meetingKinds.map(meetingKindLabel).joined(separator: ", ") + ")"
    }

    /// "7.5 h".
    @_spi(Rendering) public static func hours(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) h" : String(format: "%.1f h", value)
    }

    /// The summary with readable names, in display order.
    @_spi(Rendering) public static func summaryLabels(_ s: Summary) -> [(String, String)] {
        func average(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "–" }
        return [
            ("Days in period", "\(s.days)"), ("Days up to the report date", "\(s.daysElapsed)"),
            ("Days checked in", "\(s.daysCheckedIn)"), ("Days missed", "\(s.daysMissed)"),
            ("Today, not checked in yet", "\(s.daysPending)"), ("Days after the report date (not counted)", "\(s.daysInFuture)"),
            ("Sober days", "\(s.soberDays)"), ("Hard days, no use", "\(s.hardDays)"), ("Days with use", "\(s.usedDays)"),
            ("Meetings attended", "\(s.meetings)"), ("Days reached out to support", "\(s.daysReachedOut)"),
            ("Average mood (1–10)", average(s.averageMood)), ("Average craving (0–10)", average(s.averageCraving)),
            ("Counted check-ins recorded a day or more late", "\(s.lateCheckIns)"),
            ("Check-ins recorded ahead of their day", "\(s.checkInsRecordedAhead)"),
            ("Days with several check-ins", "\(s.daysWithSeveralCheckIns)"),
            ("Check-ins listed but not counted", "\(s.checkInsNotCounted)"),
            ("Longest run without use (days)", "\(s.longestStreak)"), ("Current run without use (days)", "\(s.currentStreak)"),
        ]
    }

    /// Journal text made safe for a text document: C0/C1 control characters and bidirectional
    /// overrides become visible placeholders (`␛`, `⟨U+202E⟩`), newlines become spaces.
    static func readableText(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x09: out += " "
            case 0x00..<0x20: out.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value) ?? "?")
            case 0x7F: out += "\u{2421}"
            case 0x80..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
                out += "⟨U+" + String(format: "%04X", scalar.value) + "⟩"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Journal text for a Markdown document: ``readableText(_:)``, then every character that
    /// Markdown or inline HTML would act on (`\ ` * _ [ ] < > | ~`) backslash-escaped, so a note
    /// can neither break the table nor become a link, an image or markup in a Markdown viewer.
    static func markdownText(_ text: String) -> String {
        var out = ""
        for character in readableText(text) {
            if "\\`*_[]<>|~".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// The report in `format` as something to disclose (``Journal/disclose(_:to:output:beforeRecording:)``),
    /// recorded with format `compliance-report-<format>`.
    public func rendering(_ format: Format, includeNotes: Bool) -> Rendering {
        Rendering(report: self, formatName: "compliance-report-" + format.rawValue, includeNotes: includeNotes) { report, notice in
            try report.render(format, includeNotes: includeNotes, notice: notice)
        }
    }

    /// A rendering of the report to disclose: the page or document `render` makes (other modules
    /// add their own, such as the HTML page), recorded under `formatName` with the report's scope
    /// (period, check-in count, checkpoint, notes or not). Its summary is the number of days.
    public struct Rendering: Disclosable {
        /// The report rendered.
        public let report: ComplianceReport
        /// The format name recorded in the disclosure.
        public let formatName: String
        /// Whether triggers and notes are included (recorded in the scope).
        public let includeNotes: Bool
        let render: (ComplianceReport, String?) throws -> String

        /// A rendering of `report` made by `render` (given the report and the request's notice).
        public init(report: ComplianceReport, formatName: String, includeNotes: Bool,
                    render: @escaping (ComplianceReport, String?) throws -> String) {
            self.report = report
            self.formatName = formatName
            self.includeNotes = includeNotes
            self.render = render
        }

        /// ``formatName``.
        public var disclosureFormat: String { formatName }

        /// Renders the report (the notice first) and describes its scope.
        /// - Throws: ``JournalError/invalidField(field:reason:)`` when the report was built from
        ///   another journal than the one disclosing it (its disclosure would be recorded in the
        ///   wrong journal); nothing is produced then.
        public func produce(from journal: Journal, notice: String?, into sink: (String) throws -> Void) throws -> DisclosureProduct<Int> {
            guard report.journalID == journal.id else {
                throw JournalError.invalidField(field: "report", reason: "was built from another journal; disclose it from that journal")
            }
            try sink(try render(report, notice))
            let checkIns = report.days.reduce(0) { $0 + $1.checkIns.count }
            let scope = "check-ins \(report.from) to \(report.to); \(checkIns) check-in(s); checkpoint \(report.checkpoint.treeSize); "
                + (includeNotes ? "with notes" : "no notes") + (notice != nil ? "; with notice" : "")
            return DisclosureProduct(summary: report.days.count, scope: scope)
        }
    }
}
