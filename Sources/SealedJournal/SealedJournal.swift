/// SealedJournal: sealed, append-only recovery journals.
///
/// Layers, each in its own folder and depending only on the ones before it:
/// `Crypto/` (safe libsodium), `Format/` (bytes in, values out), `Storage/` (the
/// append-only file), `Journal/` (the public API) and `Export/` (sharing and audit).
public enum SealedJournalLibrary {
    /// The library's version.
    public static let version = "0.1.0"

    /// The libsodium version linked at run time, after checking it is usable.
    /// - Throws: ``CryptoError`` when libsodium cannot be initialised or is older than 1.0.18.
    public static func sodiumVersion() throws(CryptoError) -> String {
        try Sodium.ensureInitialized()
        return Sodium.runtimeVersion
    }

}
