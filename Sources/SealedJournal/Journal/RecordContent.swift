import Foundation

/// A type that can be sealed into a journal as a record.
///
/// Built-in kinds are ``JournalEntry``, ``CheckIn``, ``Amendment`` and ``Disclosure``.
/// An app adds its own by conforming a `Codable` type and naming a kind of its own, such as
/// `"com.example.sleep-log"` (1 to 64 bytes; the built-in names are reserved).
public protocol JournalRecordContent: Codable, Sendable {
    /// The kind name stored (encrypted) with each record of this type.
    static var recordKind: String { get }
    /// Checks field ranges before anything is written. Throw ``JournalError/invalidField(field:reason:)``.
    func validate() throws(JournalError)
}

extension JournalRecordContent {
    public func validate() throws(JournalError) {}
}

/// The built-in kind names.
public enum RecordKind {
    public static let entry = "entry"
    public static let checkIn = "checkIn"
    public static let amendment = "amendment"
    public static let disclosure = "disclosure"
    /// Written by the library when a passphrase, recovery key or header changes (see ``KeyChange``).
    public static let keyChange = "keyChange"
    /// Written by ``Journal/repair(at:passphrase:)`` (see ``RepairNote``).
    public static let repair = "repair"
    static let builtIn: Set<String> = [entry, checkIn, amendment, disclosure, keyChange, repair]
    /// The kinds the library writes for its own accounting (disclosures, key changes, repairs,
    /// witness receipts): readers for people usually show them apart from what the client wrote.
    public static let bookkeeping: Set<String> = [disclosure, keyChange, repair, "witness"]
}

/// A free-text journal entry.
public struct JournalEntry: JournalRecordContent, Equatable {
    public static let recordKind = RecordKind.entry
    public var text: String
    public var title: String?
    public var tags: [String]

    public init(text: String, title: String? = nil, tags: [String] = []) {
        self.text = text
        self.title = title
        self.tags = tags
    }

    public func validate() throws(JournalError) {
        if let title, title.utf8.count > 1024 { throw .invalidField(field: "title", reason: "must be at most 1024 bytes") }
        for tag in tags {
            guard !TextChecks.isBlank(tag), tag.utf8.count <= 128 else {
                throw .invalidField(field: "tags", reason: "each tag must be 1 to 128 bytes and not blank")
            }
        }
        guard tags.count <= 64 else { throw .invalidField(field: "tags", reason: "at most 64 tags") }
    }

    private enum CodingKeys: String, CodingKey { case text, title, tags }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
    }
}

/// A correction to an earlier record. Append-only has no edit: an amendment points back.
public struct Amendment: JournalRecordContent, Equatable {
    public static let recordKind = RecordKind.amendment
    /// Sequence number of the record being corrected (must already exist).
    public var amends: UInt64
    /// The correction.
    public var text: String
    /// Why (optional).
    public var reason: String?
    /// For a check-in: the corrected check-in (same day), whose values reports use instead of the
    /// amended one's, listing the correction. `nil` for a correction in words only.
    public var checkIn: CheckIn?

    public init(amends: UInt64, text: String, reason: String? = nil, checkIn: CheckIn? = nil) {
        self.amends = amends
        self.text = text
        self.reason = reason
        self.checkIn = checkIn
    }

    public func validate() throws(JournalError) {
        if let reason, reason.utf8.count > 4096 { throw .invalidField(field: "reason", reason: "must be at most 4096 bytes") }
        try checkIn?.validate()
    }
}

/// An export or disclosure event: who received what, why and when (42 CFR Part 2 accounting).
public struct Disclosure: JournalRecordContent, Equatable {
    public static let recordKind = RecordKind.disclosure
    /// A name, or the recipient's public key.
    public var recipient: String
    public var purpose: String
    /// What was shared: kinds, date range, whether notes were left out.
    public var scope: String
    /// The export format ("json", "age", "audit-bundle", ...).
    public var format: String
    /// SHA-256 of the exported bytes, hex.
    public var digest: String?

    public init(recipient: String, purpose: String, scope: String, format: String, digest: String? = nil) {
        self.recipient = recipient
        self.purpose = purpose
        self.scope = scope
        self.format = format
        self.digest = digest
    }
}

/// A key or header change, recorded by the library so the checkpoint that follows binds the new
/// header (FORMAT.md 5.3): a passphrase change, a new recovery key, or a header change whose
/// commit was interrupted and completed on the next write-open.
public struct KeyChange: JournalRecordContent, Equatable {
    public static let recordKind = RecordKind.keyChange

    /// What changed.
    public enum Change: String, Codable, Sendable {
        case passphrase
        case recoveryKey
        /// An interrupted change completed on opening.
        case header
    }

    public var change: Change

    public init(change: Change) { self.change = change }
}

/// What an explicit repair removed and recovered (written by ``Journal/repair(at:passphrase:)``).
public struct RepairNote: JournalRecordContent, Equatable {
    public static let recordKind = RecordKind.repair
    /// File offset from which bytes were removed.
    public var removedFromOffset: UInt64
    /// How many bytes were removed (all kept in the side file).
    public var removedBytes: UInt64
    /// Name of the side file (mode 0600, beside the journal) that keeps the removed bytes.
    public var savedTo: String
    /// Complete records found in the removed bytes that authenticated and were committed again.
    public var recommittedRecords: UInt64

    public init(removedFromOffset: UInt64, removedBytes: UInt64, savedTo: String, recommittedRecords: UInt64) {
        self.removedFromOffset = removedFromOffset
        self.removedBytes = removedBytes
        self.savedTo = savedTo
        self.recommittedRecords = recommittedRecords
    }
}
