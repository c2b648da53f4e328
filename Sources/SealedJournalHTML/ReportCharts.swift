@_spi(Rendering) import SealedJournal

/// The report's charts as inline SVG: computed here, drawn by any browser without JavaScript.
/// Colours come from classes styled by the page's stylesheet (light, dark and print).
/// Every chart has a `<title>` and a `<desc>` in words; the per-day table carries the same numbers.
struct ReportCharts {
    let report: ComplianceReport

    static let width = 720.0
    static let left = 40.0
    static let right = 34.0

    /// Counted values for elapsed days; nil for missed, pending and future days.
    private func series(_ value: (CheckIn) -> Double?) -> [Double?] {
        report.days.map { day in day.status == .checkedIn ? day.checkIn.flatMap(value) : nil }
    }

    private var axis: ChartGeometry.DayAxis {
        ChartGeometry.DayAxis(count: report.days.count, left: Self.left, width: Self.width - Self.left - Self.right)
    }

    private func svg(id: String, height: Double, title: String, description: String, _ content: [Node]) -> Node {
        el("svg", [("viewBox", "0 0 \(ChartGeometry.format(Self.width)) \(ChartGeometry.format(height))"),
                   ("role", "img"), ("aria-labelledby", "\(id)-title \(id)-desc"), ("class", "chart"),
                   ("preserveAspectRatio", "xMidYMid meet")],
           children: [el("title", [("id", "\(id)-title")], txt(title)), el("desc", [("id", "\(id)-desc")], txt(description))] + content)
    }

    /// Horizontal grid lines and labels of a y scale.
    private func yGrid(_ ticks: [Double], scale: ChartGeometry.LinearScale, unit: String = "") -> [Node] {
        ticks.flatMap { tick -> [Node] in
            let y = ChartGeometry.format(scale(tick))
            return [el("line", [("class", "grid"), ("x1", ChartGeometry.format(Self.left)), ("x2", ChartGeometry.format(Self.width - Self.right)),
                                ("y1", y), ("y2", y)]),
                    el("text", [("class", "tick"), ("x", ChartGeometry.format(Self.left - 6)), ("y", ChartGeometry.format(scale(tick) + 4)),
                                ("text-anchor", "end")], txt(ChartGeometry.format(tick) + unit))]
        }
    }

    /// Day labels along the bottom.
    private func xLabels(baseline: Double) -> [Node] {
        let days = report.days.map(\.day)
        let long = days.count > 63
        let labelled = ChartGeometry.labelledDays(days)
        // The first label carries the year unless a January label follows closely (it would crowd).
        let januarySoon = labelled.prefix(3).contains { days[$0].month == 1 }
        return labelled.enumerated().flatMap { position, index -> [Node] in
            let x = ChartGeometry.format(axis.center(index))
            return [el("line", [("class", "axis"), ("x1", x), ("x2", x), ("y1", ChartGeometry.format(baseline)), ("y2", ChartGeometry.format(baseline + 4))]),
                    el("text", [("class", "tick"), ("x", x), ("y", ChartGeometry.format(baseline + 16)), ("text-anchor", "middle")],
                       txt(ChartGeometry.label(days[index], long: long, first: position == 0 && !januarySoon, years: days.count > 730)))]
        }
    }

    /// Light bands behind days without a counted value, so a gap reads as "missed", not as "0".
    private func gapBands(top: Double, bottom: Double) -> [Node] {
        report.days.enumerated().compactMap { index, day in
            guard day.status == .missed || day.status == .future || day.status == .pending else { return nil }
            let x = axis.center(index) - axis.step / 2
            return el("rect", [("class", day.status == .missed ? "band-missed" : "band-future"), ("x", ChartGeometry.format(x)),
                               ("y", ChartGeometry.format(top)), ("width", ChartGeometry.format(axis.step)),
                               ("height", ChartGeometry.format(bottom - top))])
        }
    }

