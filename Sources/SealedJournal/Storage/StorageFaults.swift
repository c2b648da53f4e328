import Synchronization

/// A test seam for injected storage faults: tests install a handler that may fail or shorten
/// a write or fail an fsync. In production no handler is installed and the check is one
/// atomic load.
enum StorageFaults {
    /// What an injected fault does to one operation.
    enum Action: Sendable {
        /// Let the operation run normally.
        case proceed
        /// Fail with this errno without touching the file.
        case fail(errno: Int32)
        /// Write only the first `bytes` bytes, then fail with `errno` (a short write).
        case shortWrite(bytes: Int, errno: Int32)
    }

    enum Operation: Sendable, Equatable {
        case write(offset: UInt64, count: Int)
        case sync
        case truncate(size: UInt64)
    }

    typealias Handler = @Sendable (_ path: String, _ operation: Operation) -> Action

    private static let handler = Locked<Handler?>(nil)
    private static let installed = Atomic<Bool>(false)

    /// Installs (or, with `nil`, removes) the fault handler. Test-only.
    static func install(_ newHandler: Handler?) {
        handler.withLock { $0 = newHandler }
        installed.store(newHandler != nil, ordering: .releasing)
    }

    static func action(path: String, _ operation: Operation) -> Action {
        guard installed.load(ordering: .acquiring) else { return .proceed }
        return handler.withLock { $0 }?(path, operation) ?? .proceed
    }
}
