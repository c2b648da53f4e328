import ArgumentParser
import Foundation
import SealedJournal

struct Write: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a journal entry.",
        discussion: """
        At a terminal, asks for the passphrase first, then takes the entry (typed, ending with \
        Ctrl-D on a new line, or in $VISUAL/$EDITOR with --edit), then asks for a title and tags. \
        From a script, the text comes from standard input, or a file (--file), or a JSON object \
        with text, title and tags (--json FILE, - for standard input).

        With --edit the text is in a mode-600 file in a private mode-700 directory (in \
        $XDG_RUNTIME_DIR, else /dev/shm, else $TMPDIR) that is overwritten and removed \
        afterwards; your editor may still keep its own swap or backup copies.

        Text, --title and --tag in the arguments would show them to every local account (ps) \
        and keep them in shell history: refused unless you add --allow-args.

        Examples:
          sealed-journal write recovery.sjournal
          sealed-journal write recovery.sjournal --edit
          sealed-journal write recovery.sjournal < evening.txt
          sealed-journal write recovery.sjournal --json entry.json
        """
    )

    @OptionGroup var target: JournalArgument
    @Argument(help: ArgumentHelp("The entry's text. Needs --allow-args.", visibility: .hidden))
    var text: [String] = []
    @Option(help: ArgumentHelp("Read the text from this file (- for standard input).", valueName: "file"))
    var file: String?
    @Option(help: ArgumentHelp("Read text, title and tags as a JSON object from this file (- for standard input).", valueName: "file"))
    var json: String?
    @Flag(help: "Write the entry in $VISUAL or $EDITOR.")
    var edit = false
    @Option(help: ArgumentHelp("A title. Needs --allow-args.", visibility: .hidden))
    var title: String?
    @Option(help: ArgumentHelp("A tag (repeatable). Needs --allow-args.", valueName: "tag", visibility: .hidden))
    var tag: [String] = []
    @OptionGroup var policy: ContentArgumentPolicy
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        var given: [String] = []
        if !text.isEmpty { given.append("the entry's text") }
        if title != nil { given.append("--title") }
        if !tag.isEmpty { given.append("--tag") }
        try policy.check(given, safeWay: "Pipe the text in (or use --file, --edit, or --json with text, title and tags).")
        let sources = [!text.isEmpty, file != nil, json != nil, edit].filter { $0 }.count
        if sources > 1 { throw ValidationError("give the text one way: arguments, --file, --json or --edit") }
        if json != nil && (title != nil || !tag.isEmpty) { throw ValidationError("with --json, put the title and tags in the JSON object") }
    }

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let interactive = Terminal.standardInputIsTerminal
            var journal: Journal?
            var body: String
            var entryTitle = title
            var entryTags = tag
            if let json {
                let fields = try JSONFields(try ContentFile.jsonObject(json), allowed: ["text", "title", "tags"])
                body = try fields.string("text") ?? ""
                entryTitle = try fields.string("title")
                entryTags = try fields.strings("tags")
            } else if !text.isEmpty {
                body = text.joined(separator: " ")
            } else if let file {
                body = try ContentFile.utf8Text(try ContentFile.read(file), from: file == "-" ? "standard input" : file)
            } else if edit {
                if interactive { journal = try unlock.open(target.journal) }
                body = try EditorSession.edit()
            } else if interactive {
                // Unlock first, so a wrong passphrase never costs what was typed.
                journal = try unlock.open(target.journal)
                Terminal.tell("Type the entry; end with Ctrl-D on a new line.")
                body = try ContentFile.typedText(FileHandle.standardInput.readDataToEndOfFile(), from: "the text typed")
            } else {
                body = try ContentFile.utf8Text(FileHandle.standardInput.readDataToEndOfFile(), from: "standard input")
            }
            body = body.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !body.isEmpty else { throw CLIError.emptyEntry }
            if interactive && json == nil && text.isEmpty && title == nil && tag.isEmpty && file != "-" {
                // The text is typed already: a title or tag that is refused is asked for again
                // (with the reason), never a reason to drop what was written.
                for attempt in 1...3 {
                    entryTitle = try Terminal.ask("Title (Enter for none): ").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
                    let tags = try Terminal.ask("Tags, separated by commas (Enter for none): ") ?? ""
                    entryTags = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    let check = Result { () throws(JournalError) in try JournalEntry(text: body, title: entryTitle, tags: entryTags).validate() }
                    guard case let .failure(.invalidField(field, reason)) = check, field == "title" || field == "tags" else { break }
                    if attempt == 3 {
                        // Still refused: keep the text, without what was refused.
                        Terminal.tell("\(field): \(reason). Sealing the entry without \(field == "title" ? "a title" : "tags").")
                        if field == "title" { entryTitle = nil } else { entryTags = [] }
                        if (try? JournalEntry(text: body, title: entryTitle, tags: entryTags).validate()) == nil { entryTitle = nil; entryTags = [] }
                    } else {
                        Terminal.tell("\(field): \(reason). Please give the title and tags again (your text is kept).")
                    }
                }
            }
            let entry = JournalEntry(text: body, title: entryTitle, tags: entryTags)
            try entry.validate()
            let open = try journal ?? unlock.open(target.journal)
            let receipt: AppendReceipt
            do { receipt = try open.append(entry) } catch {
                // Typed at this terminal and not sealed (a full disk): show it again here, where it
                // was typed, so it can be copied; never to a file.
                if interactive && json == nil && text.isEmpty && file == nil {
                    Terminal.tell("The entry was NOT sealed. What you typed, to copy before you close this window:")
                    Terminal.tellTyped(body)
                }
                throw error
            }
            Terminal.say("Sealed entry #\(receipt.sequence).")
        }
    }
}