    private func describe(_ name: String, _ values: [Double?], unit: String = "") -> String {
        let present = values.compactMap { $0 }
        guard let low = present.min(), let high = present.max() else { return "\(name): no values." }
        let average = present.reduce(0, +) / Double(present.count)
        return "\(name): \(present.count) day\(present.count == 1 ? "" : "s"), average \(ChartGeometry.format(average))\(unit), lowest \(ChartGeometry.format(low))\(unit), highest \(ChartGeometry.format(high))\(unit)."
    }

    private var gapSentence: String {
        let missed = report.days.filter { $0.status == .missed }.count
        return missed == 0 ? "No missed days." : (missed == 1 ? "1 missed day is" : "\(missed) missed days are") + " left as gaps, not zeros."
    }

    /// Mood (1–10) and craving (0–10), one point per checked-in day, broken at missed days.
    func moodAndCraving() -> Node {
        let height = 230.0, top = 12.0, bottom = height - 30
        let y = ChartGeometry.LinearScale(domain: 0...10, start: bottom, end: top)
        let mood = series { Double($0.mood) }
        let craving = series { Double($0.craving) }
        var content = gapBands(top: top, bottom: bottom) + yGrid([0, 2, 4, 6, 8, 10], scale: y) + xLabels(baseline: bottom)
        // Over about two months, daily values turn to noise: draw them faint, with a 7-day average on top.
        let smoothed = report.days.count > 62
        for (values, name) in [(craving, "craving"), (mood, "mood")] {
            let (paths, dots) = ChartGeometry.linePaths(values, x: axis, y: y)
            content += paths.map { el("path", [("class", "line line-\(name)" + (smoothed ? " faint" : "")), ("d", $0)]) }
            if smoothed {
                let average = ChartGeometry.linePaths(ChartGeometry.rollingAverage(values), x: axis, y: y)
                content += average.paths.map { el("path", [("class", "line line-\(name) average"), ("d", $0)]) }
                continue
            }
            let everyPoint = values.enumerated().compactMap { index, value in value.map { (axis.center(index), y($0)) } }
            content += (everyPoint.isEmpty ? dots : everyPoint).map { point in
                el("circle", [("class", "dot dot-\(name)"), ("cx", ChartGeometry.format(point.0)), ("cy", ChartGeometry.format(point.1)),
                              ("r", "3.2")])
            }
        }
        return svg(id: "chart-mood", height: height, title: "Mood and craving per day",
                   description: describe("Mood (1 worst to 10 best)", mood) + " " + describe("Craving (0 none to 10 overwhelming)", craving) + " " + gapSentence
                       + (smoothed ? " Thin lines are daily values; thick lines are 7-day averages (shown where at least 4 of the 7 days have a value)." : ""),
                   content)
    }

    /// Hours slept per checked-in day as bars, with a 7-hour guide.
    func sleep() -> Node {
        let height = 190.0, top = 12.0, bottom = height - 30
        let values = series(\.sleepHours)
        let ticks = ChartGeometry.ticks(upTo: max(10, values.compactMap { $0 }.max() ?? 0), maximumCount: 5)
        let y = ChartGeometry.LinearScale(domain: 0...(ticks.last ?? 12), start: bottom, end: top)
        var content = gapBands(top: top, bottom: bottom) + yGrid(ticks, scale: y, unit: " h") + xLabels(baseline: bottom)
        let barWidth = max(axis.step * 0.7, 0.6)
        for (index, value) in values.enumerated() {
            guard let value else { continue }
            let x = axis.center(index) - barWidth / 2
            content.append(el("rect", [("class", value < 6 ? "bar-sleep-short" : "bar-sleep"), ("x", ChartGeometry.format(x)),
                                       ("y", ChartGeometry.format(y(value))), ("width", ChartGeometry.format(barWidth)),
                                       ("height", ChartGeometry.format(max(bottom - y(value), 0)))]))
        }
        let guide = ChartGeometry.format(y(7))
        content.append(el("line", [("class", "guide"), ("x1", ChartGeometry.format(Self.left)), ("x2", ChartGeometry.format(Self.width - Self.right)),
                                   ("y1", guide), ("y2", guide)]))
        content.append(el("text", [("class", "tick guide-label"), ("x", ChartGeometry.format(Self.width - Self.right + 4)),
                                   ("y", ChartGeometry.format(y(7) + 4)), ("text-anchor", "start")], txt("7 h")))
        return svg(id: "chart-sleep", height: height, title: "Hours of sleep per day",
                   description: describe("Sleep", values, unit: " h") + " Days with no sleep reported have no bar; nights under 6 hours are drawn in amber.",
                   content)
    }

