/// Why a witness refused a request or could not run, each with the C2SP `tlog-witness` HTTP
/// status it maps to. No case carries record content or key bytes: only public facts (origins,
/// tree sizes) and paths the operator chose.
///
/// A refused request never changes what the witness has cosigned; a proven conflict (a fork or
/// a failed consistency proof from a checkpoint it cosigned) is kept as evidence.
public enum WitnessError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request is not a well-formed `add-checkpoint` body (400).
    case malformedRequest(reason: String)
    /// The request is larger than ``WitnessRequest/maximumByteCount`` (413).
    case requestTooLarge(limit: Int)
    /// The checkpoint's origin is not an enrolled journal (404).
    case unknownJournal(origin: String)
    /// The checkpoint is not signed by the enrolled journal key (403).
    case badSignature(origin: String)
    /// The request's old size is not the size the witness last cosigned (409, body `<size>\n`).
    case staleOldSize(origin: String, latestCosignedSize: UInt64)
    /// Same size as the last cosigned checkpoint but another root: a fork (409). Evidence kept.
    case fork(origin: String, treeSize: UInt64, evidencePath: String?)
    /// The consistency proof from the last cosigned checkpoint does not verify (422). Evidence kept.
    case inconsistent(origin: String, fromSize: UInt64, toSize: UInt64, evidencePath: String?)
    /// `enroll` for a journal already enrolled (with another key, or at all).
    case alreadyEnrolled(origin: String)
    /// The passphrase does not open the witness key.
    case wrongPassphrase
    /// The witness directory or one of its files is missing or damaged.
    case damagedState(path: String, reason: String)
    /// A file operation failed.
    case io(SystemError)
    /// A cryptographic operation failed (out of guarded memory, or libsodium failed to start).
    case crypto(String)

    /// The HTTP status C2SP `tlog-witness` gives this refusal (500 for the witness's own failures).
    public var httpStatus: Int {
        switch self {
        case .malformedRequest: return 400
        case .requestTooLarge: return 413
        case .unknownJournal: return 404
        case .badSignature: return 403
        case .staleOldSize, .fork: return 409
        case .inconsistent: return 422
        case .alreadyEnrolled: return 409
        case .wrongPassphrase, .damagedState, .io, .crypto: return 500
        }
    }

    /// The response body the spec requires, when it requires one: for a stale old size, the
    /// latest cosigned size in decimal and a newline (`Content-Type: text/x.tlog.size`).
    public var responseBody: String? {
        if case let .staleOldSize(_, size) = self { return "\(size)\n" }
        return nil
    }

    /// One line for a person: what was refused and why (public facts only).
    public var description: String {
        switch self {
        case let .malformedRequest(reason): return "malformed witness request: \(reason)"
        case let .requestTooLarge(limit): return "witness request too large (the limit is \(limit) bytes)"
        case let .unknownJournal(origin): return "unknown journal \(origin): it is not enrolled with this witness"
        case let .badSignature(origin): return "the checkpoint is not signed by the enrolled key of \(origin)"
        case let .staleOldSize(origin, size):
            return "stale request for \(origin): the witness last cosigned tree size \(size); request again from that size"
        case let .fork(origin, size, evidence):
            return "REFUSED: \(origin) presents a different tree of size \(size) than the one this witness cosigned (a fork)"
                + (evidence.map { "; evidence kept in \($0)" } ?? "")
        case let .inconsistent(origin, from, to, evidence):
            return "REFUSED: the consistency proof of \(origin) from size \(from) to \(to) does not verify against the checkpoint this witness cosigned (rewritten history?)"
                + (evidence.map { "; evidence kept in \($0)" } ?? "")
        case let .alreadyEnrolled(origin): return "\(origin) is already enrolled"
        case .wrongPassphrase: return "wrong passphrase for the witness key"
        case let .damagedState(path, reason): return "witness state \(path) is damaged: \(reason)"
        case let .io(error): return error.description
        case let .crypto(reason): return "cryptographic failure: \(reason)"
        }
    }
}
