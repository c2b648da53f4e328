/// Why a sequence of bytes is not a valid SealedJournal structure.
///
/// Messages name the structure and the field, never the content.
public enum FormatError: Error, Equatable, Sendable {
    /// The bytes end before the structure does.
    case truncated(what: String)
    /// A magic number or fixed marker is wrong.
    case badMagic(what: String)
    /// The structure declares a format version this library does not read.
    case unsupportedVersion(found: Int, supported: Int)
    /// A field holds a value the format does not allow.
    case invalidField(what: String)
    /// A size field exceeds a documented limit (protects against hostile files).
    case limitExceeded(what: String, limit: Int)
    /// A signature or digest does not match.
    case badSignature(what: String)
}

extension FormatError: CustomStringConvertible {
    /// What is malformed, in one line; never the bytes themselves.
    public var description: String {
        switch self {
        case let .truncated(what): return "\(what) is truncated"
        case let .badMagic(what): return "\(what) has the wrong magic bytes"
        case let .unsupportedVersion(found, supported):
            return "format version \(found) is not supported (this library reads version \(supported))"
        case let .invalidField(what): return "invalid \(what)"
        case let .limitExceeded(what, limit): return "\(what) exceeds the limit of \(limit)"
        case let .badSignature(what): return "\(what) does not verify"
        }
    }
}
