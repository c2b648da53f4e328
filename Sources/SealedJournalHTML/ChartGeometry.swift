@_spi(Rendering) import SealedJournal

/// The arithmetic of the charts, kept apart from markup so it can be tested: linear scales,
/// one slot per day on the x axis, line runs broken at missing days, tick values, week buckets.
/// Coordinates are SVG user units; numbers are printed with one decimal so output is stable.
enum ChartGeometry {
    /// Maps `domain` linearly onto `start...end` (pixels); `end < start` for an upward y axis.
    struct LinearScale: Equatable {
        let domain: ClosedRange<Double>
        let start: Double
        let end: Double

        func callAsFunction(_ value: Double) -> Double {
            let span = domain.upperBound - domain.lowerBound
            guard span > 0 else { return start }
            let clamped = min(max(value, domain.lowerBound), domain.upperBound)
            return start + (clamped - domain.lowerBound) / span * (end - start)
        }
    }

    /// One slot per day across `left...left + width`: a day's x is its slot's centre.
    struct DayAxis: Equatable {
        let count: Int
        let left: Double
        let width: Double

        /// Width of one day's slot (the whole width when there are no days).
        var step: Double { width / Double(max(count, 1)) }

        func center(_ index: Int) -> Double { left + (Double(index) + 0.5) * step }
    }

    /// Runs of consecutive indices whose value is present: a missing day ends a run, so a line
    /// drawn run by run leaves a gap there instead of dropping to zero.
    static func runs(_ values: [Double?]) -> [[Int]] {
        var runs: [[Int]] = []
        var current: [Int] = []
        for (index, value) in values.enumerated() {
            if value != nil {
                current.append(index)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// SVG path data (`M x,y L x,y ...`) for each run of at least two points; single points are
    /// returned separately (drawn as dots).
    static func linePaths(_ values: [Double?], x: DayAxis, y: LinearScale) -> (paths: [String], dots: [(Double, Double)]) {
        var paths: [String] = []
        var dots: [(Double, Double)] = []
        for run in runs(values) {
            let points = run.compactMap { index in values[index].map { (x.center(index), y($0)) } }
            if points.count == 1 {
                dots.append(points[0])
            } else {
                paths.append(points.enumerated().map { ($0 == 0 ? "M" : "L") + format($1.0) + "," + format($1.1) }.joined(separator: " "))
            }
        }
        return (paths, dots)
    }

    /// The trailing `window`-day average of the values present, or `nil` where fewer than
    /// `minimumPresent` of those days have a value (so long gaps stay gaps).
    static func rollingAverage(_ values: [Double?], window: Int = 7, minimumPresent: Int = 4) -> [Double?] {
        values.indices.map { index in
            let present = values[max(0, index - window + 1)...index].compactMap { $0 }
            return present.count >= minimumPresent ? present.reduce(0, +) / Double(present.count) : nil
        }
    }

    /// Round tick values from 0 to at least `maximum`: steps of 1, 2, 5, 10... so that there are
    /// at most `maximumCount` intervals. Always at least [0, 1].
    static func ticks(upTo maximum: Double, maximumCount: Int = 6) -> [Double] {
        let top = max(maximum, 1)
        var step = 1.0
        let multipliers = [1.0, 2.0, 5.0]
        var index = 0
        var magnitude = 1.0
        while (top / step).rounded(.up) > Double(max(maximumCount, 1)) {
            index += 1
            if index == multipliers.count { index = 0; magnitude *= 10 }
            step = multipliers[index] * magnitude
        }
        let count = Int((top / step).rounded(.up))
        return (0...count).map { Double($0) * step }
    }

    /// The week (Monday to Sunday) each day of `from...` falls in, numbered from 0 for the week
    /// holding `from`.
    static func weekIndex(of day: LocalDate, from: LocalDate) -> Int {
        let firstMonday = from.daysSince1970 - (from.isoWeekday - 1)
        return (day.daysSince1970 - firstMonday) / 7
    }

    /// Which day indices get an x-axis label: every Monday (and the first day) up to ~9 weeks,
    /// the first of each month up to two years, the first of each year beyond.
    static func labelledDays(_ days: [LocalDate]) -> [Int] {
        guard !days.isEmpty else { return [] }
        let weekly = days.count <= 63, monthly = days.count <= 730
        var labelled = [0]
        for (index, day) in days.enumerated().dropFirst() {
            let starts = weekly ? day.isoWeekday == 1 : monthly ? day.day == 1 : day.day == 1 && day.month == 1
            if starts { labelled.append(index) }
        }
        // Keep labels from crowding: drop the first when the next one is too close.
        let gap = weekly ? 3 : monthly ? 12 : 150
        if labelled.count > 1, labelled[1] - labelled[0] < gap { labelled.remove(at: 0) }
        return labelled
    }

    /// "Nov 2"; for long ranges "Nov" (with the year when it is January or the first label);
    /// for ranges over two years, the year alone.
    static func label(_ day: LocalDate, long: Bool, first: Bool, years: Bool = false) -> String {
        if years { return "\(day.year)" }
        let month = monthNames[day.month - 1]
        if long { return (day.month == 1 || first) ? "\(month) \(day.year)" : month }
        return "\(month) \(day.day)"
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let monthFullNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                                 "October", "November", "December"]

    /// One decimal, no "-0.0".
    static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        let whole = Int(tenths) / 10
        let fraction = abs(Int(tenths) % 10)
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
