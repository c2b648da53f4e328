import ArgumentParser
import Foundation
import SealedJournal

/// Where an export goes, whether it is encrypted, and how it is accounted for.
struct SharingOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?
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
    @Option(help: ArgumentHelp("Who receives it (recorded in the journal).", valueName: "name"))
    var toWhom: String?
    @Option(help: ArgumentHelp("Why it is shared (recorded; required when encrypting for someone).", valueName: "text"))
    var purpose: String?
    @Option(help: ArgumentHelp("A notice to put first (e.g. a redisclosure notice).", valueName: "file"))
    var noticeFile: String?

    var encrypted: Bool { !recipient.isEmpty || encryptWithPassphrase }

    func validate() throws {
        if !recipient.isEmpty && encryptWithPassphrase {
            throw ValidationError("--encrypt-with-passphrase cannot be combined with --recipient (age allows a passphrase only alone)")
        }
        if armor && !encrypted { throw ValidationError("--armor applies to encrypted output (--recipient or --encrypt-with-passphrase)") }
        if encrypted && purpose == nil { throw ValidationError("say why you share it: --purpose TEXT") }
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
        let whom = toWhom ?? (recipients.isEmpty ? "owner (plaintext)" : recipients.map(\.displayName).joined(separator: ", "))
        return DisclosureRequest(recipient: whom, purpose: purpose ?? defaultPurpose, notice: notice)
    }

    /// Runs `body` with a byte sink (a new 0600 file, or standard output) and a finish step;
    /// a failure removes a partial file.
    func write(_ body: (_ write: @escaping (Data) throws -> Void, _ finish: () throws -> Void) throws -> Void) throws {
        if let output {
            let file = try ExportFile(path: output, overwrite: force)
            do {
                try body({ try file.write($0) }, { try file.finish() })
                Terminal.say("Wrote \(output)" + (encrypted ? " (age-encrypted)." : " (plaintext, mode 0600)."))
            } catch {
                file.discard()
                throw error
            }
        } else {
            try body({ FileHandle.standardOutput.write($0) }, {})
        }
    }
}