    /// The kinds a meeting bar is split into, in drawing order; `nil` is "kind not given".
    static let meetingKinds: [CheckIn.MeetingKind?] = CheckIn.MeetingKind.allCases.map { $0 } + [nil]

    static func kindClass(_ kind: CheckIn.MeetingKind?) -> String { "mk-" + (kind?.rawValue ?? "unspecified") }
    static func kindLabel(_ kind: CheckIn.MeetingKind?) -> String { kind.map(ComplianceReport.meetingKindLabel) ?? "Kind not given" }

    /// Meetings of each counted check-in by kind: listed kinds fill the first slots, any more
    /// meetings are "kind not given"; kinds beyond the count are ignored (the count is what the
    /// summary adds up).
    static func meetingsByKind(_ c: CheckIn) -> [CheckIn.MeetingKind?: Int] {
        var result: [CheckIn.MeetingKind?: Int] = [:]
        for kind in c.meetingKinds.prefix(c.meetingsAttended) { result[kind, default: 0] += 1 }
        let rest = c.meetingsAttended - min(c.meetingKinds.count, c.meetingsAttended)
        if rest > 0 { result[nil, default: 0] += rest }
        return result
    }

    /// Per-week totals by kind, weeks Monday to Sunday, the first holding `from`.
    func weeklyMeetings() -> [(start: LocalDate, byKind: [CheckIn.MeetingKind?: Int])] {
        guard let last = report.days.last else { return [] }
        let weeks = ChartGeometry.weekIndex(of: last.day, from: report.from) + 1
        var result: [(start: LocalDate, byKind: [CheckIn.MeetingKind?: Int])] = (0..<weeks).map { week in
            let monday = report.from.daysSince1970 - (report.from.isoWeekday - 1) + week * 7
            return (LocalDate(daysSince1970: monday) ?? report.from, [:])
        }
        for day in report.days where day.status == .checkedIn {
            guard let c = day.checkIn else { continue }
            let week = ChartGeometry.weekIndex(of: day.day, from: report.from)
            for (kind, count) in Self.meetingsByKind(c) { result[week].byKind[kind, default: 0] += count }
        }
        return result
    }

