import ArgumentParser
import Foundation
import SealedJournal

struct Write: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a journal entry.",
        discussion: """
        The text comes from the arguments or, when there are none, from standard input (it never passes through a temporary file).

        Examples:
          sealed-journal write recovery.sjournal "Ninety days today." --tag milestone
          sealed-journal write recovery.sjournal --title "Evening" < notes.txt
        """
    )

    @OptionGroup var target: JournalArgument
    @Argument(help: "The entry's text (read from standard input when omitted).")
    var text: [String] = []
    @Option(help: "A title.")
    var title: String?
    @Option(help: ArgumentHelp("A tag (repeatable).", valueName: "tag"))
    var tag: [String] = []
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            var body = text.joined(separator: " ")
            if text.isEmpty {
                if Terminal.standardInputIsTerminal { Terminal.say("Type the entry; end with Ctrl-D on a new line.") }
                body = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard !body.isEmpty else { throw CLIError.emptyEntry }
            let entry = JournalEntry(text: body, title: title, tags: tag)
            try entry.validate()
            let journal = try unlock.open(target.journal)
            let receipt = try journal.append(entry)
            Terminal.say("Sealed entry #\(receipt.sequence).")
        }
    }
}
