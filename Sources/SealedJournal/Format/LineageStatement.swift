import Foundation

/// A signed statement that a journal was re-keyed into a successor (`rekey`): the predecessor's
/// key names the successor's journal id and key, the history it carried over and the positions it
/// omitted (erasure), so a verifier who pinned the old fingerprint can follow the chain with the
/// new file alone. Stored as a lineage frame (kind 3) before the successor's creation checkpoint;
/// a journal re-keyed several times carries every statement, oldest first.
///
/// A C2SP signed note, signed by the predecessor's Ed25519 key under its origin as key name:
///
///     sealed-journal-succession/v1\n
///     predecessor sealed-journal/<old id hex> <old public key, base64>\n
///     predecessor-tree <old tree size> <old root, base64>\n
///     successor sealed-journal/<new id hex> <new public key, base64>\n
///     carried <records carried over> <successor root over them, base64>\n
///     omitted <count> <ranges of old positions "3-7,9", or "-">\n
///     \n
///     — sealed-journal/<old id hex> <base64(key id (4) || signature (64))>\n
///
/// The first line cannot be a checkpoint origin, so a statement can never pass for a checkpoint.
struct LineageStatement: Equatable, Sendable {
    static let header = "sealed-journal-succession/v1"
    /// Largest statement accepted (bounds the omitted-ranges line).
    static let maximumByteCount = 64 << 10

    let predecessorJournalID: [UInt8]
    let predecessorPublicKey: [UInt8]
    let predecessorTreeSize: UInt64
    let predecessorRoot: [UInt8]
    let successorJournalID: [UInt8]
    let successorPublicKey: [UInt8]
    let carriedCount: UInt64
    let carriedRoot: [UInt8]
    /// Old positions not carried over, as sorted, disjoint ranges.
    let omitted: [ClosedRange<UInt64>]

    var omittedCount: UInt64 { omitted.reduce(0) { $0 + ($1.upperBound - $1.lowerBound + 1) } }

    var body: String {
        let ranges = omitted.isEmpty ? "-" : omitted.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
        return """
        \(LineageStatement.header)
        predecessor \(Checkpoint.origin(journalID: predecessorJournalID)) \(Data(predecessorPublicKey).base64EncodedString())
        predecessor-tree \(predecessorTreeSize) \(Data(predecessorRoot).base64EncodedString())
        successor \(Checkpoint.origin(journalID: successorJournalID)) \(Data(successorPublicKey).base64EncodedString())
        carried \(carriedCount) \(Data(carriedRoot).base64EncodedString())
        omitted \(omittedCount) \(ranges)

        """
    }

    /// Why a checkpoint held from the predecessor cannot vouch for the journal after this rekey.
    /// It never can: a rekey re-seals every record, so nothing links the new records to the old
    /// tree, and `predecessor-tree` is only what the retired key signed, a key the owner holds
    /// (an adversarial review forged one by hand). The reason names the clearer cases (records
    /// removed, or history rewritten, before the rekey) and otherwise says it cannot be compared.
    /// `isLast`: whether this is the journal's last rekey.
    func problem(withHeld held: Checkpoint, isLast: Bool) -> String {
        let advice = "; ask the journal's owner for a checkpoint made since the last rekey"
        if held.treeSize > predecessorTreeSize {
            return "the checkpoint you hold covers \(held.treeSize) records of the previous key, but the rekey carried only \(predecessorTreeSize): records were removed before the rekey"
        }
        if held.treeSize == predecessorTreeSize, held.rootHash != predecessorRoot {
            return "the checkpoint you hold differs from the history the rekey says it carried over: history was rewritten"
        }
        return "the checkpoint you hold is of a key this journal was re-keyed from\(isLast ? "" : " (before its last rekey)"): a rekey re-seals every "
            + "record, so nothing can prove the records now in the journal are the history you hold (the rekey statement is signed by "
            + "the retired key, which the owner holds)" + advice
    }

