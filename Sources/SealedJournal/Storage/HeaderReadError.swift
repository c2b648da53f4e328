/// Why the header region of a file cannot be used. A Storage-layer error: the Journal layer turns
/// it into the matching ``JournalError`` case (see `JournalError.mapping`).
enum HeaderReadError: Error, Equatable, CustomStringConvertible {
    /// The file has no bytes at all.
    case emptyFile(path: String)
    /// Neither header copy starts with the journal magic.
    case notAJournal(path: String)
    /// The only intact-looking copies declare a format version this library does not read.
    case unsupportedVersion(found: Int, supported: Int)
    /// Neither copy decodes and verifies.
    case corruptHeader(path: String, reason: String)
    /// The two copies name different journals.
    case headerMismatch(path: String, reason: String)

    var description: String {
        switch self {
        case let .emptyFile(path): return "\(path) is empty"
        case let .notAJournal(path): return "\(path) is not a SealedJournal journal"
        case let .unsupportedVersion(found, supported): return "format version \(found) is not supported (this library reads version \(supported))"
        case let .corruptHeader(path, reason): return "the header of \(path) is damaged in both copies: \(reason)"
        case let .headerMismatch(path, reason): return "the header copies of \(path) do not belong together: \(reason)"
        }
    }
}
