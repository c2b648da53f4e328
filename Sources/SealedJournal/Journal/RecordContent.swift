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
    static let builtIn: Set<String> = [entry, checkIn, amendment, disclosure]
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
            let trimmed = tag.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, tag.utf8.count <= 128 else {
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

    public init(amends: UInt64, text: String, reason: String? = nil) {
        self.amends = amends
        self.text = text
        self.reason = reason
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
