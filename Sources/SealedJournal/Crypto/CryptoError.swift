/// Errors raised by the cryptographic layer.
///
/// No case ever carries key bytes, plaintext or passphrases: only sizes, names
/// and parameters, which are safe to log.
public enum CryptoError: Error, Equatable, Sendable {
    /// `sodium_init()` failed, so no cryptographic operation can run.
    case libraryUnavailable
    /// The libsodium found at run time is older than the version SealedJournal needs.
    case libraryTooOld(found: String, required: String)
    /// A sealed message, MAC or sealed box failed authentication: the key is wrong,
    /// or the bytes (ciphertext, tag, nonce or associated data) were altered.
    case authenticationFailed
    /// A key, nonce, salt or other fixed-size input has the wrong length.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// A parameter is outside the range the primitive accepts (for example an
    /// Argon2id limit or an HKDF output length).
    case invalidParameter(what: String)
    /// Guarded memory (`sodium_malloc`) could not be allocated.
    case outOfMemory(bytes: Int)
    /// Argon2id could not obtain the memory its parameters ask for.
    case passwordHashingOutOfMemory(memoryLimitBytes: UInt64)
    /// Padding is malformed: the padded buffer was altered or was never padded.
    case invalidPadding
    /// A public key is unusable (X25519 produced the all-zero shared secret).
    case invalidPublicKey
}

extension CryptoError: CustomStringConvertible {
    /// What failed, in one line; never key or record bytes.
    public var description: String {
        switch self {
        case .libraryUnavailable:
            return "libsodium could not be initialised (sodium_init failed)"
        case let .libraryTooOld(found, required):
            return "libsodium \(found) is too old: SealedJournal needs \(required) or newer"
        case .authenticationFailed:
            return "authentication failed: wrong key, or the data was altered"
        case let .invalidLength(what, expected, actual):
            return "\(what) must be \(expected) bytes, got \(actual)"
        case let .invalidParameter(what):
            return "invalid parameter: \(what)"
        case let .outOfMemory(bytes):
            return "could not allocate \(bytes) bytes of guarded memory"
        case let .passwordHashingOutOfMemory(limit):
            return "Argon2id could not obtain \(limit / 1_048_576) MiB of memory; free memory or use a lighter preset"
        case .invalidPadding:
            return "invalid padding"
        case .invalidPublicKey:
            return "invalid public key"
        }
    }
}
