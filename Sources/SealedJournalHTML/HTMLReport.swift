import Foundation
@_spi(Rendering) import SealedJournal

extension ComplianceReport {
    /// Renders the report as one self-contained HTML page: inline CSS and SVG charts, no
    /// script, no fonts, images or links that load anything (a Content-Security-Policy forbids
    /// it too), printable on A4 and Letter. Deterministic: the same report gives the same bytes.
    ///
    /// With `includeNotes == false` no free text (triggers, notes) appears. Journal text is
    /// escaped: it shows as text and cannot add markup or run anything.
    /// - Parameters:
    ///   - includeNotes: include triggers and notes.
    ///   - notice: shown first, in a box (e.g. a redisclosure notice).
    ///   - title: the page's name ("Compliance report"; exports use "Check-in export").
    public func renderHTML(includeNotes: Bool, notice: String? = nil, title: String = "Compliance report") -> String {
        ReportPage(report: self, includeNotes: includeNotes, notice: notice, title: title).render()
    }

    /// The HTML page as something to disclose (`Journal.disclose(_:to:output:beforeRecording:)`):
    /// recorded as a disclosure with format `compliance-report-html`; the request's notice is
    /// shown first on the page.
    public func htmlRendering(includeNotes: Bool, title: String = "Compliance report",
                              formatName: String = "compliance-report-html") -> ComplianceReport.Rendering {
        ComplianceReport.Rendering(report: self, formatName: formatName, includeNotes: includeNotes) { report, notice in
            report.renderHTML(includeNotes: includeNotes, notice: notice, title: title)
        }
    }
}

/// Check-in exports as an HTML page: the report page over the days of the exported check-ins.
public enum HTMLExport {
    /// The check-ins matching `filter` as an HTML page (charts, calendar, every check-in with its
    /// notes unless `includeNotes` is false), to disclose with `Journal.disclose(_:to:output:beforeRecording:)`
    /// (format `html`). Only check-ins can be exported this way.
    ///
    /// - Parameters:
    ///   - journal: the journal to read.
    ///   - filter: which records; only check-ins are shown.
    ///   - includeNotes: include triggers and notes (exports include them unless asked not to).
    ///   - now: the page's report date.
    ///   - timeZone: the page's time zone.
    /// - Throws: `JournalError.invalidField(field:reason:)` when `filter.kinds` names no check-ins
    ///   or the check-ins span more than `ComplianceReport.maximumDays`; read errors.
    /// - Returns: the page to disclose, and the number of check-ins on it.
    public static func checkIns(_ journal: Journal, filter: RecordFilter = .all, includeNotes: Bool = true,
                                now: Date = Date(), timeZone: TimeZone = .current) throws(JournalError) -> (page: ComplianceReport.Rendering, checkIns: Int) {
        if let kinds = filter.kinds, !kinds.contains(RecordKind.checkIn) {
            throw JournalError.invalidField(field: "format", reason: "the HTML export shows check-ins only; select check-ins")
        }
        let report = try ComplianceReport.build(journal, matching: filter, now: now, timeZone: timeZone)
        let count = report.days.reduce(0) { $0 + $1.checkIns.count }
        return (report.htmlRendering(includeNotes: includeNotes, title: "Check-in export", formatName: "html"), count)
    }
}
