/// How large one commit (record frames and their checkpoint, FORMAT.md 1) written by this library
/// may grow.
///
/// Opening a journal re-hashes the records of its last commit (FORMAT.md 6.1, so a damaged last
/// commit is found and never cut), so the size of the last commit is what an open costs. Every
/// writer (``Journal/appendBatch(_:)``, import, rekey, repair) closes a commit with a signed
/// checkpoint once it holds `maximumRecords` records or `maximumRecordBytes` bytes of record
/// frames, whichever comes first; a single record larger than the byte bound is a commit of its own.
/// The cost is one Ed25519 signature and one checkpoint frame (under 1 KiB) per commit.
public enum CommitBounds {
    /// Most records in one commit.
    public static let maximumRecords = 1000
    /// Bytes of record frames after which a commit is closed (256 KiB: re-hashing it at open
    /// costs well under a millisecond).
    public static let maximumRecordBytes = 256 << 10
}
