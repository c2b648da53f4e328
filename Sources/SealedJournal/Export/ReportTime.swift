import Foundation

/// Times in reports: always a local wall-clock time with its UTC offset, so nobody has to guess
/// the zone. Pure arithmetic, deterministic.
enum ReportTime {
    /// `2026-11-27 08:14 +01:00`: for people.
    static func readable(_ date: Date, offsetSeconds: Int) -> String {
        let (day, hour, minute, _) = parts(date, offsetSeconds: offsetSeconds)
        return "\(day) " + String(format: "%02d:%02d ", hour, minute) + offset(offsetSeconds)
    }

    /// `2026-11-27T08:14:05+01:00`: ISO 8601 / RFC 3339 with the offset, for machines.
    static func iso8601(_ date: Date, offsetSeconds: Int) -> String {
        let (day, hour, minute, second) = parts(date, offsetSeconds: offsetSeconds)
        return "\(day)T" + String(format: "%02d:%02d:%02d", hour, minute, second) + offset(offsetSeconds)
    }

    /// `+01:00`, `-05:30`, `+00:00`.
    static func offset(_ seconds: Int) -> String {
        let minutes = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    private static func parts(_ date: Date, offsetSeconds: Int) -> (LocalDate, Int, Int, Int) {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + offsetSeconds
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let within = seconds - days * 86_400
        let day = LocalDate(date: date, offsetSeconds: offsetSeconds)
        return (day, within / 3600, (within % 3600) / 60, within % 60)
    }
}
