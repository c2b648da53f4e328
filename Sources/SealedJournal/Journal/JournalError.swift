#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything that can go wrong with a journal, each case specific enough to act on.
///
/// No case carries record content, passphrases or key bytes: only paths the caller chose,
/// offsets, sequence numbers, field names and limits.
public enum JournalError: Error, Equatable, Sendable {
    /// There is no file at `path`.
    case notFound(path: String)
    /// The file exists but is empty (zero bytes).
    case emptyFile(path: String)
    /// The file is not a SealedJournal journal (wrong magic bytes).
    case notAJournal(path: String)
    /// The journal was written in a format version this library does not read.
    case unsupportedVersion(found: Int, supported: Int)
    /// Neither header copy is intact.
    case corruptHeader(path: String, reason: String)
    /// The header and the records do not belong to the same journal (a header or records spliced in).
    case headerMismatch(path: String, reason: String)
    /// A frame is damaged. `sequence` is the record number when the frame is a record.
    case corruptFrame(offset: UInt64, sequence: UInt64?, reason: String)
    /// Something that was committed is damaged at or after `offset`: a write-open refuses (nothing
    /// is cut); ``Journal/repair(at:passphrase:acceptingLoss:)`` removes it only when asked, keeping the bytes.
    case damaged(offset: UInt64, reason: String)
    /// A record authenticates but was written with a record encoding this library does not read.
    case unsupportedRecordVersion(sequence: UInt64, found: Int)
    /// The journal's fingerprint (and every fingerprint it was re-keyed from) differs from the pinned one.
    case fingerprintMismatch(expected: Fingerprint, found: Fingerprint)
    /// This `Journal` was retired by ``Journal/rekey(to:kdf:omitting:)``: the file at `path` is now the successor.
    case journalReplaced(path: String)
    /// No intact checkpoint exists, so no record can be trusted.
    case noValidCheckpoint(path: String)
    /// A file already exists where a new journal was to be created.
    case alreadyExists(path: String)
    /// The passphrase does not unlock any passphrase slot.
    case wrongPassphrase
    /// The recovery key does not unlock the recovery slot.
    case wrongRecoveryKey
    /// A typed recovery key is malformed (a typo): wrong characters, length or checksum.
    case invalidRecoveryKeyText(reason: String)
    /// A field of a record is out of range or malformed; nothing was written.
    case invalidField(field: String, reason: String)
    /// A record is larger than the format allows; nothing was written.
    case recordTooLarge(bytes: Int, limit: Int)
    /// A key slot asks for more Argon2id work than this library accepts (hostile or damaged header).
    case keyDerivationLimitExceeded(opsLimit: UInt64, memoryLimitBytes: UInt64)
    /// The journal was opened read-only.
    case readOnly
    /// There is no record with this sequence number.
    case noSuchRecord(sequence: UInt64, recordCount: UInt64)
    /// A record's payload does not decode as the requested type.
    case decodingFailed(sequence: UInt64, kind: RecordKind, type: String)
    /// An operating-system call failed (disk full, I/O error, permission denied...).
    case io(SystemError)
    /// A cryptographic operation failed (out of memory, libsodium unavailable...).
    case crypto(CryptoError)
}

