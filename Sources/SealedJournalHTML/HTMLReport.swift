import Foundation
import SealedJournal

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

    /// Writes the HTML page through the disclosure machinery (see
    /// `ComplianceReport.disclose(from:format:includeNotes:request:recipients:armored:write:beforeRecording:)`):
    /// optionally age-encrypted, recorded as a disclosure with format `compliance-report-html`.
    /// The request's notice is shown first on the page.
    /// - Throws: `JournalError.readOnly`, write and encryption errors; nothing is recorded then.
    @discardableResult
    public func discloseHTML(from journal: Journal, includeNotes: Bool, request: DisclosureRequest,
                             recipients: [AgeRecipient] = [], armored: Bool = false, write: @escaping (Data) throws -> Void,
                             beforeRecording: () throws -> Void = {}) throws -> Disclosure {
        try disclose(from: journal, formatName: "compliance-report-html", includeNotes: includeNotes, request: request,
                     recipients: recipients, armored: armored, write: write, beforeRecording: beforeRecording) {
            renderHTML(includeNotes: includeNotes, notice: request.notice)
        }
    }
}

/// Check-in exports as an HTML page: the report page over the days of the exported check-ins.
public enum HTMLExport {
    /// Exports the check-ins matching `filter` as an HTML page (charts, calendar, every check-in
    /// with its notes), optionally age-encrypted, and records the disclosure (format `html`).
    /// Only check-ins can be exported this way.
    ///
    /// - Parameters:
    ///   - journal: the journal, open for writing (the disclosure is appended to it).
    ///   - filter: which records; only check-ins are shown.
    ///   - includeNotes: include triggers and notes (exports include them unless asked not to).
    ///   - request: who receives the page, why, and an optional notice shown first.
    ///   - recipients: age recipients; empty for a plaintext page.
    ///   - armored: ASCII-armor the age output.
    ///   - now: the page's report date.
    ///   - timeZone: the page's time zone.
    ///   - write: receives the output bytes (the plaintext page, or age ciphertext).
    ///   - beforeRecording: called after the last byte, before the disclosure is recorded (e.g. to
    ///     fsync and close a file); if it throws, nothing is recorded.
    /// - Throws: `JournalError.invalidField(field:reason:)` when `filter.kinds` names no check-ins
    ///   or the check-ins span more than `ComplianceReport.maximumDays`; read, write and
    ///   encryption errors (nothing is recorded then).
    /// - Returns: the disclosure recorded and the number of check-ins exported.
    @discardableResult
    public static func discloseCheckIns(_ journal: Journal, filter: RecordFilter = .all, includeNotes: Bool = true,
                                        request: DisclosureRequest, recipients: [AgeRecipient] = [], armored: Bool = false,
                                        now: Date = Date(), timeZone: TimeZone = .current, write: @escaping (Data) throws -> Void,
                                        beforeRecording: () throws -> Void = {}) throws -> (disclosure: Disclosure, records: Int) {
        if let kinds = filter.kinds, !kinds.contains(RecordKind.checkIn) {
            throw JournalError.invalidField(field: "format", reason: "the HTML export shows check-ins only; select check-ins")
        }
        let report = try ComplianceReport.build(journal, matching: filter, now: now, timeZone: timeZone)
        let count = report.days.reduce(0) { $0 + $1.checkIns.count }
        let disclosure = try report.disclose(from: journal, formatName: "html", includeNotes: includeNotes, request: request,
                                             recipients: recipients, armored: armored, write: write, beforeRecording: beforeRecording) {
            report.renderHTML(includeNotes: includeNotes, notice: request.notice, title: "Check-in export")
        }
        return (disclosure, count)
    }
}
