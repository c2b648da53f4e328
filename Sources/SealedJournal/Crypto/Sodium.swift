internal import CSodium

/// One-time libsodium initialisation.
///
/// Every wrapper in `Crypto/` calls ``Sodium/ensureInitialized()`` before touching
/// libsodium. The check runs once per process (Swift initialises `static let`
/// exactly once, thread-safely) and fails with a typed error rather than a crash.
enum Sodium {
    /// The oldest libsodium whose primitives and behaviour SealedJournal relies on.
    static let minimumVersion = (major: 1, minor: 0, patch: 18)

    private static let initialization: Result<Void, CryptoError> = {
        guard sodium_init() >= 0 else { return .failure(.libraryUnavailable) }
        let found = runtimeVersion
        guard isAtLeastMinimum(found) else {
            return .failure(.libraryTooOld(found: found, required: "1.0.18"))
        }
        return .success(())
    }()

    /// The version string reported by the libsodium linked at run time.
    static var runtimeVersion: String { String(cString: sodium_version_string()) }

    /// Initialises libsodium once; throws if it cannot be used.
    @inline(__always)
    static func ensureInitialized() throws(CryptoError) {
        try initialization.get()
    }

    /// `true` when a dotted version string is at least ``minimumVersion``.
    static func isAtLeastMinimum(_ version: String) -> Bool {
        let parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        let padded = parts + Array(repeating: 0, count: max(0, 3 - parts.count))
        let found = (padded[0], padded[1], padded[2])
        let minimum = minimumVersion
        return found >= (minimum.major, minimum.minor, minimum.patch)
    }

    /// Wipes `buffer` with `sodium_memzero` (which the compiler cannot optimise away).
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
    }

    /// Wipes an array's bytes in place.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }
}
