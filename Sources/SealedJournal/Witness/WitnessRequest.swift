import Foundation

/// A request for a cosignature: the body of a C2SP `tlog-witness` `add-checkpoint` call, which is
/// also the content of a request file (FORMAT.md 12.2).
///
///     old <tree size the witness last cosigned, decimal; 0 the first time>\n
///     <consistency proof hash, base64>\n          (zero to 63 lines; none when old is 0)
///     \n
///     <the journal's signed checkpoint note>
///
/// Nothing in it is secret: a checkpoint reveals a record count and a root hash.
public struct WitnessRequest: Equatable, Sendable {
    /// The tree size the requester believes the witness last cosigned.
    public let oldSize: UInt64
    /// RFC 6962 consistency proof from `oldSize` to the checkpoint's size.
    public let proof: [[UInt8]]
    /// The signed checkpoint note text (not yet verified).
    public let checkpointText: String

    /// Largest request accepted (a checkpoint is at most 4 KiB, a proof 63 hashes).
    public static let maximumByteCount = 16 << 10
    /// Most proof lines the spec allows.
    public static let maximumProofLines = 63

    /// A request from its parts.
    public init(oldSize: UInt64, proof: [[UInt8]], checkpointText: String) {
        self.oldSize = oldSize
        self.proof = proof
        self.checkpointText = checkpointText
    }

    /// The exact request body.
    public var encoded: String {
        "old \(oldSize)\n" + proof.map { Data($0).base64EncodedString() + "\n" }.joined() + "\n" + checkpointText
    }

    /// The checkpoint's origin line (its first line), for looking up the journal before verifying.
    public var origin: String { String(checkpointText.prefix { $0 != "\n" }) }

    /// Parses a request body strictly (LF line ends, canonical numbers and base64).
    /// - Throws: ``WitnessError/requestTooLarge(limit:)``, ``WitnessError/malformedRequest(reason:)``.
    public static func parse(_ bytes: [UInt8]) throws(WitnessError) -> WitnessRequest {
        guard bytes.count <= maximumByteCount else { throw .requestTooLarge(limit: maximumByteCount) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformedRequest(reason: "not UTF-8") }
        guard !bytes.contains(where: { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }) else {
            throw .malformedRequest(reason: "control character (only LF line ends are allowed)")
        }
        guard let blank = text.range(of: "\n\n") else { throw .malformedRequest(reason: "no blank line before the checkpoint") }
        let head = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        let checkpointText = String(text[blank.upperBound...])
        guard let first = head.first, first.hasPrefix("old ") else { throw .malformedRequest(reason: "the first line is not \"old <size>\"") }
        let digits = first.dropFirst(4)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), !(digits.count > 1 && digits.hasPrefix("0")),
              let oldSize = UInt64(digits) else {
            throw .malformedRequest(reason: "the old size is not a decimal number without leading zeros")
        }
        let proofLines = head.dropFirst()
        guard proofLines.count <= maximumProofLines else { throw .malformedRequest(reason: "more than \(maximumProofLines) proof lines") }
        var proof: [[UInt8]] = []
        for (index, line) in proofLines.enumerated() {
            guard let hash = Data(base64Encoded: String(line)), hash.count == MerkleTree.hashByteCount,
                  hash.base64EncodedString() == line else {
                throw .malformedRequest(reason: "proof line \(index + 1) is not a base64 SHA-256 hash")
            }
            proof.append([UInt8](hash))
        }
        guard oldSize > 0 || proof.isEmpty else { throw .malformedRequest(reason: "a proof from size 0 must be empty") }
        guard !checkpointText.isEmpty, checkpointText.hasSuffix("\n") else { throw .malformedRequest(reason: "no checkpoint after the blank line") }
        return WitnessRequest(oldSize: oldSize, proof: proof, checkpointText: checkpointText)
    }
}
