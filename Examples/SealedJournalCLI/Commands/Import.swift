import ArgumentParser
import Foundation
import SealedJournal
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring in a whole history in one batch.",
        discussion: """
        Keeps each record's original time. Reads our own NDJSON export (a lossless round trip) or jrnl's `jrnl --export json`, streaming: memory stays small whatever the size. After the passphrase, a FILE is checked completely before anything is written (at a terminal, with its progress, then the import's), and bytes appended to it meanwhile are not read (if it is rewritten meanwhile, the import says so). Records are committed in chunks of up to 10,000 records or 2 MiB, each written as small commits that are fsynced in turn; if the import stops on an error, the chunks before it are kept and the last message says how far it got. Ctrl-C (or SIGTERM, SIGHUP) during the check stops it with nothing imported; during the import it stops at the next read of the input in the same way: the chunks committed so far stay, the message says how many records that is, and the exit status is 130; a second Ctrl-C ends the process at once (if the process is killed, what it had committed is kept). Importing the same input again would add those records a second time. Imported records get this journal's next numbers; a correction in the export is pointed at the record it corrects, and an export that leaves that record out (made with --kind, --from, --to or --salvage) is refused, unless --unmatched-corrections keep keeps each such correction as what it corrects to, at its own time: a written correction as an entry titled with the number of the record it corrected and tagged correction, a check-in correction as the corrected check-in for its day (the correction's text and reason added to its note). FILE may be - for standard input, or a pipe such as <(jrnl --export json); neither can be read twice: records are checked as they come, and on invalid input the chunks before it stay imported.

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
    @Option(help: "refuse (the default) or keep: what to do with a correction whose record is not in its export before it.")
    var unmatchedCorrections: JournalImport.UnmatchedCorrections = .refuse
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            var handle: FileHandle?
            if file != "-" {
                guard let opened = FileHandle(forReadingAtPath: file) else { throw CLIError.cannotRead(file, "cannot open it") }
                handle = opened
            }
            defer { try? handle?.close() }
            // The passphrase first: a wrong one is said before a long check, not after it.
            let journal = try unlock.open(target.journal)
            // A regular file is checked and imported up to the size it has now (bytes added while
            // the import runs are not read), with progress by bytes; standard input has no size.
            var status = stat()
            let regular = handle.map { fstat($0.fileDescriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG } ?? false
            let size = regular ? UInt64(status.st_size) : 0
            // (A size of 0 is not trusted: some special files report 0 and have content.)
            func fileInput(_ opened: FileHandle) -> ImportInput { size > 0 ? .fileHandle(opened).prefix(Int(size)) : .fileHandle(opened) }
            // Ctrl-C stops the check or the import between reads of the input, as an input error
            // would, so the last message can say what was committed (see ImportInterruption).
            ImportInterruption.install()
            let input: ImportInput
            var checked: Int?
            if let opened = handle, regular {
                // A file can be read twice: check all of it first, so invalid input writes nothing.
                let checking = size > 0 ? Terminal.progress("checking") : nil
                let count: Int
                do {
                    count = try JournalImport.check(fileInput(opened).stopping { ImportInterruption.requested }, format: from,
                                                    unmatchedCorrections: unmatchedCorrections) {
                        checking?(min(UInt64($0), size - 1), size)
                    }
                    checking?(1, 1)
                } catch {
                    checking?(1, 1)
                    // Stopped by the signal (not invalid input found in what was read before it).
                    if ImportInterruption.requested, error as? JournalError == ImportInput.stopped {
                        Terminal.say("Stopped while checking the file: nothing was imported.")
                        Terminal.error("import interrupted")
                        throw ExitCode(130)
                    }
                    throw error
                }
                guard count > 0 else {
                    Terminal.say("Nothing to import.")
                    return
                }
                checked = count
                try opened.seek(toOffset: 0)
                input = fileInput(opened)
            } else {
                // Standard input, or a FILE that is a pipe (`<(jrnl --export json)`): read once, checked as it comes.
                input = ImportInterruption.interruptibleInput((handle ?? FileHandle.standardInput).fileDescriptor)
            }
            let show = size > 0 ? Terminal.progress("importing") : nil
            var done: ImportProgress?
            let interruptible = input.stopping { ImportInterruption.requested }
            do {
                done = try JournalImport.importRecords(from: interruptible, format: from, into: journal,
                                                       unmatchedCorrections: unmatchedCorrections) { progress in
                    done = progress
                    show?(min(UInt64(progress.bytesRead), size - 1), size)
                }
                show?(1, 1)
            } catch {
                show?(1, 1)
                let interrupted = ImportInterruption.requested && error as? JournalError == ImportInput.stopped
                if let done, let sequences = done.sequences {
                    Terminal.say("Imported \(done.records) record(s) as #\(sequences.lowerBound)–#\(sequences.upperBound) before stopping; nothing after them was written."
                                 + (interrupted ? " They are the first \(done.records) record(s) of the input: importing all of it again would add them twice." : ""))
                    if done.correctionsKept > 0 { Terminal.say(Import.keptNote(done.correctionsKept)) }
                } else if interrupted {
                    Terminal.say("Stopped before any record was written.")
                }
                if interrupted {
                    Terminal.error("import interrupted")
                    throw ExitCode(130)
                }
                throw error
            }
            guard let done, let sequences = done.sequences else {
                Terminal.say("Nothing to import.")
                return
            }
            Terminal.say("Imported \(done.records) record(s) as #\(sequences.lowerBound)–#\(sequences.upperBound).")
            if done.correctionsKept > 0 { Terminal.say(Import.keptNote(done.correctionsKept)) }
            if let checked, checked != done.records {
                Terminal.say("note: the file changed during the import: \(checked) record(s) were checked, \(done.records) imported.")
            }
        }
    }
}

extension Import {
    /// Says how many imported records are corrections kept as what they correct to.
    static func keptNote(_ count: Int) -> String {
        "\(count) of them: correction(s) whose record was not in the file, kept as what they correct to (entries tagged \"correction\", or the corrected check-ins)."
    }
}

/// A first SIGINT, SIGTERM or SIGHUP during an import asks it to stop at the next read of the
/// input (the flag is read there); a second one ends the process with the signal's default
/// action. The handler only stores to a lock-free atomic and calls `sigaction` and `raise`.
enum ImportInterruption {
    private static let flag = Atomic<Int>(0)
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    static var requested: Bool { flag.load(ordering: .relaxed) != 0 }

    static func install() {
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = importSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }

    /// Reads a pipe (or a terminal) in chunks of up to 1 MiB, waking every 100 ms to see whether
    /// a stop was asked: a read blocked on a pipe whose writer stays open would not notice
    /// Ctrl-C (FileHandle retries an interrupted read, and the signal may reach another thread).
    /// A stop throws `CancellationError`, which the library reports as ``ImportInput/stopped``.
    static func interruptibleInput(_ descriptor: Int32) -> ImportInput {
        ImportInput {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while true {
                if requested { throw CancellationError() }
                let ready = poll(&waiting, 1, 100)
                if ready < 0 && errno != EINTR { throw CLIError.cannotRead("the input", String(cString: strerror(errno))) }
                guard ready > 0 else { continue }
                var chunk = [UInt8](repeating: 0, count: 1 << 20)
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    throw CLIError.cannotRead("the input", String(cString: strerror(errno)))
                }
                chunk.removeSubrange(count...)
                return chunk  // empty at the end of the input
            }
        }
    }

    fileprivate static func handle(_ signal: Int32) {
        if flag.exchange(1, ordering: .relaxed) != 0 {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SIG_DFL
            sigaction(signal, &action, nil)
            raise(signal)
        }
    }
}

private func importSignalHandler(_ signal: Int32) {
    ImportInterruption.handle(signal)
}
