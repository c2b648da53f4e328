import Foundation

/// A signed checkpoint: the journal's tree size and Merkle root, as a C2SP
/// `tlog-checkpoint` body in a C2SP `signed-note`, signed with the journal's Ed25519 key.
///
///     sealed-journal/<journal id, 32 hex digits>\n      origin (also the key name)
///     <tree size, decimal>\n
///     <root hash, base64>\n
///     header <header sequence> <base64 SHA-256 of the header copy's signed bytes>\n   (extension line)
///     offset <file offset of this checkpoint frame>\n                              (extension line)
///     \n
///     — sealed-journal/<journal id> <base64(key id (4) || Ed25519 signature (64))>\n
///
/// The signature covers the three body lines including the final newline. The key id is
/// SHA-256(key name || 0x0A || 0x01 || public key)[0..<4]. No timestamps, by design. The
/// extension lines bind the header in force when the checkpoint was signed, so writing old
/// header copies back (to revive an old passphrase slot) is detected, and the checkpoint's own
/// place in the file, so no frame can be inserted or removed before it.
public struct Checkpoint: Equatable, Sendable {
    /// The log origin line, `sealed-journal/<journal id hex>`.
    public let origin: String
    /// Number of records the checkpoint covers.
    public let treeSize: UInt64
    /// RFC 6962 root of the first `treeSize` record frames.
    public let rootHash: [UInt8]
    /// The header this checkpoint binds (sequence and digest), from its `header` extension line.
    let headerBinding: HeaderBinding?
    /// The file offset of the checkpoint frame this note was signed for, from its `offset` extension line.
    let frameOffset: UInt64?
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

    static func body(origin: String, treeSize: UInt64, rootHash: [UInt8], headerBinding: HeaderBinding?, frameOffset: UInt64?) -> String {
        "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\n" + (headerBinding.map { $0.line + "\n" } ?? "")
            + (frameOffset.map { "\(offsetPrefix)\($0)\n" } ?? "")
    }

    static let offsetPrefix = "offset "

    /// Signs a new checkpoint.
    static func sign(journalID: [UInt8], treeSize: UInt64, rootHash: [UInt8], headerBinding: HeaderBinding, frameOffset: UInt64,
                     key: Ed25519.SigningKey) -> Checkpoint {
        let origin = origin(journalID: journalID)
        let body = body(origin: origin, treeSize: treeSize, rootHash: rootHash, headerBinding: headerBinding, frameOffset: frameOffset)
        let signature = key.signature(for: Array(body.utf8))
        let blob = keyID(keyName: origin, publicKey: key.publicKey) + signature
        let text = canonicalText(origin: origin, treeSize: treeSize, rootHash: rootHash, headerBinding: headerBinding,
                                 frameOffset: frameOffset, signatureBlob: blob)
        return Checkpoint(origin: origin, treeSize: treeSize, rootHash: rootHash, headerBinding: headerBinding, frameOffset: frameOffset,
                          text: text, signatureBlob: blob)
    }

    /// The exact text this library writes: the body lines, a blank line, one signature line.
    static func canonicalText(origin: String, treeSize: UInt64, rootHash: [UInt8], headerBinding: HeaderBinding?, frameOffset: UInt64?,
                              signatureBlob: [UInt8]) -> String {
        body(origin: origin, treeSize: treeSize, rootHash: rootHash, headerBinding: headerBinding, frameOffset: frameOffset) + "\n"
            + "\(emDash) \(origin) \(Data(signatureBlob).base64EncodedString())\n"
    }

    /// `true` when the text is byte-for-byte what this library writes (a header line, no other
    /// extension lines or signers, canonical base64), as required of checkpoints inside a journal.
    var isCanonical: Bool {
        headerBinding != nil && frameOffset != nil
            && text == Checkpoint.canonicalText(origin: origin, treeSize: treeSize, rootHash: rootHash, headerBinding: headerBinding,
                                                frameOffset: frameOffset, signatureBlob: signatureBlob)
    }

