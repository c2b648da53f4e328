import Foundation
import Testing
@_spi(Internals) @testable import SealedJournal

/// Every writer bounds its commits, so opening (which re-hashes the last commit) stays O(1).
@Suite("Bounded commits: batches are split into signed commits; a crash keeps whole commits only")
struct BoundedCommitTests {
    struct Commit { let end: UInt64; let treeSize: UInt64; let recordBytes: [Int] }

    /// Every commit of the file (the creation checkpoint first, with no records), in order.
    static func commits(_ path: String) throws -> [Commit] {
        let file = try AppendOnlyFile.open(path: path, writable: false)
        var reader = FrameReader(file: file, to: try file.size())
        var result: [Commit] = []
        var records: [Int] = []
        while let frame = try reader.next() {
            if frame.kind == .record { records.append(frame.bytes.count) }
            if frame.kind == .checkpoint {
                result.append(Commit(end: frame.endOffset, treeSize: try CheckpointFrame.decode(body: frame.body).treeSize, recordBytes: records))
                records = []
            }
        }
        return result
    }

    /// Every commit of a batch but its last two reached the bound with its last record and not
    /// before; the last is the batch's last record alone when the one before it is not tiny.
    static func expectBounded(_ commits: ArraySlice<Commit>, sourceLocation: SourceLocation = #_sourceLocation) {
        for commit in commits.dropLast(2) {
            let total = commit.recordBytes.reduce(0, +)
            #expect(total >= CommitBounds.maximumRecordBytes && total - (commit.recordBytes.last ?? 0) < CommitBounds.maximumRecordBytes,
                    "commit ending at \(commit.end): \(commit.recordBytes.count) records, \(total) bytes", sourceLocation: sourceLocation)
        }
        for commit in commits.suffix(2) {
            #expect(commit.recordBytes.reduce(0, +) - (commit.recordBytes.last ?? 0) < CommitBounds.maximumRecordBytes, sourceLocation: sourceLocation)
        }
        if commits.count > 1, let last = commits.last {
            #expect(last.recordBytes.count == 1, "the batch's last record is a commit of its own", sourceLocation: sourceLocation)
        }
    }

    @Test("a large batch gets a signed checkpoint each time its record frames reach the bound; the last commit is what open re-hashes")
    func batchIsSplit() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        let count = 900
        let receipt = try journal.appendBatch((0..<count).map { PendingRecord(JournalEntry(text: "note \($0)")) })
        #expect(receipt.sequences == 0...UInt64(count - 1))
        #expect(receipt.checkpoint.treeSize == UInt64(count))
        let commits = try Self.commits(path)
        // Every "note N" frame here is 425 bytes (the smallest record frame: 24 + 88 + 256 + 16 + 32 + 9).
        let perCommit = (CommitBounds.maximumRecordBytes + 424) / 425
        #expect(commits.map { $0.recordBytes.count } == [0] + Array(repeating: perCommit, count: count / perCommit) + [count % perCommit - 1, 1],
                "full commits, the rest, then the last record alone (what the next open re-hashes)")
        Self.expectBounded(commits.dropFirst())
        let report = Journal.verify(at: path)
        #expect(report.isValid && report.checkpointCount == commits.count, "\(report)")
        let reopened = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(reopened.recordCount == UInt64(count))
        #expect(try readAll(reopened).map(\.sequence) == (0..<UInt64(count)).map { $0 })
    }

    @Test("a batch over the byte bound is split by size; a record larger than the bound is a commit of its own")
    func byteBound() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        let big = String(repeating: "x", count: CommitBounds.maximumRecordBytes / 3)      // 3 fill a commit
        let huge = String(repeating: "y", count: CommitBounds.maximumRecordBytes + 10)    // alone over the bound
        try journal.appendBatch([big, big, big, big, huge, "small"].map { PendingRecord(JournalEntry(text: $0)) })
        // A "big" frame (64 KiB bound): payload 21,856 bytes, padded to 22,528 (step 2048), frame
        // 22,665 bytes: two stay under the bound, the third reaches it and closes the commit (tree size 3). The
        // fourth big one and the huge one reach it again (5); "small" ends the batch (6).
        #expect(try Self.commits(path).map(\.treeSize) == [0, 3, 5, 6])
        #expect(Journal.verify(at: path).isValid)
        #expect(try readAll(try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)).count == 6)
    }

    @Test("a crash in the middle of a multi-commit write keeps the whole commits before it and cuts only the torn rest", arguments: [1, 700, 20])
    func crashKeepsWholeCommits(cutInto thirdCommit: Int) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        try journal.appendBatch((0..<800).map { PendingRecord(JournalEntry(text: "note \($0)")) })
        let commits = try Self.commits(path)
        let second = commits[2]
        let perCommit = UInt64((CommitBounds.maximumRecordBytes + 424) / 425)
        #expect(commits.count == 7 && second.treeSize == 2 * perCommit)
        // The write was cut after the second commit: `thirdCommit` bytes of the third reached the disk.
        var bytes = try fileBytes(path)
        bytes.removeSubrange(Int(second.end) + thirdCommit..<bytes.count)
        try writeFileBytes(bytes, to: path)
        let readOnly = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(readOnly.recordCount == 2 * perCommit && readOnly.tornTailBytesAtOpen == UInt64(thirdCommit))
        let writer = try Journal.open(at: path, passphrase: testPassphrase())
        #expect(writer.recordCount == 2 * perCommit && writer.tornTailBytesAtOpen == UInt64(thirdCommit))
        #expect(try fileBytes(path).count == Int(second.end), "only the torn part of the third commit is cut")
        try writer.append(JournalEntry(text: "after the crash"))
        #expect(Journal.verify(at: path).isValid)
        #expect(try readAll(writer).last?.sequence == 2 * perCommit)
    }

    @Test("rekey and import write bounded commits too")
    func otherWriters() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        let lines = (0..<2100).map { "{\"data\":{\"text\":\"n\($0)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\",\"sequence\":\($0)}" }
        let result = try JournalImport.importRecords(from: .data(Data(lines.joined(separator: "\n").utf8)), format: .ndjson, into: journal)
        #expect(result.records == 2100 && result.sequences == 0...2099)
        let imported = try Self.commits(path)
        #expect(imported.count == 1 + (2100 + 154) / 155 + 1 && imported.last?.treeSize == 2100, "2100 frames of 425 bytes, 155 per commit, the last alone")
        Self.expectBounded(imported.dropFirst())
        let rekeyed = try journal.rekey(to: testPassphrase("a new passphrase after a leak"), kdf: testKDF)
        let successor = try Self.commits(path)
        #expect(successor.last?.treeSize == 2100)
        for commit in successor {  // rekey writes 1000 records at a time, each split at the bound
            #expect(commit.recordBytes.reduce(0, +) - (commit.recordBytes.last ?? 0) < CommitBounds.maximumRecordBytes && commit.recordBytes.count <= 1000)
        }
        #expect(rekeyed.journal.recordCount == 2100 && Journal.verify(at: path).isValid)
    }
}

