import ArgumentParser
import Foundation
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

/// Where passphrases come from: a file, the environment, or the terminal (never echoed).
enum Passphrases {
    static let environmentVariable = "SEALED_JOURNAL_PASSPHRASE"

    static var environmentValue: String? { ProcessInfo.processInfo.environment[environmentVariable] }

    /// A passphrase from `file`, the environment, or the terminal, in that order. An empty one
    /// from a file or the environment is refused at once (a mistake, not a passphrase: the
    /// library refuses to set one), rather than reported as wrong after a slow key derivation.
    static func obtain(file: String?, prompt: String) throws -> SecretBytes {
        if let file {
            let passphrase = try readSecretFile(file)
            guard passphrase.count > 0 else { throw CLIError.invalidInput("\(file) holds no passphrase: its first line is empty") }
            return passphrase
        }
        if let value = environmentValue {
            guard !value.isEmpty else { throw CLIError.invalidInput("\(environmentVariable) is set but empty") }
            return try SecretBytes(utf8: value)
        }
        return try Terminal.readSecret(prompt: prompt)
    }

    /// How many times a new passphrase is asked for at the terminal before giving up.
    static let newPassphraseTries = 3

    /// A new passphrase: from `file` or the environment, or typed twice at the terminal.
    ///
    /// Every source must meet the library's ``PassphrasePolicy`` (a refusal is a `JournalError`,
    /// exit status 4). At the terminal a weak passphrase (``PassphraseStrength/isWeak``) is
    /// explained and must be confirmed, and a refused, declined or mismatched passphrase is asked
    /// for again, up to ``newPassphraseTries`` times in all. From a file or the environment a weak
    /// passphrase is accepted with a warning on standard error (a script cannot answer).
    static func obtainNew(file: String?, environment: Bool = true, prompt: String = "New passphrase") throws -> SecretBytes {
        let passphrase: SecretBytes
        if let file {
            passphrase = try readSecretFile(file)
        } else if environment, let value = environmentValue {
            passphrase = try SecretBytes(utf8: value)
        } else {
            return try chooseAtTerminal(prompt: prompt)
        }
        try PassphrasePolicy.validate(passphrase)
        let strength = PassphraseStrength.estimate(passphrase)
        if strength.isWeak {
            Terminal.say("warning: this passphrase is weak. " + advice(strength))
        }
        return passphrase
    }

    /// Asks for a new passphrase at the terminal: policy, strength warning, confirmation, repeat.
    private static func chooseAtTerminal(prompt: String) throws -> SecretBytes {
        let repeatPrompt = "Repeat the \(prompt.prefix(1).lowercased() + prompt.dropFirst()): "
        var lastFailure = ChoiceFailure.passphrasesDiffer
        for attempt in 1...newPassphraseTries {
            let triesLeft = newPassphraseTries - attempt
            let again = triesLeft > 0 ? " Try again (\(triesLeft) \(triesLeft == 1 ? "try" : "tries") left)." : ""
            let passphrase = try Terminal.readSecret(prompt: "\(prompt): ")
            do {
                try PassphrasePolicy.validate(passphrase)
            } catch {
                guard triesLeft > 0 else { throw error }
                guard case let .invalidField(_, reason) = error else { throw error }
                Terminal.tell("That passphrase \(reason)." + again)
                continue
            }
            let strength = PassphraseStrength.estimate(passphrase)
            if strength.isWeak {
                Terminal.tell("This passphrase is weak. " + advice(strength))
                guard try Terminal.confirm("Use it anyway? [y/N] ") else {
                    lastFailure = .passphraseDeclined
                    if triesLeft > 0 { Terminal.tell("Choose another passphrase." + again) }
                    continue
                }
            }
            let repeated = try Terminal.readSecret(prompt: repeatPrompt)
            if passphrase.constantTimeEquals(repeated) { return passphrase }
            lastFailure = .passphrasesDiffer
            if triesLeft > 0 { Terminal.tell("The two passphrases differ." + again) }
        }
        Terminal.error(lastFailure.message)
        throw ExitCode(4)
    }

    /// The estimator's warning and suggestion as one line (fixed library text; never the passphrase).
    static func advice(_ strength: PassphraseStrength) -> String {
        [strength.warning, strength.suggestion].compactMap { $0 }.joined(separator: " ")
    }

    /// Why no new passphrase was chosen at the terminal.
    private enum ChoiceFailure {
        case passphrasesDiffer, passphraseDeclined
        var message: String {
            switch self {
            case .passphrasesDiffer: return "the two passphrases differ; nothing was changed"
            case .passphraseDeclined: return "no passphrase was chosen; nothing was changed"
            }
        }
    }

    static func readSecretFile(_ path: String) throws -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.cannotRead(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        return try SecretBytes(readingLineFrom: fd)
    }

    /// A small text file's text without surrounding whitespace (``readUserTextFile(_:)``).
    static func readTextFile(_ path: String) throws -> String {
        try readUserTextFile(path).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
