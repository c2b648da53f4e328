import Foundation

extension LocalDate {
    /// Days since 1970-01-01 (negative before it), by the proleptic Gregorian calendar.
    /// Pure arithmetic (no `Calendar`), so reports are fast and the same on every machine.
    public var daysSince1970: Int { Int(CivilTime.days(year: year, month: month, day: day)) }

    /// The day `daysSince1970` days after 1970-01-01, or `nil` outside years 1...9999.
    public init?(daysSince1970 days: Int) {
        guard days >= Int(CivilTime.earliestDay), days <= Int(CivilTime.latestDay) else { return nil }
        self.init(daysSinceEpoch: Int32(days))
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int {
        let offset = (daysSince1970 + 3) % 7  // 1970-01-01 was a Thursday (ISO 4)
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    /// The number of days from `self` to `other` (negative when `other` is earlier).
    public func days(to other: LocalDate) -> Int { other.daysSince1970 - daysSince1970 }

    /// The local day of the instant `date` for a writer at UTC offset `offsetSeconds`.
    public init(date: Date, offsetSeconds: Int) {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + offsetSeconds
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        self = LocalDate(daysSince1970: days) ?? LocalDate(date: date, timeZone: TimeZone(secondsFromGMT: 0) ?? .current)
    }
}
