import ArgumentParser
import Foundation
import SealedJournal

struct Read: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read records.",
        discussion: """
        Prints readable text by default (times in your time zone), or JSON for scripts.

        Examples:
          sealed-journal read recovery.sjournal -n 5
          sealed-journal read recovery.sjournal --kind checkin --from 2026-11-01 --format json
        """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var target: JournalArgument
    @OptionGroup var range: RangeOptions
    @Option(name: .customShort("n"), help: ArgumentHelp("Only the last N matching records.", valueName: "N"))
    var count: Int?
    @Option(help: "Only entries with this tag.")
    var tag: String?
    @Option(help: ArgumentHelp("Only records whose text contains this (case-insensitive).", valueName: "text"))
    var contains: String?
    @Option(help: "text or json.")
    var format: OutputFormat = .text
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("-n must be at least 1") }
    }

    func run() throws {
        try runCommand(quiet: output.quiet) {
            let journal = try unlock.open(target.journal, mode: .readOnly)
            let filter = range.filter(tag: tag, containing: contains)
            var first = true
            let emit: (JournalRecord) throws -> Void = { record in
                switch format {
                case .text: Terminal.output(RecordText.render(record) + "\n")
                case .json:
                    let line = try RecordText.json(record)
                    Terminal.output((first ? "[\n" : ",\n") + line)
                    first = false
                }
            }
            var shown = 0
            if let count {
                for record in try journal.lastRecords(count, filter) { try emit(record); shown += 1 }
            } else {
                try journal.forEachRecord(filter) { try emit($0); shown += 1 }
            }
            if format == .json { Terminal.output(first ? "[]\n" : "\n]\n") }
            if shown == 0 { Terminal.say("No matching records.") }
        }
    }
}

/// How records look in a terminal.
enum RecordText {
    /// The local time zone, read once (`Calendar.current` per record dominated `read`).
    static let timeZone = TimeZone.current

    /// `YYYY-MM-DD HH:MM` in the local time zone (proleptic Gregorian, years 0001-9999), computed
    /// from the UTC offset at that instant with integer arithmetic (days-to-civil, H. Hinnant).
    static func when(_ date: Date) -> String {
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down)) + Int64(timeZone.secondsFromGMT(for: date))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func padded(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) + " " + padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay % 3600 / 60, 2)
    }

    /// `text` split at line feeds exactly as `split(separator: "\n")` by Character does (a CR LF
    /// pair is one Character and does not split), but over UTF-8 bytes: splitting 1 KiB by
    /// Character (grapheme breaking) was most of the cost of a text `read`.
    static func textLines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var previous: UInt8 = 0
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == 0x0A && previous != 0x0D {
                lines.append(text[start..<index])
                start = utf8.index(after: index)
            }
            previous = byte
            index = utf8.index(after: index)
        }
        lines.append(text[start..<utf8.endIndex])
        return lines
    }

    static func render(_ record: JournalRecord) -> String {
        let head = "#\(record.sequence)  \(when(record.recordedAt))  "
        switch record.content {
        case let .entry(entry):
            var lines = [head + "entry" + (entry.title.map { "  \($0)" } ?? "")]
            lines += textLines(entry.text).map { "    " + $0 }
            if !entry.tags.isEmpty { lines.append("    tags: " + entry.tags.joined(separator: ", ")) }
            return lines.joined(separator: "\n")
        case let .checkIn(c):
            var facts = ["mood \(c.mood)/10", "craving \(c.craving)/10", c.use.rawValue]
            if let sleep = c.sleepHours { facts.append("slept \(sleep.formatted()) h") }
            if c.meetingsAttended > 0 {
                facts.append("\(c.meetingsAttended) meeting\(c.meetingsAttended == 1 ? "" : "s")"
                             + (c.meetingKinds.isEmpty ? "" : " (" + c.meetingKinds.map(\.rawValue).joined(separator: ", ") + ")"))
            }
            if let medication = c.medication { facts.append("medication \(medication.rawValue)") }
            if c.reachedOutToSupport { facts.append("reached out") }
            var lines = [head + "check-in for \(c.day)", "    " + facts.joined(separator: " · ")]
            if !c.triggers.isEmpty { lines.append("    triggers: " + c.triggers.joined(separator: ", ")) }
            if let note = c.note { lines.append("    note: " + note) }
            return lines.joined(separator: "\n")
        case let .amendment(a):
            return head + "amendment to #\(a.amends)\n    " + a.text + (a.reason.map { "\n    reason: \($0)" } ?? "")
        case let .disclosure(d):
            return head + "disclosure to \(d.recipient)\n    purpose: \(d.purpose) · scope: \(d.scope) · format: \(d.format)"
        case let .custom(kind, json):
            return head + kind + "\n    " + String(decoding: json, as: UTF8.self)
        }
    }

    static func json(_ record: JournalRecord) throws -> String {
        var line = ""
        try OwnerExport.write(single: record) { line += $0 }
        return line
    }
}
