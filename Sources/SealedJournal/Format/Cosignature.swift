import Foundation

/// A witness's cosignature of a checkpoint: a C2SP `tlog-cosignature` v1 Ed25519 note signature.
///
///     — <witness name> base64(key id (4) || timestamp (8, big-endian) || Ed25519 signature (64))
///
///     key id         = SHA-256(witness name || 0x0A || 0x04 || witness public key (32))[0..<4]
///     signed message = "cosignature/v1\n" || "time <timestamp, decimal>\n" || checkpoint note body
///
/// The checkpoint note body is every line before the blank line, each ending in a newline, with
/// the `header` extension line included (FORMAT.md 5.3). The timestamp is the witness's clock in
/// POSIX seconds, at most 2^63 - 1. A valid cosignature says: by that time the witness had seen
/// this tree head, and it was consistent with every tree head of this journal it cosigned before.
public struct Cosignature: Equatable, Sendable {
    /// The witness's key name (a schema-less URL by convention, e.g. `witness.example.org/clinic`).
    public let witnessName: String
    /// The 4-byte key id of the line.
    public let keyID: [UInt8]
    /// POSIX seconds on the witness's clock when it cosigned.
    public let timestamp: UInt64
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    /// The signature type byte of `cosignature/v1` Ed25519 keys (C2SP signed-note).
    static let signatureType: UInt8 = 0x04
    /// Bytes of the decoded signature blob: key id, timestamp, signature.
    static let blobByteCount = 4 + 8 + 64
    /// Largest timestamp the spec allows.
    static let maximumTimestamp = UInt64(Int64.max)

    /// The witness time as a date.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(timestamp)) }

    /// The note signature line, without its final newline: `— <name> <base64>`.
    public var line: String {
        var blob = keyID
        withUnsafeBytes(of: timestamp.bigEndian) { blob.append(contentsOf: $0) }
        blob += signature
        return "\(Checkpoint.emDash) \(witnessName) \(Data(blob).base64EncodedString())"
    }

    /// `SHA-256(name || 0x0A || 0x04 || public key)[0..<4]`.
    static func keyID(witnessName: String, publicKey: [UInt8]) -> [UInt8] {
        let hash = (try? SHA256.hash(Array(witnessName.utf8) + [0x0A, signatureType] + publicKey)) ?? []
        return Array(hash.prefix(4))
    }

    /// The bytes a witness signs for `checkpointBody` at `timestamp`.
    static func signedMessage(checkpointBody: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n\(checkpointBody)".utf8)
    }

    /// Cosigns `checkpointBody` (lines ending in newlines, no blank line) at `timestamp`.
    static func sign(checkpointBody: String, timestamp: UInt64, witnessName: String, key: Ed25519.SigningKey) -> Cosignature {
        let signature = key.signature(for: signedMessage(checkpointBody: checkpointBody, timestamp: timestamp))
        return Cosignature(witnessName: witnessName, keyID: keyID(witnessName: witnessName, publicKey: key.publicKey),
                           timestamp: timestamp, signature: signature)
    }

    /// Parses one note signature line as a cosignature (it does not verify it).
    ///
    /// Accepts only the exact form: U+2014, a space, a valid key name, a space, canonical base64
    /// of exactly 76 bytes whose timestamp is at most 2^63 - 1.
    /// - Throws: ``FormatError/invalidField(what:)``.
    public static func parse(line: some StringProtocol) throws(FormatError) -> Cosignature {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Checkpoint.emDash else { throw .invalidField(what: "cosignature line") }
        let name = String(parts[1])
        guard WitnessPublicKey.isValidName(name) else { throw .invalidField(what: "cosignature witness name") }
        guard let blob = Data(base64Encoded: String(parts[2])), blob.base64EncodedString() == parts[2],
              blob.count == blobByteCount else {
            throw .invalidField(what: "cosignature (not a 76-byte cosignature/v1 signature)")
        }
        let bytes = [UInt8](blob)
        let timestamp = bytes[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard timestamp <= maximumTimestamp else { throw .invalidField(what: "cosignature timestamp (above 2^63 - 1)") }
        return Cosignature(witnessName: name, keyID: Array(bytes[0..<4]), timestamp: timestamp, signature: Array(bytes[12...]))
    }

    /// `true` when this is `witness`'s cosignature of `checkpointBody` (name, key id and signature).
    public func isValid(for checkpointBody: String, witness: WitnessPublicKey) -> Bool {
        witnessName == witness.name && keyID == witness.keyID
            && Ed25519.isValidSignature(signature, for: Cosignature.signedMessage(checkpointBody: checkpointBody, timestamp: timestamp),
                                        publicKey: witness.publicKey)
    }
}

/// A witness's public identity: its key name and Ed25519 public key, written as a C2SP
/// signed-note verifier key (`<name>+<key id, 8 hex digits>+<base64(0x04 || public key)>`),
/// which is what a monitoring program hands out and what `verify --witness` pins.
public struct WitnessPublicKey: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The key name that appears in cosignature lines.
    public let name: String
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// Longest key name accepted (hostile-input bound).
    static let maximumNameByteCount = 256

