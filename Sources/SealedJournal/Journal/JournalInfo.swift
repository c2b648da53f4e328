import Foundation

/// What anyone can learn about a journal file without a key.
public struct JournalInfo: Sendable, Equatable {
    /// Description of one key slot (no secret in it).
    public enum KeySlotInfo: Sendable, Equatable {
        case passphrase(opsLimit: UInt64, memoryLimitBytes: UInt64)
        case recoveryKey
        case unknown(type: UInt8)
    }

    public let path: String
    public let formatVersion: Int
    /// Random journal id, 32 hex digits.
    public let journalID: String
    /// Ed25519 public key that signs checkpoints, base64.
    public let publicKey: String
    /// See ``Fingerprint``.
    public let fingerprint: Fingerprint
    /// Committed records (from the last intact checkpoint).
    public let recordCount: UInt64
    public let fileSizeBytes: UInt64
    /// Bytes after the last intact commit (an interrupted append), normally 0.
    public let tornTailBytes: UInt64
    public let keySlots: [KeySlotInfo]
    /// How many times the header has been rewritten (passphrase changes...).
    public let headerSequence: UInt64
    /// The newest signed checkpoint.
    public let latestCheckpoint: Checkpoint
    /// Damage found after the last intact commit, or a header older than the checkpoints bind.
    public let warnings: [String]
}

extension Journal {
    /// Public facts about the journal at `path`. Needs no passphrase; changes nothing.
    ///
    /// Cost: reads the header and the last commit (O(1) in journal size).
    public static func info(at path: String) throws(JournalError) -> JournalInfo {
        try JournalError.mapping {
            try Sodium.ensureInitialized()
            let file = try AppendOnlyFile.open(path: path, writable: false)
            let located = try locate(file: file)
            let header = located.headerState.header
            return JournalInfo(
                path: path,
                formatVersion: Int(FileHeader.formatVersion),
                journalID: Hex.encode(header.journalID),
                publicKey: Data(header.publicKey).base64EncodedString(),
                fingerprint: Fingerprint.of(publicKey: header.publicKey),
                recordCount: located.scan.committed.frame.treeSize,
                fileSizeBytes: located.fileSize,
                tornTailBytes: located.tornBytes,
                keySlots: header.keySlots.map { slot in
                    switch slot.kind {
                    case let .passphrase(ops, memory, _): return .passphrase(opsLimit: ops, memoryLimitBytes: memory)
                    case .recoveryKey: return .recoveryKey
                    case let .unknown(type, _): return .unknown(type: type)
                    }
                },
                headerSequence: header.sequence,
                latestCheckpoint: located.scan.committed.checkpoint,
                warnings: located.warnings)
        }
    }
}
