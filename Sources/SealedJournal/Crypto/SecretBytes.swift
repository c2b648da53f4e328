internal import CSodium

/// Secret key material held in libsodium guarded memory.
///
/// The bytes live in a `sodium_malloc` allocation (guard pages before and after,
/// locked out of swap where the system allows), are made read-only once
/// initialised, and are wiped with `sodium_memzero` and freed with `sodium_free`
/// when the last copy of the value is released.
///
/// `SecretBytes` deliberately has no `==`, no `Hashable`, no `Codable`, and a
/// `description` that never shows the bytes. Compare with
/// ``constantTimeEquals(_:)``; reach the bytes only inside ``withUnsafeBytes(_:)``.
public struct SecretBytes: Sendable {
    let storage: SecretStorage

    /// Allocates `count` bytes of guarded memory and lets `initializer` fill them.
    ///
    /// - Throws: ``CryptoError/outOfMemory(bytes:)`` when guarded memory is refused,
    ///   or whatever `initializer` throws (the memory is wiped in that case too).
    init(count: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        try Sodium.ensureInitialized()
        let storage = try SecretStorage(count: count)
        try initializer(storage.mutableBuffer)
        storage.makeReadOnly()
        self.storage = storage
    }

    /// Allocates `count` bytes of guarded memory and lets `initializer` fill them in place, so a
    /// secret read from the caller's own source (a terminal, a key file, a platform keychain)
    /// never passes through an unguarded buffer. The memory starts zeroed.
    ///
    /// - Throws: ``CryptoError/outOfMemory(bytes:)`` when guarded memory is refused, or what
    ///   `initializer` throws (the memory is wiped and freed in that case too).
    public init(unsafeUninitializedCount count: Int,
                initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> Void) throws(CryptoError) {
        try Sodium.ensureInitialized()
        let storage = try SecretStorage(count: count)
        try initializer(storage.mutableBuffer)
        storage.makeReadOnly()
        self.storage = storage
    }

    /// Copies `bytes` into guarded memory. The caller remains responsible for wiping its copy.
    /// - Throws: ``CryptoError/outOfMemory(bytes:)`` when guarded memory is refused.
    public init(copying bytes: some Sequence<UInt8>) throws(CryptoError) {
        let array = Array(bytes)
        try self.init(unsafeUninitializedCount: array.count) { buffer in
            buffer.copyBytes(from: array)
        }
    }

    /// Copies the UTF-8 bytes of `string` (for passphrases) into guarded memory.
    ///
    /// Swift strings cannot be wiped; prefer reading passphrases straight into
    /// ``SecretBytes`` where you can.
    /// - Throws: ``CryptoError/outOfMemory(bytes:)`` when guarded memory is refused.
    public init(utf8 string: String) throws(CryptoError) {
        var string = string
        let count = string.utf8.count
        try self.init(unsafeUninitializedCount: count) { buffer in
            string.withUTF8 { utf8 in buffer.copyMemory(from: UnsafeRawBufferPointer(utf8)) }
        }
    }

    /// Fresh random bytes from the operating system's CSPRNG (`randombytes_buf`).
    /// - Throws: ``CryptoError/outOfMemory(bytes:)`` when guarded memory is refused.
    public static func random(count: Int) throws(CryptoError) -> SecretBytes {
        try SecretBytes(unsafeUninitializedCount: count) { DeterministicRandomness.fill($0) }
    }

    /// The number of secret bytes.
    public var count: Int { storage.count }

    /// Calls `body` with a read-only view of the secret bytes. Do not let the pointer escape.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(storage.mutableBuffer))
    }

    /// Compares two secrets in constant time (`sodium_memcmp`). Different lengths compare unequal.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        guard count > 0 else { return true }
        return withUnsafeBytes { lhs in
            other.withUnsafeBytes { rhs in sodium_memcmp(lhs.baseAddress!, rhs.baseAddress!, count) == 0 }
        }
    }

    /// Compares with non-secret bytes in constant time.
    func constantTimeEquals(_ other: [UInt8]) -> Bool {
        ConstantTime.equals(self, other)
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never shows the bytes.
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
    /// Never shows the bytes (the same text as ``description``).
    public var debugDescription: String { description }
    /// An empty mirror, so `dump`, debuggers and string interpolation of containers never reach the bytes.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The owner of one guarded allocation.
///
/// `@unchecked Sendable`: the memory is written only inside `SecretBytes.init`
/// before the storage is shared, then made read-only with `sodium_mprotect_readonly`;
/// after that it is only read, and freed once in `deinit`.
final class SecretStorage: @unchecked Sendable {
    let count: Int
    private let pointer: UnsafeMutableRawPointer

    /// A test-only seam: called with the allocation after it is wiped and before it
    /// is freed, so tests can prove the wipe happened. `nil` in production.
    static let wipeObserver = Locked<(@Sendable (UnsafeRawBufferPointer) -> Void)?>(nil)

    init(count: Int) throws(CryptoError) {
        precondition(count >= 0, "negative secret size")
        // sodium_malloc(0) returns a valid guarded region; keep at least one byte
        // so the pointer is never nil.
        guard let pointer = sodium_malloc(max(count, 1)) else {
            throw .outOfMemory(bytes: count)
        }
        sodium_memzero(pointer, max(count, 1))
        self.pointer = pointer
        self.count = count
    }

    var mutableBuffer: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: pointer, count: count)
    }

    func makeReadOnly() {
        _ = sodium_mprotect_readonly(pointer)
    }

    deinit {
        _ = sodium_mprotect_readwrite(pointer)
        sodium_memzero(pointer, max(count, 1))
        if let observer = SecretStorage.wipeObserver.withLock({ $0 }) {
            observer(UnsafeRawBufferPointer(start: pointer, count: count))
        }
        sodium_free(pointer)
    }
}
