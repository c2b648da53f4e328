import Foundation
import Testing
import SealedJournal
@testable import SealedJournalHTML

@Suite("HTML report: chart geometry")
struct ChartGeometryTests {
    typealias G = ChartGeometry

    @Test("a linear scale maps the domain onto pixels (upward y), clamps, and survives an empty domain")
    func scales() {
        let y = G.LinearScale(domain: 0...10, start: 200, end: 10)
        #expect(y(0) == 200 && y(10) == 10 && y(5) == 105)
        #expect(y(-3) == 200 && y(42) == 10, "out-of-range values are clamped to the plot")
        let flat = G.LinearScale(domain: 3...3, start: 50, end: 0)
        #expect(flat(3) == 50)
    }

    @Test("days sit at the centre of equal slots: one day, a month, a year")
    func dayAxis() {
        let one = G.DayAxis(count: 1, left: 40, width: 600)
        #expect(one.step == 600 && one.center(0) == 340)
        let month = G.DayAxis(count: 30, left: 40, width: 600)
        #expect(month.step == 20 && month.center(0) == 50 && month.center(29) == 630)
        let year = G.DayAxis(count: 365, left: 40, width: 600)
        #expect(year.center(0) > 40 && year.center(364) < 640 && abs(year.step - 600.0 / 365) < 1e-9)
        let none = G.DayAxis(count: 0, left: 40, width: 600)
        #expect(none.step == 600)
    }

    @Test("missed days break the line into runs; a lone day is a dot; nothing present draws nothing")
    func gaps() {
        #expect(G.runs([1, nil, 3, 4, nil, nil, 7]) == [[0], [2, 3], [6]])
        #expect(G.runs([]) == [] && G.runs([nil, nil]) == [])
        let axis = G.DayAxis(count: 5, left: 0, width: 100)
        let y = G.LinearScale(domain: 0...10, start: 100, end: 0)
        let (paths, dots) = G.linePaths([10, nil, 0, 5, nil], x: axis, y: y)
        #expect(paths == ["M50,100 L70,50"], "the run of days 2–3 only: no segment crosses the gap")
        #expect(dots.count == 1 && dots[0].0 == 10 && dots[0].1 == 0)
        let empty = G.linePaths([nil, nil, nil], x: axis, y: y)
        #expect(empty.paths.isEmpty && empty.dots.isEmpty)
        #expect(!G.linePaths([0, 0], x: axis, y: y).paths[0].contains("nan"))
    }

    @Test("the 7-day average needs 4 days with values and trails the day")
    func rollingAverage() {
        let values: [Double?] = [1, 2, 3, nil, 5, nil, nil, nil, nil, 9]
        let average = G.rollingAverage(values)
        #expect(average[0...2] == [nil, nil, nil] && average[4] == 11.0 / 4 && average[6] == 11.0 / 4)
        #expect(average[7] == nil, "days 1–7 hold only 3 values")
        #expect(average[9] == nil && G.rollingAverage([]).isEmpty)
    }

    @Test("ticks are round, start at zero and reach the maximum")
    func ticks() {
        #expect(G.ticks(upTo: 0) == [0, 1])
        #expect(G.ticks(upTo: 10, maximumCount: 6) == [0, 2, 4, 6, 8, 10])
        #expect(G.ticks(upTo: 23, maximumCount: 5) == [0, 5, 10, 15, 20, 25])
        #expect(G.ticks(upTo: 3, maximumCount: 5) == [0, 1, 2, 3])
        #expect(G.ticks(upTo: 140, maximumCount: 5) == [0, 50, 100, 150])
    }

    @Test("weeks start on Monday; labels are weekly for a month and monthly for a year")
    func weeksAndLabels() throws {
        let from = try LocalDate("2026-11-01")  // a Sunday
        #expect(G.weekIndex(of: from, from: from) == 0)
        #expect(G.weekIndex(of: try LocalDate("2026-11-02"), from: from) == 1)
        #expect(G.weekIndex(of: try LocalDate("2026-11-30"), from: from) == 5)
        var days: [LocalDate] = []
        var day = try LocalDate("2026-01-01")
        for _ in 0..<365 { days.append(day); day = day.next }
        let yearly = G.labelledDays(days)
        #expect(yearly.count == 12 && yearly.allSatisfy { days[$0].day == 1 })
        let monthly = G.labelledDays(Array(days[0..<30]))
        #expect(monthly.allSatisfy { $0 == 0 || days[$0].isoWeekday == 1 } && monthly.count == 5)
        #expect(G.labelledDays([]) == [])
        var decade: [LocalDate] = []
        day = try LocalDate("2020-03-01")
        for _ in 0..<3650 { decade.append(day); day = day.next }
        #expect(G.labelledDays(decade).map { decade[$0].description } == ["2020-03-01"] + (2021...2030).map { "\($0)-01-01" })
        #expect(G.label(decade[0], long: true, first: true, years: true) == "2020" && G.label(from, long: false, first: false) == "Nov 1")
        #expect(G.format(-0.04) == "0" && G.format(12.25) == "12.3" && G.format(-1.5) == "-1.5")
    }

