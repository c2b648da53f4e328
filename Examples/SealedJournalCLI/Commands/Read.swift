import ArgumentParser
import Foundation
import SealedJournal

struct Read: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read records.",
        discussion: """
        Prints readable text by default (times in your time zone; control characters in what \
        was written are shown escaped, e.g. \\x1B), or JSON for scripts.

        Search terms are content too: give --contains - or --tag - to be asked at the terminal \
        (from a script: one line each on standard input, tag first). A literal term in the \
        arguments is refused unless you add --allow-args.

        Record numbers are positions in the journal, starting at #0 (the first record). What \
        SealedJournal records for its own accounting (disclosures, key changes, repairs, \
        witness receipts) is not shown unless you ask for it with --kind or --all; \
        `sealed-journal disclosures` lists the disclosures.

        Examples:
          sealed-journal read recovery.sjournal -n 5
          sealed-journal read recovery.sjournal --kind checkin --from 2026-11-01 \\
              --format json
          sealed-journal read recovery.sjournal --contains -
        """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var target: JournalArgument
    @OptionGroup var range: RangeOptions
    @Option(name: .customShort("n"), help: ArgumentHelp("Only the last N matching records (read from the end: fast at any size; `verify` checks the rest of the file).", valueName: "N"))
    var count: Int?
    @Option(help: ArgumentHelp("Only entries with this tag (- to be asked).", valueName: "-"))
    var tag: String?
    @Option(help: ArgumentHelp("Only records whose text contains this, case-insensitive (- to be asked).", valueName: "-"))
    var contains: String?
    @OptionGroup var policy: ContentArgumentPolicy
    @Flag(help: "Also show what SealedJournal recorded for its own accounting (disclosures, key changes, repairs).")
    var all = false
    @Flag(help: "Read past damaged records (listed at the end) instead of stopping at the first one.")
    var salvage = false
    @Option(help: "text or json.")
    var format: OutputFormat = .text
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("-n must be at least 1") }
        let given = [("--tag", tag), ("--contains", contains)].filter { $0.1 != nil && $0.1 != "-" }.map(\.0)
        try policy.check(given, safeWay: "Give - instead (--contains -) to be asked, or to read it from standard input.")
    }

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let journal = try unlock.open(target.journal, mode: .readOnly)
            let lines = LineSource()
            let tagValue = tag == "-" ? try lines.value(question: "Only entries with the tag (Enter for any): ") : tag
            let containsValue = contains == "-" ? try lines.value(question: "Look for (Enter for anything): ") : contains
            var filter = range.filter(tag: tagValue, containing: containsValue)
            if range.kind == .all && !all { filter.excludingKinds = RecordKind.bookkeeping }
            var first = true
            // One write per 64 KiB, not per record (wiped once written); text for a terminal is
            // escaped before it goes in, exactly as Terminal.output does.
            let out = BufferedOutput()
            let escape = Terminal.standardOutputIsTerminal
            func show(_ text: String) throws { try out.write(escape ? TerminalText.escape(text, keepingLineBreaks: true) : text) }
            let emit: (JournalRecord) throws -> Void = { record in
                switch format {
                case .text: try show(RecordText.render(record) + "\n")
                case .json:
                    try show(first ? "[\n" : ",\n")
                    try show(try RecordText.json(record))
                    first = false
                }
            }
            // Whatever was read before a failure still reaches the reader, before the error message.
            defer { try? out.flush() }
            var shown = 0
            var salvaged: [DamagedRecord] = []
            var uncommitted = 0
            if let count {
                for record in try journal.lastRecords(count, filter) { try emit(record); shown += 1 }
            } else {
                if salvage {
                    let damaged = try journal.salvageRecords(filter) { record in
                        try emit(record)
                        shown += 1
                        if record.sequence >= journal.recordCount { uncommitted += 1 }
                    }
                    salvaged = damaged
                } else {
                    do {
                        try journal.forEachRecord(filter) { try emit($0); shown += 1 }
                    } catch let error as JournalError where error.category == .damaged {
                        try? out.flush()  // what was read before the damage, then the error and the way past it
                        Terminal.error(error.description)
                        Terminal.say("To read past damaged records: sealed-journal read \(target.journal) --salvage")
                        throw ExitCode(exitStatus(for: error))
                    }
                }
            }
            if format == .json { try show(first ? "[]\n" : "\n]\n") }
            try out.flush()
            if shown == 0 { Terminal.say("No matching records.") }
            if salvage {
                func sayUncommitted() {
                    Terminal.say("\(uncommitted) of them (#\(journal.recordCount) on) come after the last intact commit: each opened with your key at its number, "
                                 + "but no checkpoint covers them, so `verify` cannot vouch for them.")
                }
                if salvaged.isEmpty {
                    Terminal.say("Salvage: \(shown) record(s) read, no damaged record.")
                    if uncommitted > 0 { sayUncommitted() }
                } else {
                    for item in salvaged { Terminal.say("damaged: \(item)") }
                    Terminal.say("Salvage: \(shown) record(s) read, \(salvaged.count) damaged (listed above); `verify` still fails for this journal.")
                    if uncommitted > 0 { sayUncommitted() }
                    throw ExitCode(1)
                }
            } else { Terminal.notePlaintextOnStandardOutput() }
        }
    }
}

