import Foundation
import SealedJournal

/// Where a witness server keeps its registry of journals, their latest cosigned checkpoints and
/// the evidence of refused conflicts.
///
/// The contract that keeps a witness honest: ``cosign(_:witness:now:)`` reads the journal's entry,
/// decides (``Witness/decide(_:entry:now:)``) and stores the updated entry **in one transaction**
/// that excludes every other writer of that entry, and returns only after it committed. So two
/// requests (threads, processes, server instances) can never both be cosigned from the same
/// previous state, and a crash never loses an answered cosignature.
public protocol WitnessStore: Sendable {
    /// Enrolls a journal; the same key again is harmless, another key is ``WitnessError/alreadyEnrolled(origin:)``.
    func enroll(_ entry: EnrolledJournal) async throws -> EnrolledJournal
    /// The entry of `origin`, or `nil`.
    func entry(origin: String) async throws -> EnrolledJournal?
    /// Checks and cosigns in one transaction. Refusals change no entry; conflicts add evidence.
    /// - Throws: ``WitnessError`` for refusals (with their HTTP status), or the database's error.
    func cosign(_ request: WitnessRequest, witness: Witness, now: Date) async throws -> WitnessResponse
    /// Number of evidence entries kept.
    func evidenceCount() async throws -> Int
}

extension WitnessError {
    /// The refusal with a pointer to where its evidence went.
    func withEvidence(_ reference: String) -> WitnessError {
        switch self {
        case let .fork(origin, size, _): return .fork(origin: origin, treeSize: size, evidencePath: reference)
        case let .inconsistent(origin, from, to, _): return .inconsistent(origin: origin, fromSize: from, toSize: to, evidencePath: reference)
        default: return self
        }
    }
}

/// Tree sizes and times as SQL BIGINT (a size above 2^63 - 1 cannot occur in a real journal).
enum SQLInteger {
    static func from(_ value: UInt64) throws -> Int64 {
        guard let result = Int64(exactly: value) else { throw WitnessError.malformedRequest(reason: "a size above 2^63 - 1") }
        return result
    }

    static func to(_ value: Int64, _ what: String) throws -> UInt64 {
        guard let result = UInt64(exactly: value) else { throw WitnessError.damagedState(path: "database", reason: "negative \(what)") }
        return result
    }
}
