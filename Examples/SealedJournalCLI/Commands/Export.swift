import ArgumentParser
import Foundation
import SealedJournal

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export records as plaintext for yourself.",
        discussion: """
        Writes to standard output, or to a file you name (created with mode 0600; an existing
        file is only replaced with --force; a failed export leaves no partial file).
        The export is NOT encrypted: keep it somewhere safe and delete it when done.

        Examples:
          sealed-journal export recovery.sjournal --format csv --kind checkin --output checkins.csv
          sealed-journal export recovery.sjournal --format ndjson > backup.ndjson
        """
    )

    @OptionGroup var target: JournalArgument
    @Option(help: "json, ndjson, csv or markdown.")
    var format: ExportFormat
    @OptionGroup var range: RangeOptions
    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Flag(help: "Replace the output file if it exists.")
    var force = false
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var messages: OutputOptions

    func run() throws {
        try runCommand(quiet: messages.quiet) {
            let journal = try unlock.open(target.journal, mode: .readOnly)
            let filter = range.filter()
            if let output {
                let file = try ExportFile(path: output, overwrite: force)
                do {
                    let count = try OwnerExport.write(journal, format: format, filter: filter) { try file.write($0) }
                    try file.finish()
                    Terminal.say("Exported \(count) record(s) to \(output) (plaintext, mode 0600).")
                } catch {
                    file.discard()
                    throw error
                }
            } else {
                let count = try OwnerExport.write(journal, format: format, filter: filter) { Terminal.output($0) }
                Terminal.say("Exported \(count) record(s).")
            }
        }
    }
}
