import ArgumentParser
import Foundation
import SealedJournal

/// Where an export goes, whether it is encrypted, and how it is accounted for.
struct SharingOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write to this file instead of standard output (- for standard output).", valueName: "file"))
    var outputOption: String?
    /// The output file; `nil` for standard output (no option, or `-`).
    var output: String? { outputOption == "-" ? nil : outputOption }
    @Flag(help: "Replace the output file if it exists.")
    var force = false
    @Option(help: ArgumentHelp("Encrypt to this age recipient (age1..., repeatable).", valueName: "age1..."))
    var recipient: [String] = []
    @Flag(help: "Encrypt with a passphrase (age scrypt) that you give the recipient separately.")
    var encryptWithPassphrase = false
    @Option(help: ArgumentHelp("Read the export passphrase from the first line of this file.", valueName: "file"))
    var exportPassphraseFile: String?
    @Flag(help: "ASCII-armor the age output (safe to paste into an email).")
    var armor = false
    @Option(help: ArgumentHelp("Who receives it, recorded in the journal: - to be asked (a name here needs --allow-args).", valueName: "-"))
    var toWhom: String?
    @Option(help: ArgumentHelp("Why it is shared, recorded (required when encrypting for someone): - to be asked (text here needs --allow-args).", valueName: "-"))
    var purpose: String?
    @OptionGroup var policy: ContentArgumentPolicy
    @Option(help: ArgumentHelp("A notice to put first (e.g. a redisclosure notice).", valueName: "file"))
    var noticeFile: String?

    var encrypted: Bool { !recipient.isEmpty || encryptWithPassphrase }

    func validate() throws {
        if !recipient.isEmpty && encryptWithPassphrase {
            throw ValidationError("--encrypt-with-passphrase cannot be combined with --recipient (age allows a passphrase only alone)")
        }
        if armor && !encrypted { throw ValidationError("--armor applies to encrypted output (--recipient or --encrypt-with-passphrase)") }
        if encrypted && purpose == nil { throw ValidationError("say why you share it: --purpose - (you will be asked)") }
        let given = [("--to-whom", toWhom), ("--purpose", purpose)].filter { $0.1 != nil && $0.1 != "-" }.map(\.0)
        try policy.check(given, safeWay: "Give - instead (--to-whom - --purpose -) to be asked at the terminal, or to read one line each from standard input.")
    }

    func recipients() throws -> [AgeRecipient] {
        if encrypted && !armor && output == nil && isatty(1) == 1 {
            throw ValidationError("refusing to write binary age output to a terminal: use --armor or --output FILE")
        }
        var recipients = try recipient.map { try AgeRecipient(parsing: $0) }
        if encryptWithPassphrase {
            let passphrase = try Passphrases.obtainNew(file: exportPassphraseFile, environment: false, prompt: "Passphrase for the export")
            recipients = [.scrypt(passphrase: passphrase, workFactor: 18)]
        }
        return recipients
    }

    func request(recipients: [AgeRecipient], defaultPurpose: String) throws -> DisclosureRequest {
        let notice = try noticeFile.map { try Passphrases.readTextFile($0) }
        let lines = LineSource()
        let askedWhom = toWhom == "-" ? try lines.value(question: "Who receives it (recorded in the journal): ") : toWhom
        let askedPurpose = purpose == "-" ? try lines.value(question: "Why you share it (recorded in the journal): ") : purpose
        if encrypted && askedPurpose == nil { throw CLIError.invalidInput("purpose: say why you share it") }
        let whom = askedWhom ?? (recipients.isEmpty ? "owner (plaintext)" : recipients.map(\.displayName).joined(separator: ", "))
        return DisclosureRequest(recipient: whom, purpose: askedPurpose ?? defaultPurpose, notice: notice)
    }

    /// Runs `body` with a sink (a new 0600 file, written all-or-nothing, or standard output,
    /// escaped when it is a terminal) and its finish step; a failure or an interrupt leaves no
    /// file, also when the file was finished and recording the disclosure failed. On standard
    /// output, what already left is a partial disclosure: the message says whether it was recorded.
    func write(_ body: (SharingSink) throws -> Void) throws {
        if let output {
            let file = try ExportFile(path: output, overwrite: force)
            do {
                try body(SharingSink(write: { try file.write($0) }, finish: { try file.finish() }, armored: armor, recordsPartialOutput: false))
                Terminal.say("Wrote \(output)" + (encrypted ? " (age-encrypted)." : " (plaintext, mode 0600)."))
            } catch {
                file.retract()
                throw error
            }
        } else {
            let (sink, flush) = Terminal.standardOutputSink()
            let shared = SharingSink(write: sink, finish: flush, armored: armor, recordsPartialOutput: true)
            do {
                try body(shared)
            } catch {
                switch shared.partial.outcome {
                case .recorded?: Terminal.say("Part of it reached standard output before it stopped: that part is recorded as a partial disclosure (see `disclosures`).")
                case .notRecorded?: Terminal.say("What reached standard output could not be recorded as a disclosure.")
                case nil: break
                }
                throw error
            }
            if !encrypted { Terminal.notePlaintextOnStandardOutput() }
        }
    }
}

/// Where a sharing command's output goes (see ``SharingOptions/write(_:)``).
struct SharingSink {
    /// What became of a partial disclosure (standard output only).
    final class Partial {
        enum Outcome { case recorded, notRecorded }
        var outcome: Outcome?
    }

    let write: (Data) throws -> Void
    let finish: () throws -> Void
    let armored: Bool
    let recordsPartialOutput: Bool
    let partial = Partial()

    /// The library's output for a disclosure to `recipients` (plaintext when empty).
    func output(_ recipients: [AgeRecipient]) -> DisclosureOutput {
        let partial = self.partial
        return DisclosureOutput(recipients: recipients, armored: armored, recordsPartialOutput: recordsPartialOutput,
                                partialDisclosure: { partial.outcome = $0 == nil ? .notRecorded : .recorded }, write: write)
    }
}
