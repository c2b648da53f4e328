@_spi(Rendering) import SealedJournal

/// Builds the HTML page of a ``ComplianceReport``: header and provenance, key figures, a calendar,
/// charts, the hard days, the per-day table, the summary and (only when included) the notes.
struct ReportPage {
    let report: ComplianceReport
    let includeNotes: Bool
    let notice: String?
    let title: String

    func render() -> String {
        let page = el("html", [("lang", "en")],
                      el("head", [],
                         el("meta", [("charset", "utf-8")]),
                         el("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
                         // Defence in depth: even if markup slipped in, nothing could load or run.
                         el("meta", [("http-equiv", "Content-Security-Policy"),
                                     ("content", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'")]),
                         el("meta", [("name", "referrer"), ("content", "no-referrer")]),
                         el("meta", [("name", "color-scheme"), ("content", "light dark")]),
                         el("meta", [("name", "generator"), ("content", "SealedJournal")]),
                         el("title", [], txt("\(title), \(report.from) to \(report.to)")),
                         el("style", [], .constant(ReportStylesheet.css))),
                      el("body", [], children: [header(), overview(), calendar(), charts(), hardDays(), table(), summary()]
                         + (includeNotes ? [notes()] : []) + [footer()]))
        return "<!DOCTYPE html>\n" + page.render() + "\n"
    }

    // MARK: - Header

    private func longDate(_ day: LocalDate) -> String {
        "\(day.day) \(ChartGeometry.monthFullNames[day.month - 1]) \(day.year)"
    }

    private var period: String {
        if report.from == report.to { return longDate(report.from) }
        if report.from.year == report.to.year {
            if report.from.month == report.to.month {
                return "\(report.from.day)–\(longDate(report.to))"
            }
            return "\(report.from.day) \(ChartGeometry.monthFullNames[report.from.month - 1]) – \(longDate(report.to))"
        }
        return "\(longDate(report.from)) – \(longDate(report.to))"
    }

    private func header() -> Node {
        var facts: [(String, Node)] = [
            ("Period", txt("\(report.from) to \(report.to) (\(report.days.count) day\(report.days.count == 1 ? "" : "s"))")),
            ("Report date", txt("\(report.today); later days are not counted")),
            ("Made at", txt(report.generatedAtReadable)),
            ("Journal fingerprint", el("code", [], txt(report.fingerprint.description))),
            ("Checkpoint", .fragment([txt("\(report.checkpoint.treeSize) records, root "), el("code", [], txt(report.checkpointRoot))])),
            ("Notes and triggers", txt(includeNotes ? "Included" : "Left out of this report")),
        ]
        facts.insert(("Journal", el("code", [], txt(report.journalID.description))), at: 3)
        var children: [Node] = [el("p", [("class", "eyebrow")], txt("SealedJournal · \(title)")), el("h1", [], txt(period))]
        if let notice {
            children.append(el("div", [("class", "notice"), ("role", "note")], el("strong", [], txt("Notice")), txt(notice)))
        }
        children.append(el("dl", [("class", "facts")], children: facts.flatMap { [el("dt", [], txt($0.0)), el("dd", [], $0.1)] }))
        return el("header", [], children: children)
    }

    // MARK: - Overview

    private func overview() -> Node {
        let s = report.summary
        func tile(_ value: String, _ label: String, _ tone: String = "") -> Node {
            el("li", [("class", "tile " + tone)], el("span", [("class", "value")], txt(value)), el("span", [("class", "label")], txt(label)))
        }
        func average(_ value: Double?) -> String { value.map { ChartGeometry.format($0) } ?? "–" }
        let tiles = [
            tile("\(s.daysCheckedIn) / \(s.daysElapsed)", "days checked in", "good"),
            tile("\(s.daysMissed)", "days missed", s.daysMissed > 0 ? "warn" : ""),
            tile("\(s.soberDays)", "sober days", "good"),
            tile("\(s.hardDays)", "hard days, no use", s.hardDays > 0 ? "warn" : ""),
            tile("\(s.usedDays)", "days with use", s.usedDays > 0 ? "bad" : ""),
            tile("\(s.lateCheckIns)", "checked in late", s.lateCheckIns > 0 ? "warn" : ""),
            tile("\(s.currentStreak)", "current run, no use"),
            tile("\(s.longestStreak)", "longest run, no use"),
            tile(average(s.averageMood), "average mood, 1–10"),
            tile(average(s.averageCraving), "average craving, 0–10"),
            tile("\(s.meetings)", "meetings attended"),
            tile("\(s.daysReachedOut)", "days reached out"),
        ]
        var notes: [String] = []
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) " + (n == 1 ? one : many) }
        if s.daysInFuture > 0 {
            notes.append(count(s.daysInFuture, "day after the report date is", "days after the report date are") + " shown but not counted.")
        }
        if s.daysPending > 0 { notes.append("Today has no check-in yet; it is pending, not missed.") }
        if s.daysWithSeveralCheckIns > 0 {
            notes.append(count(s.daysWithSeveralCheckIns, "day has", "days have") + " several check-ins.")
        }
        if s.checkInsNotCounted > 0 {
            notes.append(count(s.checkInsNotCounted, "check-in is", "check-ins are") + " listed but not counted (marked in the day-by-day table).")
        }
        if s.checkInsRecordedAhead > 0 {
            notes.append(count(s.checkInsRecordedAhead, "check-in was", "check-ins were") + " written before their day came.")
        }
        return el("section", [("id", "overview"), ("class", "first")],
                  children: [el("h2", [], txt("At a glance")), el("ul", [("class", "tiles")], children: tiles)]
                  + notes.map { el("p", [], txt($0)) } + [el("p", [("class", "rule")], txt(ComplianceReport.countingRule))])
    }

    // MARK: - Calendar

    private func cellClass(_ day: ComplianceReport.Day) -> (String, String, String) {
        switch day.status {
        case .missed: return ("c-missed", "–", "missed")
        case .pending: return ("c-pending", "…", "today, not checked in yet")
        case .future: return ("c-future", day.checkIns.isEmpty ? "" : "?", day.checkIns.isEmpty ? "after the report date" : "after the report date; check-in not counted")
        case .checkedIn:
            guard let row = day.counted else { return ("c-missed", "–", "missed") }
            let late = row.timingNote.map { "; " + $0 } ?? ""
            switch row.checkIn.use {
            case .sober: return ("c-sober", row.recordedDaysAfterDay > 0 ? "✓*" : "✓", "sober" + late)
            case .hardDay: return ("c-hard-day", row.recordedDaysAfterDay > 0 ? "!*" : "!", "hard day, no use" + late)
            case .used: return ("c-used", row.recordedDaysAfterDay > 0 ? "✕*" : "✕", "used" + late)
            }
        }
    }

    private func calendar() -> Node {
        var months: [Node] = []
        var index = 0
        let days = report.days
        while index < days.count {
            let first = days[index].day
            var cells: [Node] = ["M", "T", "W", "T", "F", "S", "S"].map { letter in
                el("div", [("class", "wd"), ("aria-hidden", "true")], txt(letter))
            }
            for _ in 1..<first.isoWeekday { cells.append(el("div", [("class", "cell c-outside")])) }
            while index < days.count, days[index].day.month == first.month, days[index].day.year == first.year {
                let day = days[index]
                let (style, symbol, words) = cellClass(day)
                cells.append(el("div", [("class", "cell " + style), ("role", "img"), ("title", "\(day.day): \(words)"), ("aria-label", "\(day.day): \(words)")],
                                el("span", [("class", "n")], txt("\(day.day.day)")), el("span", [("class", "s")], txt(symbol))))
                index += 1
            }
            months.append(el("div", [("class", "month")],
                             el("h3", [], txt("\(ChartGeometry.monthFullNames[first.month - 1]) \(first.year)")),
                             el("div", [("class", "cal")], children: cells)))
        }
        let legend: [(String, String)] = [("c-sober", "✓ sober"), ("c-hard-day", "! hard day, no use"), ("c-used", "✕ used"),
                                          ("c-missed", "– missed"), ("c-pending", "… today, pending"), ("c-future", "after the report date")]
        return el("section", [("id", "calendar"), ("class", "follows")],
                  el("h2", [], txt("Calendar")),
                  el("div", [("class", "months")], children: months),
                  el("ul", [("class", "legend")], children: legend.map { style, words in
                      el("li", [], el("span", [("class", "sw cell " + style), ("style", "height:14px;padding:0")]), txt(words))
                  } + [el("li", [], txt("* recorded a day or more after the day"))]))
    }

    // MARK: - Charts

    private func legend(_ items: [(String, String)]) -> Node {
        el("ul", [("class", "legend")], children: items.map { style, words in el("li", [], el("span", [("class", "sw " + style)]), txt(words)) })
    }

    private func charts() -> Node {
        let charts = ReportCharts(report: report)
        let usedKinds = ReportCharts.meetingKinds.filter { kind in charts.weeklyMeetings().contains { ($0.byKind[kind] ?? 0) > 0 } }
        return el("section", [("id", "trends"), ("class", "follows")],
                  el("h2", [], txt("Trends")),
                  el("p", [("class", "rule")], txt("Charts show counted check-ins only. Grey bands are missed days: the lines break there instead of falling to zero. The day-by-day table carries every value shown.")),
                  el("figure", [],
                     el("figcaption", [], txt("Mood and craving")),
                     charts.moodAndCraving(),
                     el("ul", [("class", "legend")],
                        el("li", [], el("span", [("class", "sw line"), ("style", "color:var(--mood)")]), txt("Mood, 1 (worst) to 10 (best)")),
                        el("li", [], el("span", [("class", "sw line dashed"), ("style", "color:var(--craving)")]), txt("Craving, 0 (none) to 10 (overwhelming)")),
                        el("li", [], el("span", [("class", "sw band-missed")]), txt("missed day")))),
                  el("figure", [],
                     el("figcaption", [], txt("Sleep")),
                     charts.sleep(),
                     legend([("sleep", "hours slept"), ("sleep-short", "under 6 hours")])),
                  el("figure", [],
                     el("figcaption", [], txt("Meetings per week")),
                     charts.meetings(),
                     legend(usedKinds.isEmpty ? [("mk-unspecified", "no meetings recorded")]
                            : usedKinds.map { (ReportCharts.kindClass($0), ReportCharts.kindLabel($0)) })),
                  el("figure", [],
                     el("figcaption", [], txt("Medication")),
                     charts.medication(),
                     legend([("med-taken", "taken"), ("med-missed", "missed"), ("med-none", "none prescribed"),
                             ("med-unreported", "not reported"), ("med-nocheckin", "no check-in")])))
    }

    // MARK: - Hard days

    private func hardDays() -> Node {
        let hard = report.days.filter { day in day.status == .checkedIn && (day.checkIn.map { $0.use != .sober } ?? false) }
        let items: [Node] = hard.compactMap { day in
            guard let row = day.counted else { return nil }
            let c = row.checkIn
            var parts: [Node] = [
                el("div", [], el("span", [("class", "when")], txt("\(day.day)  ")),
                   pill(c.use.rawValue, ComplianceReport.useLabel(c.use))),
                el("div", [], txt("Mood \(c.mood)/10 · craving \(c.craving)/10 · sleep \(c.sleepHours.map(ComplianceReport.hours) ?? "not reported") · meetings \(ComplianceReport.meetingsLabel(c)) · reached out: \(c.reachedOutToSupport ? "yes" : "no")")),
            ]
            if includeNotes {
                if !c.triggers.isEmpty { parts.append(el("div", [("class", "free")], txt("Triggers: " + c.triggers.joined(separator: "; ")))) }
                if let note = c.note { parts.append(el("div", [("class", "free")], txt("Note: " + note))) }
            }
            return el("li", [("class", c.use == .used ? "used" : "")], children: parts)
        }
        return el("section", [("id", "hard-days")],
                  el("h2", [], txt("Hard days")),
                  items.isEmpty ? el("p", [], txt("No hard days or use among the counted check-ins."))
                                : el("ul", [("class", "hard")], children: items))
    }

    // MARK: - Table

    private func pill(_ style: String, _ words: String) -> Node { el("span", [("class", "pill p-" + style)], txt(words)) }

    private func table() -> Node {
        let header = ["Day", "Status", "Check-in", "Recorded", "Craving", "Mood", "Sleep", "Meetings", "Medication", "Reached out"]
        let numeric: Set<String> = ["Craving", "Mood", "Sleep"]
        var rows: [Node] = []
        for day in report.days {
            let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day.day.isoWeekday - 1]
            let dayCell = el("td", [("class", "day")], txt(day.day.description), el("span", [("class", "wd")], txt(" " + weekday)))
            let status = pill(day.status.rawValue, ComplianceReport.statusLabel(day.status))
            if day.checkIns.isEmpty {
                rows.append(el("tr", [("class", day.status.rawValue)],
                               children: [dayCell, el("td", [], status)] + (2..<header.count).map { _ in el("td", []) }))
                continue
            }
            for row in day.checkIns {
                let c = row.checkIn
                let sameDay = row.recordedDaysAfterDay == 0
                var recorded: [Node] = [txt(sameDay ? String(row.recordedAtReadable.dropFirst(11)) : row.recordedAtReadable)]
                if let timing = row.timingNote { recorded += [el("br"), pill("late", timing)] }
                if let by = row.correctedBy { recorded += [el("br"), pill("late", "corrected by #\(by)")] }
                if let note = row.witnessNote(timeZone: report.timeZone) {
                    if case .witnessed? = row.witness { recorded += [el("br"), el("span", [("class", "small")], txt(note))] } else { recorded += [el("br"), pill("late", note)] }
                }
                var checkIn: [Node] = [txt("#\(row.sequence)")]
                if day.checkIns.count > 1 || !row.counted {
                    let replacement = day.counted.map { " by #\($0.sequence)" } ?? ""
                    checkIn += [el("br"), row.counted ? el("span", [("class", "small")], txt("counted: last recorded"))
                                                      : el("span", [("class", "small")], txt(row.reason == .dayIsInTheFuture ? "not counted: future day"
                                                            : row.reason == .recordedBeforeItsDay ? "not counted: written ahead"
                                                            : "not counted: replaced" + replacement))]
                }
                var statusCell: [Node] = [pill(c.use.rawValue, ComplianceReport.useLabel(c.use))]
                if day.status != .checkedIn { statusCell = [status, el("br")] + statusCell }
                let cells: [Node] = [
                    dayCell, el("td", [("class", "status")], children: statusCell), el("td", [("class", "checkin")], children: checkIn), el("td", [], children: recorded),
                    el("td", [("class", "num")], txt("\(c.craving)")), el("td", [("class", "num")], txt("\(c.mood)")),
                    el("td", [("class", "num")], txt(c.sleepHours.map(ComplianceReport.hours) ?? "–")),
                    el("td", [], txt(ComplianceReport.meetingsLabel(c))),
                    el("td", [], txt(c.medication.map { $0 == .none ? "None" : ComplianceReport.medicationLabel($0) } ?? "–")),
                    el("td", [], txt(c.reachedOutToSupport ? "Yes" : "No")),
                ]
                let style = [day.status.rawValue, row.counted ? "" : "not-counted"].filter { !$0.isEmpty }.joined(separator: " ")
                let hasText = includeNotes && (!c.triggers.isEmpty || c.note != nil)
                rows.append(el("tr", [("class", style + (hasText ? " has-text" : ""))], children: cells))
                if hasText {
                    var text: [Node] = []
                    if !c.triggers.isEmpty { text += [el("strong", [], txt("Triggers: ")), txt(c.triggers.joined(separator: "; "))] }
                    if let note = c.note {
                        if !text.isEmpty { text.append(el("br")) }
                        text += [el("strong", [], txt("Note: ")), txt(note)]
                    }
                    rows.append(el("tr", [("class", "text-row " + style)],
                                   el("td", []), el("td", [("colspan", "\(header.count - 1)"), ("class", "free")], children: text)))
                }
            }
        }
        return el("section", [("id", "days")],
                  el("h2", [], txt("Day by day")),
                  el("p", [("class", "rule")], txt("Every check-in in the period, in the order recorded, and every day without one. "
                                                   + "Times are the writer's local time with its UTC offset (the date is shown when it differs from the day)."
                                                   + (includeNotes ? " Triggers and notes are under their check-in." : ""))),
                  el("div", [("class", "table-wrap")],
                     el("table", [],
                        el("thead", [], el("tr", [], children: header.map { el("th", [("scope", "col")] + (numeric.contains($0) ? [("class", "num")] : []), txt($0)) })),
                        el("tbody", [], children: rows))))
    }

    // MARK: - Summary, notes, footer

    private func summary() -> Node {
        el("section", [("id", "summary"), ("class", "follows")],
           el("h2", [], txt("Summary")),
           el("dl", [("class", "summary")], children: ComplianceReport.summaryLabels(report.summary).flatMap { name, value in
               [el("dt", [], txt(name)), el("dd", [], txt(value))]
           }))
    }

    private func notes() -> Node {
        let written = report.days.flatMap { day in day.checkIns.map { (day, $0) } }
            .filter { !$0.1.checkIn.triggers.isEmpty || $0.1.checkIn.note != nil }
        let items: [Node] = written.map { day, row in
            var parts: [Node] = [el("div", [], el("span", [("class", "when")], txt("\(day.day) · check-in #\(row.sequence)")))]
            if !row.checkIn.triggers.isEmpty {
                parts.append(el("div", [("class", "free")], txt("Triggers: " + row.checkIn.triggers.joined(separator: "; "))))
            }
            if let note = row.checkIn.note { parts.append(el("div", [("class", "free")], txt(note))) }
            return el("li", [], children: parts)
        }
        return el("section", [("id", "notes")],
                  el("h2", [], txt("Triggers and notes")),
                  items.isEmpty ? el("p", [], txt("No triggers or notes in this period.")) : el("ul", [("class", "hard")], children: items))
    }

    private func footer() -> Node {
        el("footer", [],
           el("p", [], txt("Made by SealedJournal from the journal with fingerprint \(report.fingerprint), as of its checkpoint of \(report.checkpoint.treeSize) records (root \(report.checkpointRoot)). "
                           + "This page is not signed, so it proves nothing by itself: to check its figures, ask for an audit bundle of the same days and run `sealed-journal verify-audit` on it. "
                           + "This file is self-contained: it loads nothing and runs no script.")),
           el("p", [], txt(includeNotes ? "This report includes free text written by the client (triggers and notes)." : "Free text (triggers, notes) was left out of this report.")))
    }
}
