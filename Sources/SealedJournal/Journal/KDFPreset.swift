/// How hard Argon2id works to turn a passphrase into a key. Stored in each passphrase slot.
public enum KDFPreset: Sendable, Equatable {
    /// 2 passes, 64 MiB: for devices that must unlock quickly.
    case interactive
    /// 3 passes, 256 MiB (the default).
    case moderate
    /// 4 passes, 1 GiB: for the most sensitive journals; takes seconds.
    case sensitive
    /// Explicit limits (1 to 16 passes, 8 KiB to 1 GiB, passes x memory at most 8 GiB: the bounds
    /// every reader enforces). Low values are for tests only: they make a passphrase easy to guess.
    case custom(opsLimit: UInt64, memoryLimitBytes: UInt64)

    var parameters: Argon2id.Parameters {
        switch self {
        case .interactive: return .interactive
        case .moderate: return .moderate
        case .sensitive: return .sensitive
        case let .custom(ops, memory): return .init(opsLimit: ops, memoryLimitBytes: memory)
        }
    }
}

/// When an append is made durable.
public enum Durability: Sendable, Equatable {
    /// `fsync` before an append returns: a returned append survives a crash or power loss (default).
    case synchronous
    /// No `fsync`. Appends can be lost on power loss. For tests and benchmarks only.
    case unsafeNoSync
}

/// How a journal is opened.
public enum OpenMode: Sendable, Equatable {
    /// Read records; no lock is taken and the file is never changed. A torn tail is ignored.
    case readOnly
    /// Read and append. A torn tail left by a crash is cut off.
    case readWrite
}
