/// A journal's fingerprint: the first 16 bytes of SHA-256(Ed25519 public key), as 8 groups of
/// 4 hex digits joined by ":". Public: share it with whoever will verify the journal, so they
/// can pin it (`verify --fingerprint`).
public enum Fingerprint {
    static func of(publicKey: [UInt8]) -> String {
        let digest = (try? SHA256.hash(publicKey)) ?? []
        let hex = Hex.encode(digest.prefix(16))
        var groups: [Substring] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 4)
            groups.append(hex[index..<next])
            index = next
        }
        return groups.joined(separator: ":")
    }

    /// Compares fingerprints ignoring case and separators.
    static func matches(_ a: String, _ b: String) -> Bool {
        func normalized(_ s: String) -> String { s.lowercased().filter { $0.isHexDigit } }
        return normalized(a) == normalized(b)
    }
}
