import Foundation

/// A type that can be sealed into a journal as a record.
///
/// Built-in kinds are ``JournalEntry``, ``CheckIn``, ``Amendment`` and ``Disclosure``.
/// An app adds its own by conforming a `Codable` type and naming a kind of its own, such as
/// `"com.example.sleep-log"` (1 to 64 bytes; the built-in names are reserved).
///
/// The payload is JSON with sorted keys. `Date` fields are written as ISO 8601 text in UTC with
/// milliseconds (`"2026-11-27T15:30:00.125Z"`, years 0001-9999; a date outside that range is
/// refused with ``JournalError/invalidField(field:reason:)`` naming the field `record`, and
/// nothing is written), so exports and other readers see
/// a real time, not a number. `Double` values must be finite.
public protocol JournalRecordContent: Codable, Sendable {
    /// The kind name stored (encrypted) with each record of this type.
    static var recordKind: RecordKind { get }
    /// Checks field ranges before anything is written. Throw ``JournalError/invalidField(field:reason:)``.
    func validate() throws(JournalError)
}

extension JournalRecordContent {
    /// Accepts every value: a type with no ranges to check need not implement ``validate()``.
    public func validate() throws(JournalError) {}
}

/// The kind of a record: a built-in one (``entry``, ``checkIn``...) or an app's own, such as
/// `"com.example.sleep-log"` (1 to 64 bytes; the built-in names are reserved).
///
/// A small typed value around the kind name stored (encrypted) with each record; string literals
/// convert (`let kind: RecordKind = "com.example.sleep-log"`), and it encodes in JSON as the
/// plain name.
public struct RecordKind: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The kind name as stored.
    public let rawValue: String

    /// A kind named `rawValue` (validated when a record is appended, not here).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A kind named `name`.
    public init(_ name: String) { self.rawValue = name }

    /// A kind from a string literal: `let kind: RecordKind = "com.example.sleep-log"`.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Decodes the plain kind name.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the plain kind name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The kind name.
    public var description: String { rawValue }

    /// Orders by name (for stable listings).
    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A free-text ``JournalEntry``.
    public static let entry: RecordKind = "entry"
    /// A daily ``CheckIn``.
    public static let checkIn: RecordKind = "checkIn"
    /// An ``Amendment`` (a correction pointing back at an earlier record).
    public static let amendment: RecordKind = "amendment"
    /// A ``Disclosure`` (the accounting of an export, report or bundle).
    public static let disclosure: RecordKind = "disclosure"
    /// Written by the library when a passphrase, recovery key or header changes (see ``KeyChange``).
    public static let keyChange: RecordKind = "keyChange"
    /// Written by ``Journal/repair(at:passphrase:acceptingLoss:)`` (see ``RepairNote``).
    public static let repair: RecordKind = "repair"
    /// A witness receipt: a cosigned checkpoint stored in the journal.
    public static let witness: RecordKind = "witness"
    static let builtIn: Set<RecordKind> = [entry, checkIn, amendment, disclosure, keyChange, repair, witness]
    /// The kinds the library writes for its own accounting (disclosures, key changes, repairs,
    /// witness receipts): readers for people usually show them apart from what the client wrote.
    public static let bookkeeping: Set<RecordKind> = [disclosure, keyChange, repair, witness]

    /// `true` for the kinds the library defines (an app cannot use their names).
    public var isBuiltIn: Bool { RecordKind.builtIn.contains(self) }

    /// Inside the library, kind names read from records are plain strings until they become a
    /// ``JournalRecord``: compare them with a kind directly.
    static func == (lhs: String, rhs: RecordKind) -> Bool { lhs == rhs.rawValue }
    /// `case RecordKind.entry:` in a `switch` over a stored kind name.
    static func ~= (pattern: RecordKind, value: String) -> Bool { pattern.rawValue == value }
}

