/// A journal's random id: 16 bytes chosen at creation (and again at a rekey), written as 32
/// lower-case hex digits. Public: it is in every checkpoint (`sealed-journal/<id>`), so it says
/// which journal a checkpoint, bundle or report is about without revealing anything else.
public struct JournalID: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible, Codable {
    /// The 16 bytes.
    public let bytes: [UInt8]

    /// Parses 32 hex digits (any case). `nil` for anything else.
    public init?(_ text: String) {
        guard text.utf8.count == 2 * FileHeader.journalIDByteCount, text.allSatisfy({ $0.isASCII && $0.isHexDigit }),
              let bytes = Hex.decode(text.lowercased()) else { return nil }
        self.bytes = bytes
    }

    /// The id whose bytes are `bytes` (a header's or a statement's).
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// 32 lower-case hex digits.
    public var description: String { Hex.encode(bytes) }

    /// Decodes the written form (a JSON string of 32 hex digits).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let parsed = JournalID(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a journal id")
        }
        self = parsed
    }

    /// Encodes the written form (a JSON string of 32 hex digits).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
