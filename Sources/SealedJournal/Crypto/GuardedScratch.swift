/// A small reusable buffer of guarded memory (`sodium_malloc`) for secrets derived on hot paths,
/// such as per-record keys: filled, used and wiped many times without a `sodium_malloc` per use.
/// Wiped and freed when released.
///
/// Not thread-safe: each owner (a writer under its lock, one reading cursor) has its own.
final class GuardedScratch {
    private let storage: SecretStorage

    init(count: Int) throws {
        try Sodium.ensureInitialized()
        storage = try SecretStorage(count: count)
    }

    /// Runs `body` with the buffer and wipes it afterwards, even when `body` throws.
    func use<T>(_ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        let buffer = storage.mutableBuffer
        defer { Sodium.wipe(buffer) }
        return try body(buffer)
    }
}

@available(*, unavailable, message: "a scratch buffer belongs to one owner; it is reused without locking")
extension GuardedScratch: Sendable {}
