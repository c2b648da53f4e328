import Foundation

extension LocalDate {
    /// Days since 1970-01-01 (negative before it), by the proleptic Gregorian calendar.
    /// Pure arithmetic (no `Calendar`), so reports are fast and the same on every machine.
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day `daysSince1970` days after 1970-01-01, or `nil` outside years 1...9999.
    public init?(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
        guard let date = try? LocalDate(year: y, month: m, day: d) else { return nil }
        self = date
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
