import Foundation

/// A per-day compliance report for a date range: one row per local day, days without a
/// check-in marked missed, and summary counts. Built in one streaming pass; memory grows with
/// the number of days, not records.
public struct ComplianceReport: Sendable {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable { case csv, json, markdown }

    /// One local day.
    public struct Day: Sendable {
        public let day: LocalDate
        /// The day's last check-in (by sequence), if any.
        public let checkIn: CheckIn?
        /// How many check-ins were recorded for the day.
        public let checkInCount: Int
    }

    /// Totals over the range.
    public struct Summary: Sendable, Equatable {
        public let days: Int
        public let daysCheckedIn: Int
        public let daysMissed: Int
        public let soberDays: Int
        public let hardDays: Int
        public let usedDays: Int
        public let meetings: Int
        public let daysReachedOut: Int
        public let averageMood: Double?
        public let averageCraving: Double?
    }

    public let from: LocalDate
    public let to: LocalDate
    public let days: [Day]

    /// Longest range accepted (about 30 years).
    public static let maximumDays = 11_000

    /// Builds the report from the journal's check-ins whose local `day` is in `from...to`.
    public static func build(_ journal: Journal, from: LocalDate, to: LocalDate) throws -> ComplianceReport {
        guard from <= to else { throw JournalError.invalidField(field: "to", reason: "is before from") }
        var byDay: [LocalDate: (CheckIn, Int)] = [:]
        try journal.forEachRecord(RecordFilter(kinds: [RecordKind.checkIn])) { record in
            let checkIn = try record.decode(CheckIn.self)
            guard checkIn.day >= from, checkIn.day <= to else { return }
            byDay[checkIn.day] = (checkIn, (byDay[checkIn.day]?.1 ?? 0) + 1)
        }
        var days: [Day] = []
        var day = from
        while true {
            days.append(Day(day: day, checkIn: byDay[day]?.0, checkInCount: byDay[day]?.1 ?? 0))
            guard days.count <= maximumDays else {
                throw JournalError.invalidField(field: "from", reason: "the range is longer than \(maximumDays) days")
            }
            if day == to { break }
            day = day.next
        }
        return ComplianceReport(from: from, to: to, days: days)
    }

    public var summary: Summary {
        let checked = days.compactMap(\.checkIn)
        func count(_ status: CheckIn.UseStatus) -> Int { checked.filter { $0.use == status }.count }
        return Summary(
            days: days.count, daysCheckedIn: checked.count, daysMissed: days.count - checked.count,
            soberDays: count(.sober), hardDays: count(.hardDay), usedDays: count(.used),
            meetings: checked.reduce(0) { $0 + $1.meetingsAttended },
            daysReachedOut: checked.filter(\.reachedOutToSupport).count,
            averageMood: checked.isEmpty ? nil : Double(checked.reduce(0) { $0 + $1.mood }) / Double(checked.count),
            averageCraving: checked.isEmpty ? nil : Double(checked.reduce(0) { $0 + $1.craving }) / Double(checked.count))
    }

    static let columns = ["day", "status", "use", "craving", "mood", "sleepHours", "meetings", "meetingKinds", "medication", "reachedOutToSupport"]
    static let noteColumns = ["triggers", "note"]

    /// Renders the report. With `includeNotes == false` no free text (triggers, notes) appears.
    public func render(_ format: Format, includeNotes: Bool) -> String {
        let header = Self.columns + (includeNotes ? Self.noteColumns : [])
        let rows = days.map { row($0, includeNotes: includeNotes) }
        let s = summary
        let summaryPairs: [(String, String)] = [
            ("days", "\(s.days)"), ("daysCheckedIn", "\(s.daysCheckedIn)"), ("daysMissed", "\(s.daysMissed)"),
            ("soberDays", "\(s.soberDays)"), ("hardDays", "\(s.hardDays)"), ("usedDays", "\(s.usedDays)"),
            ("meetings", "\(s.meetings)"), ("daysReachedOut", "\(s.daysReachedOut)"),
            ("averageMood", s.averageMood.map { String(format: "%.1f", $0) } ?? ""),
            ("averageCraving", s.averageCraving.map { String(format: "%.1f", $0) } ?? ""),
        ]
        switch format {
        case .csv:
            var out = CSV.row(header) + rows.map(CSV.row).joined()
            for (name, value) in summaryPairs {
                out += CSV.row(["summary:" + name, value] + Array(repeating: "", count: header.count - 2))
            }
            return out
        case .json:
            let dayObjects = rows.map { values in
                "{" + zip(header, values).map { OwnerExport.jsonString($0) + ":" + OwnerExport.jsonString($1) }.joined(separator: ",") + "}"
            }
            let summaryObject = "{" + summaryPairs.map { name, value in
                OwnerExport.jsonString(name) + ":" + (value.isEmpty ? "null" : value)
            }.joined(separator: ",") + "}"
            return "{\"report\":\"compliance\",\"from\":\"\(from)\",\"to\":\"\(to)\",\"includesNotes\":\(includeNotes),\"days\":[\n"
                + dayObjects.joined(separator: ",\n") + "\n],\"summary\":" + summaryObject + "}\n"
        case .markdown:
            var out = "# Compliance report, \(from) to \(to)\n\n"
            out += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: header.count) + "\n"
            for values in rows {
                out += "| " + values.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
                    .joined(separator: " | ") + " |\n"
            }
            out += "\n## Summary\n\n" + summaryPairs.map { "- \($0): \($1.isEmpty ? "–" : $1)" }.joined(separator: "\n") + "\n"
            if !includeNotes { out += "\n_Free text (triggers, notes) was left out of this report._\n" }
            return out
        }
    }

    private func row(_ day: Day, includeNotes: Bool) -> [String] {
        guard let c = day.checkIn else {
            return [day.day.description, "missed"] + Array(repeating: "", count: Self.columns.count - 2 + (includeNotes ? 2 : 0))
        }
        var values = [day.day.description, "checked-in", c.use.rawValue, "\(c.craving)", "\(c.mood)",
                      c.sleepHours.map { String($0) } ?? "", "\(c.meetingsAttended)", c.meetingKinds.map(\.rawValue).joined(separator: ";"),
                      c.medication?.rawValue ?? "", c.reachedOutToSupport ? "true" : "false"]
        if includeNotes { values += [c.triggers.joined(separator: ";"), c.note ?? ""] }
        return values
    }

    /// Writes the report through ``OwnerExport/disclose(_:format:filter:request:recipients:armored:timeZone:write:beforeRecording:)``'s
    /// machinery: optionally encrypted, always recorded as a disclosure.
    @discardableResult
    public func disclose(from journal: Journal, format: Format, includeNotes: Bool, request: DisclosureRequest,
                         recipients: [AgeRecipient] = [], armored: Bool = false, write: @escaping (Data) throws -> Void,
                         beforeRecording: () throws -> Void = {}) throws -> Disclosure {
        try OwnerExport.disclose(journal, request: request, recipients: recipients, armored: armored,
                                 formatName: "compliance-report-" + format.rawValue,
                                 scope: { _ in "check-ins \(from) to \(to); \(includeNotes ? "with notes" : "no notes")" },
                                 write: write, beforeRecording: beforeRecording) { sink in
            try sink(render(format, includeNotes: includeNotes))
            return days.count
        }.disclosure
    }
}