    @Test("meetings go to their kinds; extra meetings are 'kind not given'; kinds beyond the count are ignored")
    func meetingKinds() throws {
        let day = try LocalDate("2026-11-02")
        var c = CheckIn(day: day, mood: 5, craving: 5, use: .sober, meetingsAttended: 3, meetingKinds: [.aa])
        #expect(ReportCharts.meetingsByKind(c) == [.aa: 1, nil: 2])
        c.meetingsAttended = 1
        c.meetingKinds = [.aa, .therapy]
        #expect(ReportCharts.meetingsByKind(c) == [.aa: 1])
    }
}

@Suite("HTML report: page")
struct HTMLReportTests {
    static let hostile = "<script>alert('x')</script></svg></table><img src=\"http://198.51.100.7/t.png\"> \"quoted\" 'single' "
        + "&amp; \u{0}\u{1B}[31m\u{7}\u{7F}\u{85}\u{202E}evil\u{2066}"

    @Test("notes, triggers, the notice and tags with markup, quotes and control characters appear as text")
    func escaping() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j.sjournal")).journal
        try journal.append(JournalEntry(text: "entry", tags: ["</svg><script>tag()</script>"]), at: ReportFixture.now)
        let checkIn = CheckIn(day: try LocalDate("2026-11-05"), timeZoneOffsetSeconds: 3600, mood: 3, craving: 8, use: .hardDay,
                              triggers: [Self.hostile], note: Self.hostile + "\nsecond line")
        try journal.append(checkIn, at: ReportFixture.now)
        let report = try ComplianceReport.build(journal, from: try LocalDate("2026-11-01"), to: try LocalDate("2026-11-06"),
                                                now: ReportFixture.now, timeZone: ReportFixture.zone)
        let html = report.renderHTML(includeNotes: true, notice: Self.hostile)
        #expect(!html.lowercased().contains("<script"), "no script element, from text or otherwise")
        #expect(!html.contains("<img") && !html.contains("tag()"), "no element from text; entries' tags are not part of the page")
        #expect(html.components(separatedBy: "<svg").count - 1 == 4 && html.components(separatedBy: "</svg>").count - 1 == 4,
                "only the four charts open and close SVG")
        #expect(html.components(separatedBy: "</table>").count - 1 == 1)
        let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;/svg&gt;&lt;/table&gt;&lt;img src=&quot;http"
        #expect(html.components(separatedBy: escaped).count - 1 >= 5, "notice, hard-day trigger and note, table trigger and note, notes section")
        #expect(html.contains("&amp;amp;") && html.contains("␀␛[31m␇␡⟨U+0085⟩⟨U+202E⟩evil⟨U+2066⟩"))
        for scalar in ["\u{0}", "\u{1B}", "\u{7}", "\u{7F}", "\u{85}", "\u{202E}", "\u{2066}"] {
            #expect(!html.contains(scalar), "a raw control character reached the page")
        }
        let withoutNotes = report.renderHTML(includeNotes: false)
        #expect(!withoutNotes.contains("alert") && !withoutNotes.contains("quoted"), "--no-notes leaves free text out")
    }

    @Test("the page is self-contained: no script, no URL, nothing that loads; a CSP forbids loading anyway")
    func selfContained() throws {
        let fixture = try ReportFixture()
        let html = try fixture.report().renderHTML(includeNotes: true, notice: "Notice")
        for forbidden in ["<script", "http:", "https:", "url(", "@import", "<link", "<img", "<iframe", "<object", "<embed", "src=", "href=",
                          "xlink", "@font-face", " on"] where forbidden != " on" {
            #expect(!html.lowercased().contains(forbidden), "the page contains \(forbidden)")
        }
        #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "no event-handler attributes")
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;"))
        #expect(html.contains("@media print") && html.contains("prefers-color-scheme:dark") && html.contains("@page"))
        #expect(html.contains("role=\"img\"") && html.contains("<desc id=\"chart-mood-desc\">"))
        // It does not claim a check it cannot have: the page is unsigned; an audit bundle is the proof.
        #expect(html.contains("This page is not signed, so it proves nothing by itself") && html.contains("sealed-journal verify-audit"))
        #expect(!html.contains("verify --against"))
    }

    @Test("the same input renders the same bytes")
    func deterministic() throws {
        let fixture = try ReportFixture()
        let first = try fixture.report().renderHTML(includeNotes: true)
        let second = try fixture.report().renderHTML(includeNotes: true)
        #expect(first == second)
    }

    @Test("empty, one-day and year-long periods render whole pages")
    func periods() throws {
        let fixture = try ReportFixture()
        func page(_ from: String, _ to: String) throws -> String {
            try ComplianceReport.build(fixture.journal, from: try LocalDate(from), to: try LocalDate(to), now: ReportFixture.now,
                                       timeZone: ReportFixture.zone).renderHTML(includeNotes: false)
        }
        let empty = try page("2025-03-01", "2025-03-31")
        #expect(!empty.contains("class=\"line ") && empty.contains("No hard days") && empty.contains("(1 worst to 10 best): no values."))
        #expect(empty.components(separatedBy: "class=\"cell c-missed\"").count - 1 == 31)
        let one = try page("2026-11-04", "2026-11-04")
        #expect(one.contains("<h1>4 November 2026</h1>") && one.contains("class=\"dot dot-mood\""))
        let year = try page("2025-11-07", "2026-11-06")
        #expect(year.components(separatedBy: "class=\"month\"").count - 1 == 13)
        #expect(year.components(separatedBy: "class=\"cell c-").count - year.components(separatedBy: "class=\"cell c-outside\"").count == 365)
        #expect(year.hasSuffix("</html>\n"))
    }

    @Test("report --format html and export --format html write a page and record the disclosure")
    func commandLine() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        try CLI.run(["checkin", path, "--day", "2026-11-02", "--mood", "5", "--craving", "6", "--use", "hard-day", "--note", "PRIVATE <b>note</b>", "--allow-args"])
        let report = try CLI.run(["report", path, "--from", "2026-11-01", "--to", "2026-11-03", "--format", "html", "--no-notes",
                                  "--output", dir.file("r.html")])
        #expect(report.status == 0, "\(report.stderr)")
        let page = try String(contentsOfFile: dir.file("r.html"), encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && !page.contains("PRIVATE"))
        let export = try CLI.run(["export", path, "--format", "html", "--output", dir.file("e.html")])
        #expect(export.status == 0, "\(export.stderr)")
        let exported = try String(contentsOfFile: dir.file("e.html"), encoding: .utf8)
        #expect(exported.contains("Check-in export") && exported.contains("PRIVATE &lt;b&gt;note&lt;/b&gt;"))
        #expect(try CLI.run(["export", path, "--format", "html", "--kind", "entry"]).status != 0)
        #expect(try CLI.run(["report", path, "--from", "2026-11-01", "--to", "2026-11-03", "--format", "csv",
                             "--notice-file", dir.file("r.html")]).status == 64)
        let disclosures = try CLI.run(["disclosures", path]).stdout
        #expect(disclosures.contains("compliance-report-html") && disclosures.contains("format:  html"))
    }

    /// Colour variables of the `:root{...}` block that starts at `marker` in the stylesheet.
    static func palette(after marker: String) -> [String: String] {
        let css = ReportStylesheet.css.description
        guard let start = css.range(of: marker) else { return [:] }
        let block = css[start.upperBound...].prefix { $0 != "}" }
        var colours: [String: String] = [:]
        for declaration in block.split(separator: ";") {
            let parts = declaration.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].hasPrefix("--"), parts[1].hasPrefix("#") { colours[String(parts[0].dropFirst(2))] = parts[1] }
        }
        return colours
    }

    /// WCAG 2 contrast ratio of two `#rgb` / `#rrggbb` colours.
    static func contrast(_ a: String, _ b: String) -> Double {
        func luminance(_ hex: String) -> Double {
            var digits = Array(hex.dropFirst())
            if digits.count == 3 { digits = digits.flatMap { [$0, $0] } }
            let channels = stride(from: 0, to: 6, by: 2).map { Double(Int(String(digits[$0..<$0 + 2]), radix: 16) ?? 0) / 255 }
            let linear = channels.map { $0 <= 0.03928 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
            return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        }
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test("text colours meet WCAG AA (4.5:1) on their backgrounds, in the light, dark and print palettes")
    func contrast() {
        let pairs = [("fg", "bg"), ("muted", "bg"), ("muted", "panel"), ("fg", "panel"), ("sober-fg", "sober-bg"), ("hard-fg", "hard-bg"),
                     ("used-fg", "used-bg"), ("late-fg", "late-bg"), ("missed-fg", "missed-bg"), ("future-fg", "bg"), ("fg", "notice-bg"),
                     ("hard-fg", "panel"), ("used-fg", "panel"), ("sober-fg", "panel")]
        let light = Self.palette(after: ":root{color-scheme:light dark;")
        let dark = Self.palette(after: "@media (prefers-color-scheme:dark){:root{")
        let print = Self.palette(after: "@media print{\n:root{").merging(light) { mine, _ in mine }
        for (name, palette) in [("light", light), ("dark", dark.merging(light) { mine, _ in mine }), ("print", print)] {
            #expect(palette.count > 20, "\(name) palette parsed")
            for (text, background) in pairs {
                guard let foreground = palette[text], let behind = palette[background] else {
                    Issue.record("\(name): --\(text) or --\(background) is not defined")
                    continue
                }
                let ratio = Self.contrast(foreground, behind)
                #expect(ratio >= 4.5, "\(name): --\(text) on --\(background) is \(ratio):1")
            }
        }
        #expect(Self.contrast("#777777", "#ffffff") < 4.5, "the check itself rejects a failing pair")
    }
}
