import Foundation

/// The rules a new passphrase must meet, and the one canonical form it is hashed in.
///
/// The library enforces the *policy* (``validate(_:)``): ``Journal/create(at:passphrase:kdf:durability:)``
/// and ``Journal/changePassphrase(to:kdf:)`` refuse a passphrase that breaks it, so an embedding
/// app cannot create a journal with an empty passphrase by mistake. *Strength* is advice, not
/// policy: ``PassphraseStrength/estimate(_:)`` rates a passphrase and says why, and the app decides
/// whether to warn (the CLI warns and asks for confirmation below
/// ``PassphraseStrength/recommendedMinimumScore``).
///
/// Length is counted in Unicode scalars of the NFC form (so "é" counts as one character whether it
/// was typed precomposed or as "e" + combining accent; an emoji made of several scalars counts as
/// several). Scalars, not grapheme clusters, because they can be counted straight from the UTF-8
/// bytes in guarded memory without building a Swift `String` for ASCII passphrases.
///
/// Only a passphrase that contains non-ASCII bytes is ever turned into a Swift `String` (to
/// normalise it), and such a transient `String` lives in ordinary memory that cannot be wiped.
/// ASCII passphrases (NFC leaves ASCII unchanged) never leave guarded memory.
public enum PassphrasePolicy {
    /// The fewest characters (Unicode scalars, after NFC normalisation) a new passphrase may have.
    public static let minimumLength = 8

    /// Checks a new passphrase against the policy: valid UTF-8, not empty, not only whitespace,
    /// at least ``minimumLength`` characters.
    ///
    /// Cheap (no key derivation). The error never quotes the passphrase.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` with field `"passphrase"` and a
    ///   reason a person can act on.
    public static func validate(_ passphrase: SecretBytes) throws(JournalError) {
        guard passphrase.count > 0 else { throw refusal("is empty") }
        let normalized = try normalizedForKeyDerivation(passphrase)
        let (characters, onlyWhitespace) = normalized.withUnsafeBytes { bytes in
            var characters = 0
            var onlyWhitespace = true
            forEachScalar(in: bytes) { scalar in
                characters += 1
                if !scalar.properties.isWhitespace { onlyWhitespace = false }
            }
            return (characters, onlyWhitespace)
        }
        guard !onlyWhitespace else { throw refusal("is only whitespace") }
        guard characters >= minimumLength else {
            throw refusal("is too short (it must be at least \(minimumLength) characters)")
        }
    }

    /// The canonical bytes of `passphrase` to feed to Argon2id: its UTF-8 in Unicode NFC.
    ///
    /// The same passphrase typed on two systems that compose accents differently ("é" as U+00E9
    /// or as "e" + U+0301) gives the same bytes, so it unlocks the same journal.
    ///
    /// An all-ASCII passphrase is returned unchanged (NFC never changes ASCII) without ever leaving
    /// guarded memory. Otherwise the bytes are checked to be UTF-8 without a copy, then decoded into
    /// a transient Swift `String`, normalised (Foundation's `precomposedStringWithCanonicalMapping`),
    /// and copied into new guarded memory. Those transient `String`s live in ordinary heap memory
    /// and cannot be wiped: a documented limit of non-ASCII passphrases.
    ///
    /// Cost: a copy, plus Unicode normalisation for non-ASCII input; no key derivation.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` (field `"passphrase"`) when the bytes
    ///   are not valid UTF-8; ``JournalError/crypto(_:)`` when guarded memory is refused.
    public static func normalizedForKeyDerivation(_ passphrase: SecretBytes) throws(JournalError) -> SecretBytes {
        let isASCII = passphrase.withUnsafeBytes { bytes in !bytes.contains { $0 >= 0x80 } }
        if isASCII { return passphrase }
        let wellFormed = passphrase.withUnsafeBytes { bytes in isValidUTF8(bytes) }
        guard wellFormed else { throw refusal("is not valid UTF-8 text") }
        return try JournalError.mapping {
            var normalized = passphrase.withUnsafeBytes { bytes in
                String(decoding: bytes, as: UTF8.self).precomposedStringWithCanonicalMapping
            }
            let count = normalized.utf8.count
            return try SecretBytes(count: count) { buffer in
                normalized.withUTF8 { utf8 in buffer.copyMemory(from: UnsafeRawBufferPointer(utf8)) }
            }
        }
    }

    private static func refusal(_ reason: String) -> JournalError {
        .invalidField(field: "passphrase", reason: reason)
    }

    /// Whether `bytes` are well-formed UTF-8 (decoded in place, no copy).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Calls `body` with each scalar of well-formed UTF-8 `bytes` (decoded in place, no copy).
    static func forEachScalar(in bytes: UnsafeRawBufferPointer, _ body: (Unicode.Scalar) -> Void) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while case let .scalarValue(scalar) = decoder.decode(&iterator) { body(scalar) }
    }
}