/// In the serialized fault-injection suite: the storage hook is process-wide.
extension FaultInjectionTests {
    @Test("a durable multi-commit batch writes and fsyncs each commit in turn; a failure midway truncates the whole batch")
    func durableBatchOrdersCommits() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        _ = try makeJournal(at: path)
        let journal = try Journal.open(at: path, passphrase: testPassphrase(), durability: .synchronous)
        try journal.append(JournalEntry(text: "before"))
        let base = UInt64(try fileBytes(path).count)
        let operations = Locked<[StorageFaults.Operation]>([])
        StorageFaults.install { faultPath, operation in
            guard faultPath == path else { return .proceed }
            operations.withLock { $0.append(operation) }
            return .proceed
        }
        defer { StorageFaults.install(nil) }
        try journal.appendBatch((0..<800).map { PendingRecord(JournalEntry(text: "note \($0)")) })
        let commits = try BoundedCommitTests.commits(path).filter { $0.end > base }
        #expect(commits.count == 6)
        var expected: [StorageFaults.Operation] = []
        var start = base
        for commit in commits {
            expected += [.write(offset: start, count: Int(commit.end - start)), .sync]
            start = commit.end
        }
        #expect(operations.withLock { $0 } == expected, "each commit on disk before the next is written")

        // The third write fails: the two commits already synced are truncated away with the rest.
        let before = try fileBytes(path)
        let count = Locked(0)
        StorageFaults.install { faultPath, operation in
            guard faultPath == path, case .write = operation else { return .proceed }
            return count.withLock { value in defer { value += 1 }; return value == 2 ? .fail(errno: EIO) : .proceed }
        }
        #expect(throws: JournalError.self) { try journal.appendBatch((0..<800).map { PendingRecord(JournalEntry(text: "more \($0)")) }) }
        StorageFaults.install(nil)
        #expect(try fileBytes(path) == before && journal.recordCount == 801)
        try journal.append(JournalEntry(text: "after"))
        #expect(Journal.verify(at: path).isValid && journal.recordCount == 802)
    }
}