extension JournalError: CustomStringConvertible {
    /// What went wrong, in one line a person can act on; never record content or key bytes.
    public var description: String {
        switch self {
        case let .notFound(path): return "there is no journal at \(path)"
        case let .emptyFile(path): return "\(path) is empty: it is not a journal (or its creation never finished)"
        case let .notAJournal(path): return "\(path) is not a SealedJournal journal"
        case let .unsupportedVersion(found, supported) where found == 1:
            return "this journal was written by SealedJournal 0.1 (format version \(found)); this version reads format \(supported). Export it with SealedJournal 0.1 (`export --format ndjson`) and import the export into a new journal"
        case let .unsupportedVersion(found, supported):
            return "journal format version \(found) is not supported by this version of SealedJournal (it reads version \(supported)); upgrade SealedJournal"
        case let .corruptHeader(path, reason): return "the header of \(path) is damaged in both copies: \(reason)"
        case let .headerMismatch(path, reason): return "the header and records of \(path) do not belong together: \(reason)"
        case let .corruptFrame(offset, sequence, reason):
            if let sequence { return "record \(sequence) at byte offset \(offset) is damaged: \(reason)" }
            return "the frame at byte offset \(offset) is damaged: \(reason)"
        case let .damaged(offset, reason):
            return "the journal is damaged at byte offset \(offset): \(reason). Nothing was changed; run verify, and repair to remove the damaged part (its bytes are kept)"
        case let .unsupportedRecordVersion(sequence, found):
            return "record \(sequence) uses record encoding version \(found), which this version of SealedJournal does not read; upgrade SealedJournal"
        case let .fingerprintMismatch(expected, found):
            return "the journal's fingerprint is \(found), not the expected \(expected): this is not the journal you pinned"
        case let .journalReplaced(path): return "\(path) was re-keyed; open the new journal"
        case let .noValidCheckpoint(path): return "\(path) has no intact checkpoint; its records cannot be trusted"
        case let .alreadyExists(path): return "\(path) already exists; refusing to overwrite it"
        case .wrongPassphrase: return "wrong passphrase"
        case .wrongRecoveryKey: return "wrong recovery key"
        case let .invalidRecoveryKeyText(reason): return "that is not a valid recovery key: \(reason)"
        case let .invalidField(field, reason): return "\(field): \(reason)"
        case let .recordTooLarge(bytes, limit): return "record is too large (\(bytes) bytes; the limit is \(limit))"
        case let .keyDerivationLimitExceeded(ops, memory):
            return "a key slot asks for Argon2id opslimit \(ops) and \(memory / 1_048_576) MiB, above what SealedJournal accepts; the header may have been tampered with"
        case .readOnly: return "the journal is open read-only"
        case let .noSuchRecord(sequence, count): return "there is no record \(sequence) (the journal has \(count) records)"
        case let .decodingFailed(sequence, kind, type): return "record \(sequence) of kind \(kind) does not decode as \(type)"
        case let .io(error): return error.description
        case let .crypto(error): return error.description
        }
    }
}

extension JournalError {
    /// Runs `body`, mapping lower-layer errors to ``JournalError``.
    ///
    /// Every error type the layers below throw has its own mapping (see
    /// ``JournalErrorConvertible``); `JournalErrorMappingTests` checks each one, so no internal
    /// type reaches an embedder.
    static func mapping<T>(_ body: () throws -> T) throws(JournalError) -> T {
        do {
            return try body()
        } catch {
            throw JournalError(mapping: error)
        }
    }

    /// The ``JournalError`` for an error thrown below the Journal layer.
    init(mapping error: any Error) {
        switch error {
        case let error as JournalError: self = error
        case let error as any JournalErrorConvertible: self = error.journalError
        default:
            // Unreachable by construction: every throwing function under Sources/SealedJournal
            // throws one of the convertible types. Report it as a system failure naming only the
            // type (never a value, which could carry content), rather than as damage.
            self = .io(SystemError(operation: "internal: \(type(of: error))", path: "", code: 0))
        }
    }

    /// Why a record frame did not open: altered (authentication failed), or authenticated but
    /// malformed, or of an unknown record encoding version.
    static func recordOpenFailure(_ error: any Error, offset: UInt64, sequence: UInt64) -> JournalError {
        switch error {
        case let FormatError.unsupportedVersion(found, _):
            return .unsupportedRecordVersion(sequence: sequence, found: found)
        case let error as FormatError:
            return .corruptFrame(offset: offset, sequence: sequence, reason: "it authenticates but its content is malformed (\(error))")
        case CryptoError.outOfMemory, CryptoError.libraryUnavailable, CryptoError.libraryTooOld, CryptoError.passwordHashingOutOfMemory:
            // The machine, not the record: never send the user to repair for this.
            return JournalError(mapping: error)
        default:
            return .corruptFrame(offset: offset, sequence: sequence, reason: "it does not authenticate (altered, moved, or from another journal)")
        }
    }