    /// A key from its parts.
    /// - Throws: ``FormatError/invalidField(what:)`` for an empty name, one with spaces, control
    ///   characters or `+`, or a key that is not 32 bytes.
    public init(name: String, publicKey: [UInt8]) throws(FormatError) {
        guard WitnessPublicKey.isValidName(name) else { throw .invalidField(what: "witness name (no spaces, control characters or '+')") }
        guard publicKey.count == Ed25519.publicKeyByteCount else { throw .invalidField(what: "witness public key (not 32 bytes)") }
        self.name = name
        self.publicKey = publicKey
    }

    /// Parses a verifier key `<name>+<hex key id>+<base64(0x04 || key)>` and checks its key id.
    /// - Throws: ``FormatError/invalidField(what:)`` naming the part at fault.
    public init(verifierKey text: String) throws(FormatError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .invalidField(what: "witness key (expected name+keyid+base64)") }
        guard let material = Data(base64Encoded: String(parts[2])), material.base64EncodedString() == parts[2],
              material.count == 1 + Ed25519.publicKeyByteCount, material.first == Cosignature.signatureType else {
            throw .invalidField(what: "witness key (not a cosignature/v1 Ed25519 key)")
        }
        try self.init(name: String(parts[0]), publicKey: Array(material.dropFirst()))
        guard parts[1].count == 8, Hex.decode(String(parts[1]).lowercased()) == keyID else {
            throw .invalidField(what: "witness key (the key id does not match the key)")
        }
    }

    /// The 4-byte key id of this witness's cosignatures.
    public var keyID: [UInt8] { Cosignature.keyID(witnessName: name, publicKey: publicKey) }

    /// The verifier key text, `<name>+<key id hex>+<base64(0x04 || public key)>`.
    public var verifierKey: String {
        "\(name)+\(Hex.encode(keyID))+\(Data([Cosignature.signatureType] + publicKey).base64EncodedString())"
    }

    /// The verifier key text.
    public var description: String { verifierKey }

    /// A signed-note key name: 1 to 256 bytes, no Unicode whitespace, control characters or `+`.
    static func isValidName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumNameByteCount
            && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "+" && $0.value != 0x7F && !$0.properties.isWhitespace }
    }
}

extension Checkpoint {
    /// The note body a witness cosigns: the text before the blank line, each line ending in a
    /// newline (origin, tree size, root and extension lines).
    public var noteBody: String {
        guard let split = text.range(of: "\n\n", options: .backwards) else { return text }
        return String(text[..<split.lowerBound]) + "\n"
    }

    /// The cosignature lines of this note's text that are valid cosignatures of it by `witnesses`
    /// (others are ignored, as signed-note verifiers ignore unknown signers).
    public func cosignatures(by witnesses: [WitnessPublicKey]) -> [(witness: WitnessPublicKey, cosignature: Cosignature)] {
        guard let split = text.range(of: "\n\n", options: .backwards) else { return [] }
        let body = noteBody
        var found: [(WitnessPublicKey, Cosignature)] = []
        for line in text[split.upperBound...].split(separator: "\n") {
            guard let cosignature = try? Cosignature.parse(line: line) else { continue }
            if let witness = witnesses.first(where: { cosignature.isValid(for: body, witness: $0) }) { found.append((witness, cosignature)) }
        }
        return found
    }
}
