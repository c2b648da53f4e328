#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which operation, on which file, and the C error it returned.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was being done ("write", "fsync", "open", ...).
    public let operation: String
    /// The file involved (a path the caller chose; never content).
    public let path: String
    /// The `errno` value.
    public let code: Int32

    /// `OPERATION failed for PATH: strerror (errno N)`.
    public var description: String {
        "\(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code))"
    }

    /// The disk or quota is full.
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
}

/// The one place that reads `errno`: runs a C call, retrying on `EINTR`, and turns -1 into a thrown ``SystemError``.
enum SystemCall {
    @discardableResult
    static func run<T: BinaryInteger>(_ operation: String, path: String, _ body: () -> T) throws -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemError(operation: operation, path: path, code: code)
        }
    }
}