    /// The signed note text, signed with the predecessor's key.
    func signed(with key: Ed25519.SigningKey) -> String {
        let keyName = Checkpoint.origin(journalID: predecessorJournalID)
        let blob = Checkpoint.keyID(keyName: keyName, publicKey: key.publicKey) + key.signature(for: Array(body.utf8))
        return body + "\n\(Checkpoint.emDash) \(keyName) \(Data(blob).base64EncodedString())\n"
    }

    /// Parses a statement and verifies it with the predecessor key it names.
    static func parse(_ text: String) throws(FormatError) -> LineageStatement {
        guard text.utf8.count <= maximumByteCount else { throw .limitExceeded(what: "lineage statement", limit: maximumByteCount) }
        guard let split = text.range(of: "\n\n", options: .backwards), text.hasSuffix("\n") else { throw .invalidField(what: "lineage statement") }
        let body = String(text[..<split.lowerBound]) + "\n"
        let lines = body.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: false) }
        guard lines.count == 6, lines[0] == [Substring(header)],
              lines[1].count == 3, lines[1][0] == "predecessor", let oldID = journalID(lines[1][1]), let oldKey = base64(lines[1][2], 32),
              lines[2].count == 3, lines[2][0] == "predecessor-tree", let oldSize = decimal(lines[2][1]), let oldRoot = base64(lines[2][2], 32),
              lines[3].count == 3, lines[3][0] == "successor", let newID = journalID(lines[3][1]), let newKey = base64(lines[3][2], 32),
              lines[4].count == 3, lines[4][0] == "carried", let carried = decimal(lines[4][1]), let carriedRoot = base64(lines[4][2], 32),
              lines[5].count == 3, lines[5][0] == "omitted", let omittedCount = decimal(lines[5][1]), let omitted = ranges(lines[5][2]) else {
            throw .invalidField(what: "lineage statement")
        }
        let statement = LineageStatement(predecessorJournalID: oldID, predecessorPublicKey: oldKey, predecessorTreeSize: oldSize,
                                         predecessorRoot: oldRoot, successorJournalID: newID, successorPublicKey: newKey,
                                         carriedCount: carried, carriedRoot: carriedRoot, omitted: omitted)
        guard statement.omittedCount == omittedCount, omitted.last.map({ $0.upperBound < oldSize }) ?? true,
              oldSize >= omittedCount, carried == oldSize - omittedCount, statement.body == body else {
            throw .invalidField(what: "lineage statement (counts do not add up)")
        }
        let keyName = Checkpoint.origin(journalID: oldID)
        let signatureLine = text[split.upperBound...].dropLast()
        let parts = signatureLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Checkpoint.emDash, parts[1] == keyName, let blob = base64(parts[2], 68),
              Array(blob.prefix(4)) == Checkpoint.keyID(keyName: keyName, publicKey: oldKey),
              Ed25519.isValidSignature(Array(blob.dropFirst(4)), for: Array(body.utf8), publicKey: oldKey) else {
            throw .badSignature(what: "lineage statement signature")
        }
        return statement
    }

    private static func journalID(_ text: Substring) -> [UInt8]? {
        guard text.hasPrefix(Checkpoint.originPrefix), let bytes = Hex.decode(String(text.dropFirst(Checkpoint.originPrefix.count))),
              bytes.count == FileHeader.journalIDByteCount, Hex.encode(bytes) == text.dropFirst(Checkpoint.originPrefix.count) else { return nil }
        return bytes
    }

    private static func base64(_ text: Substring, _ count: Int) -> [UInt8]? {
        guard let data = Data(base64Encoded: String(text)), data.count == count, data.base64EncodedString() == text else { return nil }
        return [UInt8](data)
    }

    private static func decimal(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), !(text.count > 1 && text.hasPrefix("0")) else { return nil }
        return UInt64(text)
    }

    /// "-" or "a-b,c,...", ascending and disjoint.
    private static func ranges(_ text: Substring) -> [ClosedRange<UInt64>]? {
        if text == "-" { return [] }
        var result: [ClosedRange<UInt64>] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = decimal(bounds[0]), let high = bounds.count == 2 ? decimal(bounds[1]) : low,
                  low <= high, result.last.map({ $0.upperBound + 1 < low }) ?? true else { return nil }
            result.append(low...high)
        }
        return result
    }
}
