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
        do {
            secret = try RecoveryKeyEncoding.decode(text)
        } catch RecoveryKeyEncoding.DecodeError.invalidCharacter {
            throw .invalidRecoveryKeyText(reason: "it contains a character that is not in the key alphabet")
        } catch RecoveryKeyEncoding.DecodeError.wrongLength {
            throw .invalidRecoveryKeyText(reason: "it must have \(RecoveryKeyEncoding.characterCount) characters")
        } catch RecoveryKeyEncoding.DecodeError.checksumMismatch {
            throw .invalidRecoveryKeyText(reason: "its checksum does not match (check for a typo)")
        } catch {
            throw .crypto(.outOfMemory(bytes: RecoveryKeyEncoding.keyByteCount))
        }
    }

    /// The key in 11 groups of 5 characters, for showing once (this creates an ordinary String).
    public var displayString: String { RecoveryKeyEncoding.encode(secret) }

    /// Always `RecoveryKey(redacted)`: the key never reaches a log through interpolation.
    public var description: String { "RecoveryKey(redacted)" }
}
