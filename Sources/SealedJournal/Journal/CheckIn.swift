import Foundation

/// A calendar day in the writer's own time zone, written `YYYY-MM-DD`.
public struct LocalDate: Codable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, 1 to 9999.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month, 1 to 31.
    public let day: Int

    /// - Throws: ``JournalError/invalidField(field:reason:)`` for an impossible date.
    public init(year: Int, month: Int, day: Int) throws(JournalError) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...LocalDate.daysIn(month: month, year: year)).contains(day) else {
            throw .invalidField(field: "day", reason: "\(year)-\(month)-\(day) is not a calendar date")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init(_ text: String) throws(JournalError) {
        // Exactly ten ASCII bytes: four digits, '-', two digits, '-', two digits (read as bytes:
        // splitting by Character was most of an import's date handling).
        var text = text
        let parsed = text.withUTF8 { bytes -> (Int, Int, Int)? in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                  let y = CivilTime.decimal(bytes, 0..<4), let m = CivilTime.decimal(bytes, 5..<7), let d = CivilTime.decimal(bytes, 8..<10) else { return nil }
            return (y, m, d)
        }
        guard let (y, m, d) = parsed else { throw .invalidField(field: "day", reason: "expected YYYY-MM-DD") }
        try self.init(year: y, month: m, day: d)
    }

    /// The local day of `date` in `timeZone` (proleptic Gregorian; dates outside years
    /// 0001-9999 are clamped to that range).
    public init(date: Date, timeZone: TimeZone = .current) {
        let seconds = date.timeIntervalSince1970
        let milliseconds = seconds.isFinite ? Int64(max(-6.3e13, min(2.6e14, (seconds * 1000).rounded(.down)))) : 0
        let offset = Int64(timeZone.secondsFromGMT(for: date)) * 1000
        let clamped = min(max(milliseconds + offset, CivilTime.earliestMilliseconds), CivilTime.latestMilliseconds)
        self.init(daysSinceEpoch: Int32(CivilTime.split(milliseconds: clamped).days))
    }

    /// The day `days` after 1970-01-01 (proleptic Gregorian), clamped to years 0001-9999.
    init(daysSinceEpoch days: Int32) {
        let clamped = min(max(days, CivilTime.earliestDay), CivilTime.latestDay)
        let (y, m, d) = CivilTime.date(days: Int64(clamped))
        year = y
        month = m
        day = d
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    var daysSinceEpoch: Int32 { Int32(CivilTime.days(year: year, month: month, day: day)) }

    /// The day as `YYYY-MM-DD`.
    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// The first instant of this day in `timeZone` (proleptic Gregorian).
    public func start(in timeZone: TimeZone = .current) -> Date {
        let utcMidnight = Double(CivilTime.days(year: year, month: month, day: day)) * 86_400
        let guess = Date(timeIntervalSince1970: utcMidnight)
        let offset = Double(timeZone.secondsFromGMT(for: guess))
        let adjusted = Date(timeIntervalSince1970: utcMidnight - offset)
        return Date(timeIntervalSince1970: utcMidnight - Double(timeZone.secondsFromGMT(for: adjusted)))
    }

    /// The following day.
    public var next: LocalDate {
        var (y, m, d) = (year, month, day + 1)
        if d > LocalDate.daysIn(month: m, year: y) { d = 1; m += 1 }
        if m > 12 { m = 1; y += 1 }
        return (try? LocalDate(year: y, month: m, day: d)) ?? self
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Calendar order: `true` when `lhs` is an earlier day than `rhs`.
    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Decodes a `YYYY-MM-DD` string.
    /// - Throws: `DecodingError.dataCorrupted` for text that is not a calendar date.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad day")) }
    }

    /// Encodes the day as a `YYYY-MM-DD` string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A daily check-in. Ranges are checked by ``validate()`` before anything is written, with an
/// error that names the field.
public struct CheckIn: JournalRecordContent, Equatable {
    /// ``RecordKind/checkIn``.
    public static let recordKind = RecordKind.checkIn

    /// Whether the day was sober.
    public enum UseStatus: String, Codable, Sendable, CaseIterable {
        /// A sober day.
        case sober
        /// A hard day, but no use.
        case hardDay = "hard-day"
        /// Used today.
        case used
    }

    /// The kind of meeting attended.
    public enum MeetingKind: String, Codable, Sendable, CaseIterable {
        /// Alcoholics Anonymous, Narcotics Anonymous, SMART Recovery, Caduceus (for health
        /// professionals), therapy, a peer group, or another kind.
        case aa, na, smart, caduceus, therapy, peer, other
    }

    /// Medication adherence.
    public enum Medication: String, Codable, Sendable, CaseIterable {
        /// Took the prescribed medication, missed it, or has none prescribed.
        case taken, missed, none
    }

    /// The local day the check-in is for.
    public var day: LocalDate
    /// The writer's UTC offset when checking in, in seconds (-18h...+18h).
    public var timeZoneOffsetSeconds: Int
    /// Mood, 1 (worst) to 10 (best).
    public var mood: Int
    /// Craving, 0 (none) to 10 (overwhelming).
    public var craving: Int
    /// Sober, a hard day with no use, or used.
    public var use: UseStatus
    /// Hours slept, 0 to 24.
    public var sleepHours: Double?
    /// Meetings attended (0 to 20).
    public var meetingsAttended: Int
    /// The kinds of meeting attended (at most 20).
    public var meetingKinds: [MeetingKind]
    /// Medication adherence; `nil` when not answered.
    public var medication: Medication?
    /// Short descriptions of triggers (each at most 200 bytes, at most 20).
    public var triggers: [String]
    /// Whether the writer reached out to their support network.
    public var reachedOutToSupport: Bool
    /// A free-text note (at most 64 KiB); `nil` for none. Reports can leave notes out.
    public var note: String?

    /// A check-in for `day`, recorded at the writer's current UTC offset unless given. Nothing is
    /// checked here: ``validate()`` (called by every append) refuses out-of-range values.
    public init(day: LocalDate, timeZoneOffsetSeconds: Int = TimeZone.current.secondsFromGMT(), mood: Int, craving: Int,
                use: UseStatus, sleepHours: Double? = nil, meetingsAttended: Int = 0, meetingKinds: [MeetingKind] = [],
                medication: Medication? = nil, triggers: [String] = [], reachedOutToSupport: Bool = false, note: String? = nil) {
        self.day = day
        self.timeZoneOffsetSeconds = timeZoneOffsetSeconds
        self.mood = mood
        self.craving = craving
        self.use = use
        self.sleepHours = sleepHours
        self.meetingsAttended = meetingsAttended
        self.meetingKinds = meetingKinds
        self.medication = medication
        self.triggers = triggers
        self.reachedOutToSupport = reachedOutToSupport
        self.note = note
    }

    /// Checks every range (mood 1-10, craving 0-10, sleep 0-24 h, meetings 0-20, at most 20
    /// triggers of 1-200 bytes, note up to 64 KiB, offset within ±18 h).
    /// - Throws: ``JournalError/invalidField(field:reason:)`` naming the first field out of range.
    public func validate() throws(JournalError) {
        guard (1...10).contains(mood) else { throw .invalidField(field: "mood", reason: "must be between 1 and 10") }
        guard (0...10).contains(craving) else { throw .invalidField(field: "craving", reason: "must be between 0 and 10") }
        if let sleepHours {
            guard sleepHours.isFinite, (0...24).contains(sleepHours) else {
                throw .invalidField(field: "sleepHours", reason: "must be between 0 and 24 hours")
            }
        }
        guard (0...20).contains(meetingsAttended) else {
            throw .invalidField(field: "meetingsAttended", reason: "must be between 0 and 20")
        }
        guard meetingKinds.count <= 20 else { throw .invalidField(field: "meetingKinds", reason: "at most 20") }
        guard abs(timeZoneOffsetSeconds) <= 18 * 3600 else {
            throw .invalidField(field: "timeZoneOffsetSeconds", reason: "must be within ±18 hours")
        }
        guard triggers.count <= 20 else { throw .invalidField(field: "triggers", reason: "at most 20 triggers") }
        for trigger in triggers {
            guard !trigger.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, trigger.utf8.count <= 200 else {
                throw .invalidField(field: "triggers", reason: "each trigger must be 1 to 200 bytes and not blank")
            }
        }
        if let note, note.utf8.count > 64 * 1024 { throw .invalidField(field: "note", reason: "must be at most 64 KiB") }
    }

    private enum CodingKeys: String, CodingKey {
        case day, timeZoneOffsetSeconds, mood, craving, use, sleepHours, meetingsAttended, meetingKinds
        case medication, triggers, reachedOutToSupport, note
    }

    /// Decodes a check-in; absent optional fields take their defaults (0 meetings, no triggers...).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        day = try c.decode(LocalDate.self, forKey: .day)
        timeZoneOffsetSeconds = try c.decode(Int.self, forKey: .timeZoneOffsetSeconds)
        mood = try c.decode(Int.self, forKey: .mood)
        craving = try c.decode(Int.self, forKey: .craving)
        use = try c.decode(UseStatus.self, forKey: .use)
        sleepHours = try c.decodeIfPresent(Double.self, forKey: .sleepHours)
        meetingsAttended = try c.decodeIfPresent(Int.self, forKey: .meetingsAttended) ?? 0
        meetingKinds = try c.decodeIfPresent([MeetingKind].self, forKey: .meetingKinds) ?? []
        medication = try c.decodeIfPresent(Medication.self, forKey: .medication)
        triggers = try c.decodeIfPresent([String].self, forKey: .triggers) ?? []
        reachedOutToSupport = try c.decodeIfPresent(Bool.self, forKey: .reachedOutToSupport) ?? false
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}