    /// What kind of failure this is: the broad classes a caller acts on (and the CLI's exit
    /// statuses come from).
    public enum Category: Sendable, Equatable {
        /// The passphrase or recovery key is wrong (nothing changed).
        case wrongSecret
        /// The file is damaged, tampered with, foreign, or not the pinned journal.
        case damaged
        /// Written by a newer SealedJournal (a format or record encoding this one does not read).
        case unsupported
        /// The caller's input was refused (nothing was written).
        case invalidInput
        /// There is no such file or record.
        case notFound
        /// The operating system or libsodium failed (disk full, I/O error, out of memory...).
        case system
        /// The operation does not fit the journal's state (opened read-only, replaced by a rekey).
        case state
    }

    /// The category of this error.
    public var category: Category {
        switch self {
        case .wrongPassphrase, .wrongRecoveryKey: return .wrongSecret
        case .emptyFile, .notAJournal, .corruptHeader, .headerMismatch, .corruptFrame, .noValidCheckpoint, .keyDerivationLimitExceeded,
             .decodingFailed, .damaged, .fingerprintMismatch: return .damaged
        case .unsupportedVersion, .unsupportedRecordVersion: return .unsupported
        case .invalidField, .invalidRecoveryKeyText, .recordTooLarge, .alreadyExists: return .invalidInput
        case .notFound, .noSuchRecord: return .notFound
        case .io, .crypto: return .system
        case .readOnly, .journalReplaced: return .state
        }
    }
}

/// An error of a layer below Journal (Crypto, Format, Storage) that has a ``JournalError`` meaning.
protocol JournalErrorConvertible: Error {
    /// The error as an embedder sees it.
    var journalError: JournalError { get }
}

extension SystemError: JournalErrorConvertible {
    var journalError: JournalError {
        code == ENOENT && operation == "open" ? .notFound(path: path) : .io(self)
    }
}

extension CryptoError: JournalErrorConvertible {
    var journalError: JournalError { .crypto(self) }
}

extension FormatError: JournalErrorConvertible {
    var journalError: JournalError {
        if case let .unsupportedVersion(found, supported) = self { return .unsupportedVersion(found: found, supported: supported) }
        return .corruptFrame(offset: 0, sequence: nil, reason: description)
    }
}

extension FrameReadError: JournalErrorConvertible {
    var journalError: JournalError {
        switch self {
        case let .incomplete(offset): return .corruptFrame(offset: offset, sequence: nil, reason: "the frame is incomplete")
        case let .malformed(offset, reason): return .corruptFrame(offset: offset, sequence: nil, reason: reason.description)
        }
    }
}

extension HeaderReadError: JournalErrorConvertible {
    var journalError: JournalError {
        switch self {
        case let .emptyFile(path): return .emptyFile(path: path)
        case let .notAJournal(path): return .notAJournal(path: path)
        case let .unsupportedVersion(found, supported): return .unsupportedVersion(found: found, supported: supported)
        case let .corruptHeader(path, reason): return .corruptHeader(path: path, reason: reason)
        case let .headerMismatch(path, reason): return .headerMismatch(path: path, reason: reason)
        }
    }
}

extension RecoveryKeyEncoding.DecodeError: JournalErrorConvertible {
    var journalError: JournalError {
        switch self {
        case .invalidCharacter: return .invalidRecoveryKeyText(reason: "it contains a character that is not in the key alphabet")
        case .wrongLength: return .invalidRecoveryKeyText(reason: "it must have \(RecoveryKeyEncoding.characterCount) characters")
        case .checksumMismatch: return .invalidRecoveryKeyText(reason: "its checksum does not match (check for a typo)")
        }
    }
}
