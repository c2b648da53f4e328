import Foundation
import Testing
import SealedJournal
import SealedJournalHTML

/// The HTML report in a real browser (Debian's `chromium-headless-shell`, installed by
/// `scripts/ensure-deps.sh --with-age`): rendered to PNG and to PDF with networking disabled,
/// checked for content, and checked from Chromium's own network log for any request.
/// The demo page and its pictures stay in `.build/test-output/` for a person to look at.
enum Browser {
    /// The first Chromium found (`SEALED_JOURNAL_BROWSER` overrides).
    static let path: String? = {
        if let chosen = ProcessInfo.processInfo.environment["SEALED_JOURNAL_BROWSER"] { return chosen }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init) + ["/usr/bin"]
        for name in ["chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"] {
            for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/" + name) {
                return directory + "/" + name
            }
        }
        return nil
    }()

    static let outputDirectory: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/test-output").path
    }()

    struct Run {
        let status: Int32
        let networkLog: [String: Any]
    }

    /// Renders `page` (a file) with `action` (`--screenshot=...` or `--print-to-pdf=...`), offline:
    /// every host resolves to nothing and the proxy points at a closed port.
    static func render(_ page: String, _ action: [String], scratch: TemporaryDirectory) throws -> Run {
        guard let path else { throw CocoaError(.fileNoSuchFile) }
        let log = scratch.file("netlog-\(UUID().uuidString).json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = (path.hasSuffix("headless-shell") ? [] : ["--headless"]) + [
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-domain-reliability", "--metrics-recording-only", "--hide-scrollbars",
            "--user-data-dir=" + scratch.file("profile"), "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
            "--log-net-log=" + log, "--net-log-capture-mode=Everything", "--window-size=1100,3200",
        ] + action + [URL(fileURLWithPath: page).absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        let data = (try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()
        // Chromium may stop without closing the log's JSON array: close it if needed.
        var text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.hasSuffix("}") { text = text.trimmingCharacters(in: CharacterSet(charactersIn: ",")) + "]}" }
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        return Run(status: process.terminationStatus, networkLog: json)
    }

    /// Every URL or host named in the network log's events.
    static func requestedAddresses(_ log: [String: Any]) -> [String] {
        var found: [String] = []
        func walk(_ value: Any, key: String) {
            if let object = value as? [String: Any] {
                for (k, v) in object { walk(v, key: k) }
            } else if let array = value as? [Any] {
                for v in array { walk(v, key: key) }
            } else if let text = value as? String, ["url", "host", "origin", "original_url", "host_port", "server"].contains(key) {
                if !text.hasPrefix("file:") && !text.hasPrefix("data:") { found.append(text) }
            }
        }
        walk(log["events"] ?? [], key: "")
        return found
    }

    /// PNG width and height from the IHDR chunk.
    static func pngSize(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count > 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        func be(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }
}

/// Thirty days of sample check-ins ending 2026-11-27 (as `make demo` shows): missed days, hard
/// days, a day with use, a day checked in twice, one written two days late.
func makeDemoJournal(at path: String) throws -> (Journal, ComplianceReport) {
    let journal = try makeJournal(at: path).journal
    let moods = [6, 6, 7, 5, 6, 7, 0, 7, 8, 4, 6, 7, 7, 0, 0, 3, 5, 6, 6, 7, 7, 6, 0, 5, 6, 7, 7, 8, 8, 8]
    let cravings = [4, 3, 3, 5, 3, 2, 0, 2, 2, 7, 4, 3, 2, 0, 0, 9, 6, 4, 4, 3, 2, 3, 0, 6, 3, 2, 2, 1, 1, 1]
    let sleeps = [7, 6.5, 7.5, 5.5, 7, 8, 0, 7.5, 8, 5, 6.5, 7, 7.5, 0, 0, 4.5, 6, 7, 7, 7.5, 8, 7, 0, 6, 7, 7.5, 8, 7.5, 8, 7.5]
    let last = try LocalDate("2026-11-27")
    var records: [PendingRecord] = []
    for i in 0..<30 where moods[i] > 0 {
        guard let day = LocalDate(daysSince1970: last.daysSince1970 - 29 + i) else { continue }
        var use = CheckIn.UseStatus.sober
        var triggers: [String] = []
        var note: String?
        var support = false
        switch i {
        case 9, 23: use = .hardDay; triggers = ["payday", "old friends"]; support = true; note = "Called Sam before going home."
        case 17: use = .hardDay; triggers = ["argument at home"]
        case 15: use = .used; triggers = ["conference dinner", "wine list"]; support = true; note = "Two glasses. Told my sponsor the next morning."
        default: break
        }
        let kinds: [CheckIn.MeetingKind] = [[], [.aa], [], [.aa, .therapy], [], [.smart], [.peer]][i % 7]
        let checkIn = CheckIn(day: day, timeZoneOffsetSeconds: 3600, mood: moods[i], craving: cravings[i], use: use, sleepHours: sleeps[i],
                              meetingsAttended: kinds.count, meetingKinds: kinds, medication: i == 10 || i == 16 ? .missed : .taken,
                              triggers: triggers, reachedOutToSupport: support, note: note)
        let evening = Double(day.daysSince1970 * 86_400 + 21 * 3600)
        if i == 20 {
            let morning = CheckIn(day: day, timeZoneOffsetSeconds: 3600, mood: 5, craving: 4, use: .sober, sleepHours: 6, meetingsAttended: 1,
                                  meetingKinds: [.na], medication: .taken, reachedOutToSupport: true, note: "Morning meeting.")
            records.append(PendingRecord(morning, recordedAt: Date(timeIntervalSince1970: Double(day.daysSince1970 * 86_400 + 8 * 3600 + 40 * 60))))
        }
        records.append(PendingRecord(checkIn, recordedAt: Date(timeIntervalSince1970: evening + (i == 25 ? 2 * 86_400 - 1800 : 0))))
    }
    try journal.appendBatch(records)
    let now = Date(timeIntervalSince1970: Double(last.daysSince1970 * 86_400 + 19 * 3600))
    let report = try ComplianceReport.build(journal, from: try LocalDate("2026-10-29"), to: last, now: now,
                                            timeZone: TimeZone(secondsFromGMT: 3600) ?? .current)
    return (journal, report)
}

@Suite("HTML report in a real browser", .serialized,
       .enabled(if: Browser.path != nil, "no Chromium found: run scripts/ensure-deps.sh --with-age (installs chromium-headless-shell)"))
struct BrowserRenderTests {
    @Test("the demo report renders to a PNG and to PDFs (Letter and A4), offline, with no request leaving the page")
    func demoReport() throws {
        let scratch = try TemporaryDirectory()
        let (_, report) = try makeDemoJournal(at: scratch.file("demo.sjournal"))
        try FileManager.default.createDirectory(atPath: Browser.outputDirectory, withIntermediateDirectories: true)
        let html = report.renderHTML(includeNotes: true, notice: "Confidential: protected by 42 CFR Part 2. Do not redisclose.")
        let page = Browser.outputDirectory + "/report-demo.html"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        let blankPage = scratch.file("blank.html")
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blankPage, atomically: true, encoding: .utf8)

        let png = Browser.outputDirectory + "/report-demo.png"
        try? FileManager.default.removeItem(atPath: png)
        let shot = try Browser.render(page, ["--screenshot=" + png], scratch: scratch)
        #expect(shot.status == 0)
        let pngBytes = try fileBytes(png)
        let size = try #require(Browser.pngSize(pngBytes))
        #expect(size.0 == 1100 && size.1 == 3200)
        let blankPNG = scratch.file("blank.png")
        _ = try Browser.render(blankPage, ["--screenshot=" + blankPNG], scratch: scratch)
        let blankBytes = try fileBytes(blankPNG)
        #expect(pngBytes.count > blankBytes.count * 10, "the screenshot is not blank: \(pngBytes.count) bytes against \(blankBytes.count) for an empty page")
        #expect(!shot.networkLog.isEmpty, "Chromium wrote its network log")
        #expect(Browser.requestedAddresses(shot.networkLog).isEmpty, "requests: \(Browser.requestedAddresses(shot.networkLog))")

        for (paper, css) in [("letter", ""), ("a4", "@page{size:A4}")] {
            let source = css.isEmpty ? page : scratch.file("a4.html")
            if !css.isEmpty { try html.replacingOccurrences(of: "</style>", with: css + "</style>").write(toFile: source, atomically: true, encoding: .utf8) }
            let pdf = Browser.outputDirectory + "/report-demo-\(paper).pdf"
            try? FileManager.default.removeItem(atPath: pdf)
            let printed = try Browser.render(source, ["--print-to-pdf=" + pdf, "--no-pdf-header-footer"], scratch: scratch)
            #expect(printed.status == 0)
            let text = String(decoding: try fileBytes(pdf), as: UTF8.self)
            #expect(text.hasPrefix("%PDF-"))
            let pages = text.components(separatedBy: "/MediaBox [").count - 1
            #expect(pages >= 5, "\(paper): sections start on new pages (\(pages) pages)")
            let mediaBox = paper == "a4" ? #"/MediaBox \[0 0 59[45][.0-9]* 84[12]"# : #"/MediaBox \[0 0 612 792\]"#
            #expect(text.range(of: mediaBox, options: .regularExpression) != nil, "\(paper) paper size")
            #expect(Browser.requestedAddresses(printed.networkLog).isEmpty)
        }
    }

    @Test("the network check sees a request when a page makes one (so its silence above means something)")
    func networkCheckCanFail() throws {
        let scratch = try TemporaryDirectory()
        let leaking = scratch.file("leak.html")
        try "<!DOCTYPE html><html><body><img src=\"http://192.0.2.1/pixel.png\"><p>x</p></body></html>"
            .write(toFile: leaking, atomically: true, encoding: .utf8)
        let run = try Browser.render(leaking, ["--screenshot=" + scratch.file("leak.png")], scratch: scratch)
        #expect(Browser.requestedAddresses(run.networkLog).contains { $0.contains("192.0.2.1") })
    }
}