/// A free-text journal entry.
public struct JournalEntry: JournalRecordContent, Equatable {
    /// ``RecordKind/entry``.
    public static let recordKind = RecordKind.entry
    /// The entry's text (sealed; never logged).
    public var text: String
    /// An optional title (at most 1024 bytes).
    public var title: String?
    /// Tags for filtering (``RecordFilter/tag``): at most 64, each 1 to 128 bytes and not blank.
    public var tags: [String]

    /// An entry with `text`, an optional `title` and `tags`. Limits are checked by ``validate()``
    /// when appended.
    public init(text: String, title: String? = nil, tags: [String] = []) {
        self.text = text
        self.title = title
        self.tags = tags
    }

    /// Checks the title and tag limits.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` naming `title` or `tags`.
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

    /// Decodes an entry; absent `title` and `tags` mean none.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
    }
}

/// A correction to an earlier record. Append-only has no edit: an amendment points back.
public struct Amendment: JournalRecordContent, Equatable {
    /// ``RecordKind/amendment``.
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

    /// A correction of record `amends` (use ``Journal/amend(_:text:reason:)`` or
    /// ``Journal/amendCheckIn(_:with:reason:)``, which check that the record exists).
    public init(amends: UInt64, text: String, reason: String? = nil, checkIn: CheckIn? = nil) {
        self.amends = amends
        self.text = text
        self.reason = reason
        self.checkIn = checkIn
    }

    /// Checks the reason's length (at most 4096 bytes) and the corrected check-in's ranges.
    /// - Throws: ``JournalError/invalidField(field:reason:)``.
    public func validate() throws(JournalError) {
        if let reason, reason.utf8.count > 4096 { throw .invalidField(field: "reason", reason: "must be at most 4096 bytes") }
        try checkIn?.validate()
    }
}

/// An export or disclosure event: who received what, why and when (42 CFR Part 2 accounting).
public struct Disclosure: JournalRecordContent, Equatable {
    /// ``RecordKind/disclosure``.
    public static let recordKind = RecordKind.disclosure
    /// A name, or the recipient's public key.
    public var recipient: String
    /// Why it was shared, as the owner stated it.
    public var purpose: String
    /// What was shared: kinds, date range, whether notes were left out.
    public var scope: String
    /// The export format ("json", "age", "audit-bundle", ...).
    public var format: String
    /// SHA-256 of the exported bytes, hex.
    public var digest: String?

    /// A disclosure record. Exports write these themselves (see ``DisclosureRequest``); an app that
    /// shares records by its own means can append one to keep the accounting complete.
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
    /// ``RecordKind/keyChange``.
    public static let recordKind = RecordKind.keyChange

    /// What changed.
    public enum Change: String, Codable, Sendable {
        /// The passphrase was changed (``Journal/changePassphrase(to:kdf:)``).
        case passphrase
        /// The recovery key was replaced (``Journal/replaceRecoveryKey()``).
        case recoveryKey
        /// An interrupted change completed on opening.
        case header
    }

    /// What changed.
    public var change: Change

    /// A record of `change` (written by the library; apps do not need to).
    public init(change: Change) { self.change = change }
}

/// What an explicit repair removed and recovered (written by ``Journal/repair(at:passphrase:acceptingLoss:)``).
public struct RepairNote: JournalRecordContent, Equatable {
    /// ``RecordKind/repair``.
    public static let recordKind = RecordKind.repair
    /// File offset from which bytes were removed.
    public var removedFromOffset: UInt64
    /// How many bytes were removed (all kept in the side file).
    public var removedBytes: UInt64
    /// Name of the side file (mode 0600, beside the journal) that keeps the removed bytes.
    public var savedTo: String
    /// Complete records found in the removed bytes that authenticated and were committed again.
    public var recommittedRecords: UInt64

    /// A repair note (written by ``Journal/repair(at:passphrase:acceptingLoss:)``; apps do not need to).
    public init(removedFromOffset: UInt64, removedBytes: UInt64, savedTo: String, recommittedRecords: UInt64) {
        self.removedFromOffset = removedFromOffset
        self.removedBytes = removedBytes
        self.savedTo = savedTo
        self.recommittedRecords = recommittedRecords
    }
}
