/// How large one commit (record frames and their checkpoint, FORMAT.md 1) written by this library
/// may grow.
///
/// Opening a journal re-hashes the records of its last commit (FORMAT.md 6.1, so a damaged last
/// commit is found and never cut), so the size of the last commit is what an open costs. Every
/// writer (``Journal/appendBatch(_:)``, import, rekey, repair) closes a commit with a signed
/// checkpoint as soon as its record frames reach `maximumRecordBytes`; a single record larger than
/// that is a commit of its own. The last record of a batch is also a commit of its own when the
/// records before it in its commit reach `finalCommitThresholdBytes`, so the commit an open
/// re-hashes after any large batch (an import, a rekey) is one record, not 64 KiB. The cost is one
/// Ed25519 signature and one checkpoint frame (under 1 KiB) per commit: at most 167 records share
/// a commit (the smallest record frame is 393 bytes).
@_spi(Internals) public enum CommitBounds {
    /// Bytes of record frames at which a commit is closed (64 KiB: re-hashing it at open costs
    /// a few hundred microseconds with libsodium's SHA-256, so an open stays under a millisecond).
    public static let maximumRecordBytes = 64 << 10
    /// Bytes of record frames in the current commit from which a batch's last record is
    /// committed on its own (16 KiB: a batch of a few dozen small records stays one commit, and
    /// re-hashing at most 16 KiB plus one record at open costs about 100 µs).
    public static let finalCommitThresholdBytes = 16 << 10
}
