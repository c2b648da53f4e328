// A helper process for the crash and multi-process tests (not a product).
//
//   JournalWorker append JOURNAL PASSPHRASE COUNT PREFIX
//
// Opens JOURNAL (read-write, fsync on every append) and appends COUNT entries whose text is
// "PREFIX-<i>", printing "<i>" on its own line, flushed, only after each append has returned.
// A parent can kill it at any moment and check that every printed record is in the journal.
import Foundation
import SealedJournal

@main
struct JournalWorker {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count == 6, arguments[1] == "append", let count = Int(arguments[4]) else {
            FileHandle.standardError.write(Data("usage: JournalWorker append JOURNAL PASSPHRASE COUNT PREFIX\n".utf8))
            exit(64)
        }
        do {
            let journal = try Journal.open(at: arguments[2], passphrase: SecretBytes(utf8: arguments[3]))
            for index in 0..<count {
                try journal.append(JournalEntry(text: "\(arguments[5])-\(index)"))
                FileHandle.standardOutput.write(Data("\(index)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("worker: \(error)\n".utf8))
            exit(1)
        }
    }
}
