import ArgumentParser
import Foundation
import SealedJournal

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring in a whole history in one batch.",
        discussion: """
        Keeps each record's original time. Reads our own NDJSON export (a lossless round trip) or jrnl's `jrnl --export json`. Everything is checked before anything is written; the import is one commit (one fsync, one checkpoint). FILE may be - for standard input.

        Examples:
          sealed-journal import recovery.sjournal backup.ndjson --from ndjson
          jrnl --export json > jrnl.json
          sealed-journal import recovery.sjournal jrnl.json --from jrnl-json
        """
    )

    @OptionGroup var target: JournalArgument
    @Argument(help: "The file to import (- for standard input).")
    var file: String
    @Option(help: "ndjson or jrnl-json.")
    var from: JournalImport.Format
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else { throw CLIError.cannotRead(file, "cannot open it") }
                data = contents
            }
            let records = try JournalImport.parse(data, format: from)
            guard !records.isEmpty else {
                Terminal.say("Nothing to import.")
                return
            }
            let journal = try unlock.open(target.journal)
            let receipt = try journal.appendBatch(records)
            Terminal.say("Imported \(records.count) record(s) as #\(receipt.sequences.lowerBound)–#\(receipt.sequences.upperBound).")
        }
    }
}
