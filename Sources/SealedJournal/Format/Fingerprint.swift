/// A journal's fingerprint: the first 16 bytes of SHA-256(Ed25519 public key), written as 8 groups
/// of 4 hex digits joined by ":" (`3f2a:91c0:…`). Public: share it with whoever will verify the
/// journal, so they can pin it (``Journal/open(at:passphrase:mode:durability:expectedFingerprint:)``,
/// ``VerificationOptions/fingerprint``, `verify --fingerprint`).
///
/// Parsing ignores case and separators, so a fingerprint read aloud or retyped compares equal.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible, Codable {
    /// The 16 bytes.
    public let bytes: [UInt8]

    /// Number of bytes in a fingerprint.
    public static let byteCount = 16

    /// Parses a fingerprint typed or pasted by a person: 32 hex digits, any case, with or without
    /// `:`, `-` or space separators. `nil` for anything else.
    public init?(_ text: String) {
        var hex = ""
        for character in text {
            if character.isHexDigit, character.isASCII { hex.append(character) } else if !":- ".contains(character) { return nil }
        }
        guard hex.count == 2 * Fingerprint.byteCount, let bytes = Hex.decode(hex.lowercased()) else { return nil }
        self.bytes = bytes
    }

    /// The fingerprint of a journal's checkpoint-signing public key.
    init(publicKey: [UInt8]) {
        bytes = Array(((try? SHA256.hash(publicKey)) ?? []).prefix(Fingerprint.byteCount))
    }

    /// `xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx`, lower-case.
    public var description: String {
        let hex = Hex.encode(bytes)
        var groups: [Substring] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 4, limitedBy: hex.endIndex) ?? hex.endIndex
            groups.append(hex[index..<next])
            index = next
        }
        return groups.joined(separator: ":")
    }

    /// Decodes the written form (JSON string).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = Fingerprint(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a fingerprint")
        }
        self = parsed
    }

    /// Encodes the written form (JSON string).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func of(publicKey: [UInt8]) -> Fingerprint { Fingerprint(publicKey: publicKey) }
}
