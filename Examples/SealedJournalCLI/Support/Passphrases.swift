import Foundation
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

/// Where passphrases come from: a file, the environment, or the terminal (never echoed).
enum Passphrases {
    static let environmentVariable = "SEALED_JOURNAL_PASSPHRASE"
    static let minimumLength = 8

    static var environmentValue: String? { ProcessInfo.processInfo.environment[environmentVariable] }

    /// A passphrase from `file`, the environment, or the terminal, in that order.
    static func obtain(file: String?, prompt: String) throws -> SecretBytes {
        if let file { return try readSecretFile(file) }
        if let value = environmentValue { return try SecretBytes(utf8: value) }
        return try Terminal.readSecret(prompt: prompt)
    }

    /// A new passphrase: from `file` or the environment, or typed twice at the terminal.
    static func obtainNew(file: String?, environment: Bool = true, prompt: String = "New passphrase") throws -> SecretBytes {
        let passphrase: SecretBytes
        if let file {
            passphrase = try readSecretFile(file)
        } else if environment, let value = environmentValue {
            passphrase = try SecretBytes(utf8: value)
        } else {
            passphrase = try Terminal.readSecret(prompt: "\(prompt): ")
            let again = try Terminal.readSecret(prompt: "Repeat the \(prompt.prefix(1).lowercased() + prompt.dropFirst()): ")
            guard passphrase.constantTimeEquals(again) else { throw CLIError.passphrasesDiffer }
        }
        guard passphrase.count >= minimumLength else { throw CLIError.passphraseTooShort(minimumLength) }
        return passphrase
    }

    static func readSecretFile(_ path: String) throws -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.cannotRead(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        return try SecretBytes(readingLineFrom: fd)
    }

    static func readTextFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.cannotRead(path, "cannot open it") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
