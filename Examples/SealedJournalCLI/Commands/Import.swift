import ArgumentParser
import Foundation
import SealedJournal

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring in a whole history in one batch.",
        discussion: """
        Keeps each record's original time. Reads our own NDJSON export (a lossless round trip) or jrnl's `jrnl --export json`, streaming: memory stays small whatever the size. A FILE is checked completely before anything is written. Records are committed in chunks of up to 10,000 records or 2 MiB, each written as small commits that are fsynced in turn; if the import stops on an error, the chunks before it are kept and the last message says how far it got (if the process is killed, what it had committed is kept). FILE may be - for standard input, which cannot be read twice: records are checked as they come, and on invalid input the chunks before it stay imported.

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
            let input: ImportInput
            var handle: FileHandle?
            if file == "-" {
                input = .fileHandle(FileHandle.standardInput)
            } else {
                guard let opened = FileHandle(forReadingAtPath: file) else { throw CLIError.cannotRead(file, "cannot open it") }
                handle = opened
                // A file can be read twice: check all of it first, so invalid input writes nothing.
                let count = try JournalImport.check(.fileHandle(opened), format: from)
                guard count > 0 else {
                    Terminal.say("Nothing to import.")
                    return
                }
                try opened.seek(toOffset: 0)
                input = .fileHandle(opened)
            }
            defer { try? handle?.close() }
            let journal = try unlock.open(target.journal)
            // Progress by bytes of a file (standard input has no known size).
            let size = handle == nil ? 0 : (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? UInt64) ?? 0
            let show = size > 0 ? Terminal.progress("importing") : nil
            var done: ImportProgress?
            do {
                done = try JournalImport.importRecords(from: input, format: from, into: journal) { progress in
                    done = progress
                    show?(min(UInt64(progress.bytesRead), size - 1), size)
                }
                show?(1, 1)
            } catch {
                show?(1, 1)
                if let done, let sequences = done.sequences {
                    Terminal.say("Imported \(done.records) record(s) as #\(sequences.lowerBound)–#\(sequences.upperBound) before stopping; nothing after them was written.")
                }
                throw error
            }
            guard let done, let sequences = done.sequences else {
                Terminal.say("Nothing to import.")
                return
            }
            Terminal.say("Imported \(done.records) record(s) as #\(sequences.lowerBound)–#\(sequences.upperBound).")
        }
    }
}
