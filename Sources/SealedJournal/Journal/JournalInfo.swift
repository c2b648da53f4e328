import Foundation

/// What anyone can learn about a journal file without a key.
public struct JournalInfo: Sendable, Equatable {
    /// Description of one key slot (no secret in it).
    public enum KeySlotInfo: Sendable, Equatable {
        /// A passphrase slot, with its Argon2id parameters (operations, and memory in bytes).
        case passphrase(opsLimit: UInt64, memoryLimitBytes: UInt64)
        /// The recovery-key slot.
        case recoveryKey
        /// A slot type this version does not know (kept, never used to unlock).
        case unknown(type: UInt8)
    }

    /// The file's path, as given.
    public let path: String
    /// The on-disk format version (2; see FORMAT.md).
    public let formatVersion: Int
    /// Random journal id, 32 hex digits.
    public let journalID: JournalID
    /// Ed25519 public key that signs checkpoints, base64.
    public let publicKey: String
    /// See ``Fingerprint``.
    public let fingerprint: Fingerprint
    /// Committed records (from the last intact checkpoint).
    public let recordCount: UInt64
    /// The file's size in bytes (it reveals the approximate amount written, nothing more).
    public let fileSizeBytes: UInt64
    /// Bytes after the last intact commit (an interrupted append), normally 0.
    public let tornTailBytes: UInt64
    /// The key slots in the header, in order (no secret in them).
    public let keySlots: [KeySlotInfo]
    /// How many times the header has been rewritten (passphrase changes...).
    public let headerSequence: UInt64
    /// The newest signed checkpoint.
    public let latestCheckpoint: Checkpoint
    /// Damage found after the last intact commit, or a header older than the checkpoints bind.
    public let warnings: [String]
    /// Where the damage after the last intact commit starts, when there is some (a write-open
    /// refuses with ``JournalError/damaged(offset:reason:)`` until ``Journal/repair(at:passphrase:acceptingLoss:)``);
    /// `nil` for a healthy end or a torn tail (``tornTailBytes``).
    public let damagedAtOffset: UInt64?
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
                journalID: JournalID(bytes: header.journalID),
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
                warnings: located.warnings,
                damagedAtOffset: { if case let .damaged(offset, _) = located.scan.status { offset } else { nil } }())
        }
    }
}
