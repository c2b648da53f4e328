/// A journal's recovery key: 32 random bytes that unlock the journal when the passphrase is lost.
///
/// Show ``displayString`` once, ask the user to store it offline, then drop the value.
/// The key lives in guarded memory; `description` never shows it.
public struct RecoveryKey: Sendable, CustomStringConvertible {
    let secret: SecretBytes

    init(secret: SecretBytes) { self.secret = secret }

    /// Parses a typed recovery key (case, spaces and dashes do not matter).
    /// - Throws: ``JournalError/invalidRecoveryKeyText(reason:)`` for a typo.
    public init(_ text: String) throws(JournalError) {
        secret = try JournalError.mapping { try RecoveryKeyEncoding.decode(text) }
    }

    /// The key in 11 groups of 5 characters, for showing once (this creates an ordinary String).
    public var displayString: String { RecoveryKeyEncoding.encode(secret) }

    /// Always `RecoveryKey(redacted)`: the key never reaches a log through interpolation.
    public var description: String { "RecoveryKey(redacted)" }
}
