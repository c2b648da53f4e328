import Foundation

/// A signed checkpoint: the journal's tree size and Merkle root, as a C2SP
/// `tlog-checkpoint` body in a C2SP `signed-note`, signed with the journal's Ed25519 key.
///
///     sealed-journal/<journal id, 32 hex digits>\n      origin (also the key name)
///     <tree size, decimal>\n
///     <root hash, base64>\n
///     \n
///     — sealed-journal/<journal id> <base64(key id (4) || Ed25519 signature (64))>\n
///
/// The signature covers the three body lines including the final newline. The key id is
/// SHA-256(key name || 0x0A || 0x01 || public key)[0..<4]. No timestamps, by design.
public struct Checkpoint: Equatable, Sendable {
    /// The log origin line, `sealed-journal/<journal id hex>`.
    public let origin: String
    /// Number of records the checkpoint covers.
    public let treeSize: UInt64
    /// RFC 6962 root of the first `treeSize` record frames.
    public let rootHash: [UInt8]
    /// The complete signed note, as stored and as handed to others.
    public let text: String
    /// key id (4) || signature (64) of this journal's signature line.
    let signatureBlob: [UInt8]

    static let originPrefix = "sealed-journal/"
    static let signatureType: UInt8 = 0x01
    static let emDash = "\u{2014}"
    /// Longest note text accepted when parsing (hostile-input bound).
    static let maximumTextByteCount = 4096

    static func origin(journalID: [UInt8]) -> String { originPrefix + Hex.encode(journalID) }

    static func keyID(keyName: String, publicKey: [UInt8]) -> [UInt8] {
        let hash = (try? SHA256.hash(Array(keyName.utf8) + [0x0A, signatureType] + publicKey)) ?? []
        return Array(hash.prefix(4))
    }

    static func body(origin: String, treeSize: UInt64, rootHash: [UInt8]) -> String {
        "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\n"
    }

    /// Signs a new checkpoint.
    static func sign(journalID: [UInt8], treeSize: UInt64, rootHash: [UInt8], key: Ed25519.SigningKey) -> Checkpoint {
        let origin = origin(journalID: journalID)
        let body = body(origin: origin, treeSize: treeSize, rootHash: rootHash)
        let signature = key.signature(for: Array(body.utf8))
        let blob = keyID(keyName: origin, publicKey: key.publicKey) + signature
        let text = canonicalText(origin: origin, treeSize: treeSize, rootHash: rootHash, signatureBlob: blob)
        return Checkpoint(origin: origin, treeSize: treeSize, rootHash: rootHash, text: text, signatureBlob: blob)
    }

    /// The exact text this library writes: the three body lines, a blank line, one signature line.
    static func canonicalText(origin: String, treeSize: UInt64, rootHash: [UInt8], signatureBlob: [UInt8]) -> String {
        body(origin: origin, treeSize: treeSize, rootHash: rootHash) + "\n" + "\(emDash) \(origin) \(Data(signatureBlob).base64EncodedString())\n"
    }

    /// `true` when the text is byte-for-byte what this library writes (no extra lines or signers,
    /// canonical base64), as required of checkpoints stored inside a journal.
    var isCanonical: Bool {
        text == Checkpoint.canonicalText(origin: origin, treeSize: treeSize, rootHash: rootHash, signatureBlob: signatureBlob)
    }

    /// Parses a signed note and verifies its signature with `publicKey`.
    ///
    /// Follows C2SP signed-note: the text before the last blank line is the body; signature
    /// lines from other keys are ignored; exactly one must be by this key and must verify.
    /// - Throws: ``FormatError`` naming what is wrong.
    public static func parse(_ text: String, publicKey: [UInt8]) throws(FormatError) -> Checkpoint {
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumTextByteCount else { throw .limitExceeded(what: "checkpoint text", limit: maximumTextByteCount) }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else { throw .invalidField(what: "checkpoint text (control character)") }
        guard let split = text.range(of: "\n\n", options: .backwards) else { throw .invalidField(what: "checkpoint text (no signature)") }
        let body = String(text[..<split.lowerBound]) + "\n"
        let signatureBlock = text[split.upperBound...]
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count >= 3 else { throw .invalidField(what: "checkpoint body") }
        let origin = String(lines[lines.startIndex])
        guard origin.hasPrefix(originPrefix), !origin.contains(" "), !origin.contains("+") else {
            throw .invalidField(what: "checkpoint origin")
        }
        let sizeLine = lines[lines.startIndex + 1]
        guard !sizeLine.isEmpty, sizeLine.allSatisfy({ $0.isASCII && $0.isNumber }),
              !(sizeLine.count > 1 && sizeLine.hasPrefix("0")), let treeSize = UInt64(sizeLine) else {
            throw .invalidField(what: "checkpoint tree size")
        }
        let rootLine = String(lines[lines.startIndex + 2])
        guard let root = Data(base64Encoded: rootLine), root.count == MerkleTree.hashByteCount,
              root.base64EncodedString() == rootLine else {
            throw .invalidField(what: "checkpoint root hash")
        }
        let expectedKeyID = keyID(keyName: origin, publicKey: publicKey)
        var verifiedBlob: [UInt8]?
        guard signatureBlock.hasSuffix("\n") else { throw .invalidField(what: "checkpoint signature line") }
        for line in signatureBlock.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == emDash, let blob = Data(base64Encoded: String(parts[2])), blob.count >= 5,
                  blob.base64EncodedString() == parts[2] else {
                throw .invalidField(what: "checkpoint signature line")
            }
            let blobBytes = [UInt8](blob)
            guard parts[1] == origin, Array(blobBytes.prefix(4)) == expectedKeyID else { continue }  // another signer
            guard blobBytes.count == 4 + Ed25519.signatureByteCount,
                  Ed25519.isValidSignature(Array(blobBytes.dropFirst(4)), for: Array(body.utf8), publicKey: publicKey) else {
                throw .badSignature(what: "checkpoint signature")
            }
            guard verifiedBlob == nil else { throw .invalidField(what: "checkpoint (two signatures by the same key)") }
            verifiedBlob = blobBytes
        }
        guard let verifiedBlob else { throw .badSignature(what: "checkpoint (no signature by this journal's key)") }
        return Checkpoint(origin: origin, treeSize: treeSize, rootHash: [UInt8](root), text: text, signatureBlob: verifiedBlob)
    }
}
