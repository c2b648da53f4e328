/// Calendar arithmetic in the proleptic Gregorian calendar (the Gregorian rules extended back
/// before 1582), independent of Foundation's calendars, which switch to the Julian calendar for
/// early dates. Every time the format stores is in the range 0001-01-01T00:00:00.000Z ...
/// 9999-12-31T23:59:59.999Z; anything outside is refused on write and reported as damage on read.
///
/// Days are counted from 1970-01-01 (day 0); the conversion is the classic era-based
/// algorithm (days_from_civil / civil_from_days).
enum CivilTime {
    /// 0001-01-01T00:00:00.000Z in milliseconds since 1970-01-01T00:00:00Z.
    static let earliestMilliseconds: Int64 = -62_135_596_800_000
    /// 9999-12-31T23:59:59.999Z in milliseconds since 1970-01-01T00:00:00Z.
    static let latestMilliseconds: Int64 = 253_402_300_799_999
    /// Day number of 0001-01-01 and 9999-12-31.
    static let earliestDay: Int32 = -719_162
    static let latestDay: Int32 = 2_932_896
    /// Largest time-zone offset accepted (±18 hours, as ISO 8601 and Foundation allow).
    static let maximumOffsetSeconds: Int32 = 18 * 3600
    static let millisecondsPerDay: Int64 = 86_400_000

    static func isInRange(milliseconds: Int64) -> Bool {
        (earliestMilliseconds...latestMilliseconds).contains(milliseconds)
    }

    static func isValidOffset(_ seconds: Int32) -> Bool {
        (-maximumOffsetSeconds...maximumOffsetSeconds).contains(seconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (the caller checked it is valid).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day number.
    static func date(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Splits milliseconds since the epoch into (day number, milliseconds into that day).
    static func split(milliseconds: Int64) -> (days: Int64, millisecondOfDay: Int64) {
        let days = milliseconds >= 0 ? milliseconds / millisecondsPerDay : (milliseconds - (millisecondsPerDay - 1)) / millisecondsPerDay
        return (days, milliseconds - days * millisecondsPerDay)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC), or with `offsetSeconds` the local time and its offset,
    /// `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM`. The time must be in range (the caller checked).
    static func iso8601(milliseconds: Int64, offsetSeconds: Int32? = nil) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        appendISO8601(milliseconds: milliseconds, offsetSeconds: offsetSeconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``iso8601(milliseconds:offsetSeconds:)``'s text to `out` as UTF-8, digit by
    /// digit (an export writes one per record; building it from small strings cost more than
    /// the rest of the line).
    static func appendISO8601(milliseconds: Int64, offsetSeconds: Int32? = nil, to out: inout [UInt8]) {
        let local = milliseconds + Int64(offsetSeconds ?? 0) * 1000
        let (days, ofDay) = split(milliseconds: local)
        let (year, month, day) = date(days: days)
        let hour = Int(ofDay / 3_600_000), minute = Int(ofDay / 60_000 % 60), second = Int(ofDay / 1000 % 60), milli = Int(ofDay % 1000)
        appendPadded(year, 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(month, 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(day, 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendPadded(hour, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(minute, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(second, 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendPadded(milli, 3, to: &out)
        guard let offsetSeconds else {
            out.append(UInt8(ascii: "Z"))
            return
        }
        out.append(contentsOf: offsetText(offsetSeconds).utf8)
    }

    /// `value` (not negative) in decimal, zero-padded to at least `width` digits, as `pad` gives.
    private static func appendPadded(_ value: Int, _ width: Int, to out: inout [UInt8]) {
        guard value >= 0 else {
            out.append(contentsOf: pad(value, width).utf8)
            return
        }
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, digits)))
        // Filled from the last digit back; the zeros before them are the padding.
        var index = out.count - 1
        rest = value
        repeat {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
    }

    /// `YYYY-MM-DD HH:MM ±HH:MM`: a local time for people, with its zone.
    static func localText(milliseconds: Int64, offsetSeconds: Int32) -> String {
        let iso = iso8601(milliseconds: milliseconds, offsetSeconds: offsetSeconds)  // YYYY-MM-DDTHH:MM:SS.mmm±HH:MM
        let parts = iso.split(separator: "T")
        return "\(parts[0]) \(parts[1].prefix(5)) \(offsetText(offsetSeconds))"
    }

    /// `+HH:MM` / `-HH:MM`.
    static func offsetText(_ seconds: Int32) -> String {
        let magnitude = Int(seconds.magnitude)
        return (seconds < 0 ? "-" : "+") + pad(magnitude / 3600, 2) + ":" + pad(magnitude / 60 % 60, 2)
    }

    /// The number written in ASCII decimal digits in `bytes[range]` (no sign, no space); `nil`
    /// when the range runs past the end or holds anything else. The fixed-width fields of dates
    /// and times are read with it.
    static func decimal<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ range: Range<Int>) -> Int? where Bytes.Index == Int {
        guard range.lowerBound >= bytes.startIndex, range.upperBound <= bytes.endIndex else { return nil }
        var value = 0
        for index in range {
            let digit = Int(bytes[index]) &- 48
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// The fields of the `YYYY-MM-DDTHH:MM:SS` that `bytes` starts with, when that is a real
    /// calendar day (years 0001-9999, no February 30th) and time of day (no hour 24, no minute or
    /// second 60); `nil` otherwise. Every reader of ISO 8601 times checks them here, so none of
    /// them rolls an impossible date over into the next month.
    static func dateTimeFields<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)?
    where Bytes.Index == Int {
        let start = bytes.startIndex
        guard bytes.count >= 19, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              bytes[start + 10] == UInt8(ascii: "T"), bytes[start + 13] == UInt8(ascii: ":"), bytes[start + 16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ offset: Int, _ count: Int) -> Int? { decimal(bytes, (start + offset)..<(start + offset + count)) }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...9999).contains(year), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        return (year, month, day, hour, minute, second)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` or with a `±HH:MM` offset (the forms exports write),
    /// into milliseconds since the epoch; `nil` when malformed or out of range.
    static func parseISO8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? { decimal(bytes, range) }
        guard let (year, month, day, hour, minute, second) = dateTimeFields(bytes) else { return nil }
        var index = 19
        var milliseconds = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if digits < 3 { milliseconds = milliseconds * 10 + Int(bytes[index]) - 48 }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { milliseconds *= 10 }
        }
        var offset = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "Z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard index + 6 <= bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let h = number(index + 1..<index + 3), let m = number(index + 4..<index + 6), h <= 18, m < 60 else { return nil }
            offset = sign * (h * 3600 + m * 60)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let total = days(year: year, month: month, day: day) * millisecondsPerDay
            + Int64(hour * 3_600_000 + minute * 60_000 + second * 1000 + milliseconds) - Int64(offset) * 1000
        return isInRange(milliseconds: total) ? total : nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