/// How records look in a terminal.
enum RecordText {

    /// A single-line field, escaped for the terminal.
    static func line(_ text: String) -> String { TerminalText.escape(text) }

    /// A multi-line field, escaped (line feeds and tabs kept) and indented under its heading:
    /// `indent` before the first line and after every line feed that splits lines as
    /// `split(separator: "\n")` by Character does (a CR LF pair is one Character and does not
    /// split). Done over the UTF-8 bytes, one pass with memchr: splitting 1 KiB by Character,
    /// then by UTF-8 index, was most of the cost of a text `read`.
    static func block(_ text: String, indent: String = "    ") -> String {
        var escaped = TerminalText.escape(text, keepingLineBreaks: true)
        let indentBytes = Array(indent.utf8)
        return escaped.withUTF8 { bytes -> String in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + indentBytes.count * 4)
            out.append(contentsOf: indentBytes)
            guard let base = bytes.baseAddress else { return String(decoding: out, as: UTF8.self) }
            var start = 0
            var from = 0
            while from < bytes.count, let found = memchr(base + from, 0x0A, bytes.count - from) {
                let newline = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
                from = newline + 1
                guard newline == 0 || bytes[newline - 1] != 0x0D else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...newline]))
                out.append(contentsOf: indentBytes)
                start = newline + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// A check-in's values as short facts ("mood 6/10", "slept 7 h", ...).
    static func checkInFacts(_ c: CheckIn) -> [String] {
        var facts = ["mood \(c.mood)/10", "craving \(c.craving)/10", c.use.rawValue]
        if let sleep = c.sleepHours { facts.append("slept \(sleep.formatted()) h") }
        if c.meetingsAttended > 0 {
            facts.append("\(c.meetingsAttended) meeting\(c.meetingsAttended == 1 ? "" : "s")"
                         + (c.meetingKinds.isEmpty ? "" : " (" + c.meetingKinds.map(\.rawValue).joined(separator: ", ") + ")"))
        }
        if let medication = c.medication { facts.append("medication \(medication.rawValue)") }
        if c.reachedOutToSupport { facts.append("reached out") }
        return facts
    }

    /// A record as readable text. Everything that came from the record is escaped.
    static func render(_ record: JournalRecord) -> String {
        let head = "#\(record.sequence)  \(record.localTimeDescription)  "
        switch record.content {
        case let .entry(entry):
            var lines = [head + "entry" + (entry.title.map { "  \(line($0))" } ?? "")]
            lines.append(block(entry.text))
            if !entry.tags.isEmpty { lines.append("    tags: " + entry.tags.map(line).joined(separator: ", ")) }
            return lines.joined(separator: "\n")
        case let .checkIn(c):
            var lines = [head + "check-in for \(c.day)", "    " + checkInFacts(c).joined(separator: " · ")]
            if !c.triggers.isEmpty { lines.append("    triggers: " + c.triggers.map(line).joined(separator: ", ")) }
            if let note = c.note { lines.append("    note: " + block(note, indent: "      ").dropFirst(6)) }
            return lines.joined(separator: "\n")
        case let .amendment(a):
            var lines = [head + "amendment to #\(a.amends)"]
            if let c = a.checkIn {
                lines.append("    corrected check-in for \(c.day): " + checkInFacts(c).joined(separator: " · "))
            } else {
                lines.append(block(a.text))
            }
            if let reason = a.reason { lines.append("    reason: \(line(reason))") }
            return lines.joined(separator: "\n")
        case let .disclosure(d):
            return head + "disclosure to \(line(d.recipient))\n    purpose: \(line(d.purpose)) · scope: \(line(d.scope)) · format: \(line(d.format))"
        case let .custom(kind, json):
            return head + line(kind.rawValue) + "\n    " + line(String(decoding: json, as: UTF8.self))
        }
    }

    static func json(_ record: JournalRecord) throws -> String {
        var line = ""
        try OwnerExport.write(single: record) { line += $0 }
        return line
    }
}