    /// Meetings per week, stacked by kind.
    func meetings() -> Node {
        let weeks = weeklyMeetings()
        let totals = weeks.map { $0.byKind.values.reduce(0, +) }
        let height = 200.0, top = 18.0, bottom = height - 30
        let ticks = ChartGeometry.ticks(upTo: Double(totals.max() ?? 0), maximumCount: 5)
        let y = ChartGeometry.LinearScale(domain: 0...(ticks.last ?? 1), start: bottom, end: top)
        let weekAxis = ChartGeometry.DayAxis(count: weeks.count, left: Self.left, width: Self.width - Self.left - Self.right)
        var content = yGrid(ticks, scale: y)
        let barWidth = min(weekAxis.step * 0.6, 48)
        let labelEvery = max(1, Int((Double(weeks.count) / 12).rounded(.up)))
        for (index, week) in weeks.enumerated() {
            var base = 0
            let x = weekAxis.center(index) - barWidth / 2
            for kind in Self.meetingKinds {
                guard let count = week.byKind[kind], count > 0 else { continue }
                content.append(el("rect", [("class", Self.kindClass(kind)), ("x", ChartGeometry.format(x)),
                                           ("y", ChartGeometry.format(y(Double(base + count)))), ("width", ChartGeometry.format(barWidth)),
                                           ("height", ChartGeometry.format(y(Double(base)) - y(Double(base + count))))],
                                  el("title", [], txt("Week of \(week.start): \(count) \(Self.kindLabel(kind))"))))
                base += count
            }
            if totals[index] > 0 && weeks.count <= 26 {
                content.append(el("text", [("class", "bar-total"), ("x", ChartGeometry.format(weekAxis.center(index))),
                                           ("y", ChartGeometry.format(y(Double(base)) - 4)), ("text-anchor", "middle")], txt("\(totals[index])")))
            }
            if index % labelEvery == 0 {
                content.append(el("text", [("class", "tick"), ("x", ChartGeometry.format(weekAxis.center(index))),
                                           ("y", ChartGeometry.format(bottom + 16)), ("text-anchor", "middle")],
                                  txt(ChartGeometry.label(week.start, long: false, first: false))))
            }
        }
        content.append(el("line", [("class", "axis"), ("x1", ChartGeometry.format(Self.left)), ("x2", ChartGeometry.format(Self.width - Self.right)),
                                   ("y1", ChartGeometry.format(bottom)), ("y2", ChartGeometry.format(bottom))]))
        let byKind = Self.meetingKinds.compactMap { kind -> String? in
            let n = weeks.reduce(0) { $0 + ($1.byKind[kind] ?? 0) }
            return n == 0 ? nil : "\(Self.kindLabel(kind)) \(n)"
        }
        let description = "Meetings per week (weeks start on Monday; labels show the Monday): "
            + zip(weeks, totals).map { "week of \($0.start): \($1)" }.joined(separator: ", ") + ". "
            + (byKind.isEmpty ? "No meetings." : "By kind: " + byKind.joined(separator: ", ") + ".")
        return svg(id: "chart-meetings", height: height, title: "Meetings attended per week, by kind", description: description, content)
    }

    /// One cell per day: medication taken, missed, none prescribed, or not reported.
    func medication() -> Node {
        let height = 64.0, top = 8.0, cellHeight = 22.0
        var content: [Node] = []
        var counts: [String: Int] = [:]
        let cellWidth = max(axis.step - (axis.step > 6 ? 2 : 0), 0.6)
        for (index, day) in report.days.enumerated() {
            let kind: String
            if day.status != .checkedIn { kind = day.status == .missed ? "med-nocheckin" : "" }
            else { kind = day.checkIn?.medication.map { "med-" + $0.rawValue } ?? "med-unreported" }
            guard !kind.isEmpty else { continue }
            counts[kind, default: 0] += 1
            content.append(el("rect", [("class", kind), ("x", ChartGeometry.format(axis.center(index) - cellWidth / 2)),
                                       ("y", ChartGeometry.format(top)), ("width", ChartGeometry.format(cellWidth)),
                                       ("height", ChartGeometry.format(cellHeight)), ("rx", axis.step > 8 ? "2" : "0")]))
            if kind == "med-missed" && axis.step >= 10 {
                content.append(el("text", [("class", "med-mark"), ("x", ChartGeometry.format(axis.center(index))),
                                           ("y", ChartGeometry.format(top + 16)), ("text-anchor", "middle")], txt("✕")))
            }
        }
        content += xLabels(baseline: top + cellHeight + 6)
        let description = "Medication per day: taken \(counts["med-taken"] ?? 0), missed \(counts["med-missed"] ?? 0), "
            + "none prescribed \(counts["med-none"] ?? 0), not reported \(counts["med-unreported"] ?? 0), no check-in \(counts["med-nocheckin"] ?? 0)."
        return svg(id: "chart-medication", height: height, title: "Medication taken or missed per day", description: description, content)
    }
}