    /// Parses a signed note and verifies its signature with `publicKey`.
    ///
    /// Follows C2SP signed-note: the text before the last blank line is the body; signature
    /// lines from other keys are ignored; exactly one must be by this key and must verify.
    /// - Parameter text: the signed note text.
    /// - Parameter publicKey: the journal's Ed25519 public key (32 bytes).
    /// - Parameter held: for a checkpoint someone holds (after `HeldCheckpointText`): up to
    ///   64 KiB (room for many cosignatures), and other signers' lines that do not parse are skipped
    ///   as C2SP signed-note requires. Inside a journal every line must be well formed.
    /// - Throws: ``FormatError``: ``FormatError/badSignature(what:)`` when the note is well formed
    ///   but this key's signature is missing or wrong; other cases when the text is malformed.
    public static func parse(_ text: String, publicKey: [UInt8], held: Bool = false) throws(FormatError) -> Checkpoint {
        let bytes = Array(text.utf8)
        let limit = held ? HeldCheckpointText.maximumByteCount : maximumTextByteCount
        guard bytes.count <= limit else { throw .limitExceeded(what: "checkpoint text", limit: limit) }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else { throw .invalidField(what: "checkpoint text (control character)") }
        // The last "\n\n", found in the UTF-8 bytes (both are ASCII, so the split is on character boundaries).
        guard bytes.count >= 2, let split = (0..<(bytes.count - 1)).reversed().first(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }) else {
            throw .invalidField(what: "checkpoint text (no signature)")
        }
        let body = String(decoding: bytes[...split], as: UTF8.self)
        let signatureBlock = Substring(String(decoding: bytes[(split + 2)...], as: UTF8.self))
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count >= 3, !lines.contains(where: \.isEmpty) else { throw .invalidField(what: "checkpoint body") }
        let origin = String(lines[lines.startIndex])
        guard origin.hasPrefix(originPrefix), !origin.utf8.contains(0x20), !origin.utf8.contains(UInt8(ascii: "+")) else {
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
        var binding: HeaderBinding?
        var frameOffset: UInt64?
        for line in lines.dropFirst(3) {
            if line.hasPrefix(HeaderBinding.prefix) {
                guard binding == nil, let parsed = HeaderBinding(line: line) else { throw .invalidField(what: "checkpoint header line") }
                binding = parsed
            } else if line.hasPrefix(offsetPrefix) {
                let digits = line.dropFirst(offsetPrefix.count)
                guard frameOffset == nil, !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                      !(digits.count > 1 && digits.hasPrefix("0")), let value = UInt64(digits) else {
                    throw .invalidField(what: "checkpoint offset line")
                }
                frameOffset = value
            }
        }
        let expectedKeyID = keyID(keyName: origin, publicKey: publicKey)
        var verifiedBlob: [UInt8]?
        guard signatureBlock.hasSuffix("\n") else { throw .invalidField(what: "checkpoint signature line") }
        for line in signatureBlock.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            if held, parts.count != 3 || parts[1] != origin { continue }  // another signer's line, whatever its shape
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
        return Checkpoint(origin: origin, treeSize: treeSize, rootHash: [UInt8](root), headerBinding: binding, frameOffset: frameOffset,
                          text: text, signatureBlob: verifiedBlob)
    }
}

/// The header a checkpoint binds: `header <sequence> <base64 SHA-256 of the header copy's signed bytes>`.
struct HeaderBinding: Equatable, Sendable {
    static let prefix = "header "
    let sequence: UInt64
    let digest: [UInt8]

    init(sequence: UInt64, digest: [UInt8]) {
        self.sequence = sequence
        self.digest = digest
    }

    init?(line: Substring) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "header", !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              !(parts[1].count > 1 && parts[1].hasPrefix("0")), let sequence = UInt64(parts[1]),
              let digest = Data(base64Encoded: String(parts[2])), digest.count == 32, digest.base64EncodedString() == parts[2] else { return nil }
        self.sequence = sequence
        self.digest = [UInt8](digest)
    }

    var line: String { "header \(sequence) \(Data(digest).base64EncodedString())" }
}
