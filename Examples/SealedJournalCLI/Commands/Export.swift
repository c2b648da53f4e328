import ArgumentParser
import Foundation
import SealedJournal
import SealedJournalHTML

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export records, for yourself or encrypted for someone else.",
        discussion: """
        Writes to standard output, or to a file you name (created with mode 0600; an existing file is only replaced with --force; a failed export leaves no partial file). Every export is recorded in the journal as a sealed disclosure (see `sealed-journal disclosures`).

        With --recipient (an age public key, repeatable) or --encrypt-with-passphrase the export is encrypted in the age format: the recipient opens it with the stock `age` tool (`age -d -i key.txt export.age`). Without them the export is PLAINTEXT: keep it safe.

        An export for someone else (encrypted, or with --to-whom) leaves out the journal's own bookkeeping (the record of other disclosures, key changes, repairs, witness cosignatures) unless --kind asks for one; your own plaintext export keeps every record, so importing it gives the same journal.

        Examples:
          sealed-journal export recovery.sjournal --format csv --kind checkin \\
              --output checkins.csv
          sealed-journal export recovery.sjournal --format markdown \\
              --from 2026-11-01 --to 2026-11-30 \\
              --recipient age1... --to-whom - --purpose - \\
              --notice-file redisclosure-notice.txt --armor --output november.md.age

        --to-whom - and --purpose - ask who receives it and why (recorded in the journal), or read one line each from standard input; a literal name in the arguments needs --allow-args. The output file is written whole or not at all; --force never replaces a symbolic link, FIFO, directory or a file with other hard links.
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: "json, ndjson, csv, markdown, or html (check-ins only: a page with a calendar and charts).")
    var format: ExportChoice
    @OptionGroup var range: RangeOptions
    @Flag(help: "Export past damaged records (listed afterwards) instead of stopping at the first one.")
    var salvage = false
    @OptionGroup var sharing: SharingOptions
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var messages: OutputOptions

    func validate() throws {
        try sharing.validate()
        if format == .html && sharing.output == nil && !sharing.encrypted && isatty(1) == 1 {
            throw ValidationError("an HTML export is a page, not terminal text: use --output FILE (e.g. checkins.html)")
        }
    }

    func run() throws {
        try runCommand(quiet: messages.quiet) {
            try target.check()
            let recipients = try sharing.recipients()
            let request = try sharing.request(recipients: recipients, defaultPurpose: "owner export")
            if request.notice != nil && format == .csv {
                throw JournalError.invalidField(field: "notice", reason: "CSV cannot carry a notice; use json, ndjson or markdown")
            }
            if salvage, let damagedEnd = try Journal.info(at: target.journal).damagedAtOffset {
                // A damaged end stops every write, so this export cannot be recorded: only the
                // owner's own plaintext copy is made (for someone else, repair first).
                guard !sharing.encrypted, sharing.toWhom == nil, let libraryFormat = format.libraryFormat else {
                    throw CLIError.invalidInput("the journal is damaged at byte offset \(damagedEnd), so an export for someone else cannot be recorded in it: "
                        + "export --salvage only your own plaintext copy (no --to-whom, --recipient or --passphrase-encrypt), or run sealed-journal repair \(target.journal) first")
                }
                try salvageUnrecorded(format: libraryFormat, damagedEnd: damagedEnd)
                return
            }
            let journal = try unlock.open(target.journal)
            guard let format = format.libraryFormat else {
                var count = 0
                try sharing.write { sink in
                    let page = try HTMLExport.checkIns(journal, filter: range.filter())
                    try journal.disclose(page.page, to: request, output: sink.output(recipients),
                                         beforeRecording: sink.finish)
                    count = page.checkIns
                }
                Terminal.say("Exported \(count) check-in(s) as an HTML page; recorded the disclosure to \(request.recipient).")
                return
            }
            // For someone else (encrypted, or named with --to-whom), "all" means what was written:
            // the journal's bookkeeping (other disclosures: who got what and why; key changes) is
            // left out unless asked for by --kind, as `read` leaves it out. The owner's own
            // plaintext export keeps everything (a lossless round trip through import).
            var filter = range.filter()
            if range.kind == .all && (sharing.encrypted || sharing.toWhom != nil) { filter.excludingKinds = RecordKind.bookkeeping }
            var count = 0
            let total = journal.recordCount
            let report = Terminal.progress("exporting")
            var damaged: [DamagedRecord] = []
            do {
                try sharing.write { sink in
                    // The progress line is cleared on every path, so a message after it stands alone.
                    defer { report?(total, total) }
                    let records = OwnerExport.Records(format: format, filter: filter,
                                                      progress: report.map { show in { written in if written % 500 == 0 { show(UInt64(written), total) } } },
                                                      damaged: salvage ? { damaged.append($0) } : nil)
                    count = try journal.disclose(records, to: request, output: sink.output(recipients),
                                                 beforeRecording: sink.finish).summary
                }
            } catch let error as JournalError where error.category == .damaged && !salvage {
                Terminal.error(error.description)
                Terminal.say("To export past damaged records: add --salvage (sealed-journal export \(target.journal) --salvage ...)")
                throw ExitCode(exitStatus(for: error))
            }
            Terminal.say("Exported \(count) record(s); recorded the disclosure to \(request.recipient).")
            if !damaged.isEmpty {
                for item in damaged { Terminal.say("damaged (not exported): \(item)") }
                Terminal.say("Salvage: \(damaged.count) damaged record(s) left out (listed above); `verify` still fails for this journal.")
                throw ExitCode(1)
            }
        }
    }
}

extension Export {
    /// `export --salvage` of a journal whose end is damaged (nothing can be written to it until
    /// `repair`): the owner's own copy, read-only, of every record that still opens, including the
    /// ones after the last intact commit; not recorded as a disclosure, and says so.
    func salvageUnrecorded(format: ExportFormat, damagedEnd: UInt64) throws {
        let journal = try unlock.open(target.journal, mode: .readOnly)
        var count = 0
        var damaged: [DamagedRecord] = []
        let filter = range.filter()
        try sharing.write { sink in
            count = try OwnerExport.write(journal, format: format, filter: filter, damaged: { damaged.append($0) }) { text in
                try sink.write(Data(text.utf8))
            }
            try sink.finish()
        }
        Terminal.say("Exported \(count) record(s). Not recorded as a disclosure: the journal is damaged at byte offset \(damagedEnd), "
                     + "and nothing can be written to it until sealed-journal repair \(target.journal).")
        Terminal.say("Any record numbered #\(journal.recordCount) or above comes after the last intact commit: it opened with your key at its number, "
                     + "but no checkpoint covers it, so `verify` cannot vouch for it.")
        for item in damaged { Terminal.say("damaged (not exported): \(item)") }
        if !damaged.isEmpty {
            Terminal.say("Salvage: \(damaged.count) damaged record(s) left out (listed above); `verify` still fails for this journal.")
        }
        throw ExitCode(1)  // the journal is damaged: a salvage never ends in "all is well"
    }
}

/// Export formats: the library's owner formats and the HTML check-in page.
enum ExportChoice: String, CaseIterable, ExpressibleByArgument {
    case json, ndjson, csv, markdown, html

    /// The ``ExportFormat`` of this choice; `nil` for HTML (rendered by SealedJournalHTML).
    var libraryFormat: ExportFormat? { ExportFormat(rawValue: rawValue) }
}
