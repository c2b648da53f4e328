import Foundation
import Testing
@testable import SealedJournal

/// Builds a small journal (two commits of one record, one batch of two) and keeps its bytes,
/// its records and the checkpoint text after every commit.
struct SmallJournal {
    let dir: TemporaryDirectory
    let path: String
    let bytes: [UInt8]
    let records: [JournalRecord]
    /// (file size after the commit, checkpoint text)
    let commits: [(size: Int, checkpoint: String)]

    init() throws {
        dir = try TemporaryDirectory()
        path = dir.file("small.sj")
        let created = try makeJournal(at: path)
        let journal = created.journal
        var commits = [(size: try fileBytes(path).count, checkpoint: journal.latestCheckpoint.text)]
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        try journal.append(JournalEntry(text: "first entry", tags: ["a"]), at: time)
        commits.append((try fileBytes(path).count, journal.latestCheckpoint.text))
        try journal.append(CheckIn(day: try LocalDate("2026-11-27"), mood: 4, craving: 6, use: .hardDay), at: time)
        commits.append((try fileBytes(path).count, journal.latestCheckpoint.text))
        try journal.appendBatch([PendingRecord(JournalEntry(text: "batch one"), recordedAt: time),
                                 PendingRecord(Amendment(amends: 0, text: "correction"), recordedAt: time)])
        commits.append((try fileBytes(path).count, journal.latestCheckpoint.text))
        self.commits = commits
        bytes = try fileBytes(path)
        records = try readAll(journal)
    }

    var latestCheckpoint: String { commits.last!.checkpoint }
}

@Suite("Tampering and truncation are detected")
struct JournalTamperTests {
    @Test("flipping any single byte anywhere in the file is detected by verify (no key)")
    func everyByteFlip() throws {
        let journal = try SmallJournal()
        #expect(Journal.verify(at: journal.path).isValid)
        let tampered = journal.dir.file("tampered.sj")
        var undetected: [Int] = []
        for index in Exhaustive.cases(journal.bytes.indices) {
            var bytes = journal.bytes
            bytes[index] ^= index % 2 == 0 ? 0x01 : 0x80
            try writeFileBytes(bytes, to: tampered)
            if Journal.verify(at: tampered).isValid { undetected.append(index) }
        }
        #expect(undetected.isEmpty, "flips at offsets \(undetected.prefix(20)) were not detected")
    }

    @Test("checkpoints checked on a second core: a flipped byte in a checkpoint (every third) gives exactly the in-order walk's report")
    func deferredCheckpointChecksMatchTheInOrderWalk() throws {
        let journal = try SmallJournal()
        let fresh = Verifier.run(path: journal.path, options: .init(), cipher: nil, progress: nil, deferSignatures: true)
        let inOrder = Verifier.run(path: journal.path, options: .init(), cipher: nil, progress: nil, deferSignatures: false)
        #expect(fresh.isValid && !fresh.deferredCheckFailed)
        #expect(fresh.description == inOrder.description && fresh.latestCheckpoint == inOrder.latestCheckpoint)
        #expect(fresh.latestCheckpoint?.text == journal.latestCheckpoint)
        var checkpointBytes: [Int] = []
        let file = try AppendOnlyFile.open(path: journal.path, writable: false)
        var reader = FrameReader(file: file, to: try file.size())
        while let frame = try reader.next() {
            if frame.kind == .checkpoint { checkpointBytes += Int(frame.offset)..<Int(frame.endOffset) }
        }
        #expect(checkpointBytes.count > 1000)
        let tampered = journal.dir.file("tampered.sj")
        var deferredFailures = 0
        let flipped = Exhaustive.cases(0..<(checkpointBytes.count + 2) / 3).map { checkpointBytes[$0 * 3] }
        for index in flipped {
            var bytes = journal.bytes
            bytes[index] ^= 1 << (index % 8)
            try writeFileBytes(bytes, to: tampered)
            let deferredWalk = Verifier.run(path: tampered, options: .init(), cipher: nil, progress: nil, deferSignatures: true)
            if deferredWalk.deferredCheckFailed { deferredFailures += 1 }
            // What callers get (the public entry point redoes a failed deferred walk in order) ...
            var progress: [(UInt64, UInt64)] = []
            let reported = Journal.verify(at: tampered) { progress.append(($0, $1)) }
            #expect(progress.last.map { $0.0 == reported.bytesChecked && $0.1 == UInt64(bytes.count) } == true, "one last progress call")
            let sequential = Verifier.run(path: tampered, options: .init(), cipher: nil, progress: nil, deferSignatures: false)
            #expect(!reported.isValid, "flip at \(index) not detected")
            #expect(reported.description == sequential.description, "flip at \(index): the reports differ")
            #expect(reported.latestCheckpoint == sequential.latestCheckpoint)
        }
        // ... and the second core really did catch the altered signatures and texts.
        #expect(deferredFailures > flipped.count / 2)
    }

    @Test("reading never returns an altered record, whatever byte is flipped")
    func readingNeverReturnsAlteredRecords() throws {
        let journal = try SmallJournal()
        let tampered = journal.dir.file("tampered.sj")
        // Every byte of the frames region, and a sample of the header.
        let offsets = Array(stride(from: 0, to: Int(FileHeader.framesOffset), by: 97)) + Exhaustive.cases(Int(FileHeader.framesOffset)..<journal.bytes.count)
        for index in offsets {
            var bytes = journal.bytes
            bytes[index] ^= 0x20
            try writeFileBytes(bytes, to: tampered)
            guard let opened = try? Journal.open(at: tampered, passphrase: testPassphrase(), mode: .readOnly) else { continue }
            var cursor = try opened.cursor()
            while true {
                guard let record = try? cursor.next() else { break }
                let original = journal.records[Int(record.sequence)]
                #expect(record.payload == original.payload && record.kind == original.kind && record.recordedAt == original.recordedAt,
                        "offset \(index) altered record \(record.sequence)")
            }
        }
    }

    @Test("truncating at every offset is detected (with a held checkpoint at commit boundaries)")
    func everyTruncation() throws {
        let journal = try SmallJournal()
        let truncated = journal.dir.file("truncated.sj")
        let commitSizes = Set(journal.commits.map(\.size))
        var undetected: [Int] = []
        for length in Exhaustive.cases(0..<journal.bytes.count, boundaries: Array(commitSizes)) {
            try writeFileBytes(Array(journal.bytes.prefix(length)), to: truncated)
            let plain = Journal.verify(at: truncated)
            if commitSizes.contains(length) {
                // A shorter but well-formed journal: only someone holding a later checkpoint can tell.
                #expect(plain.isValid, "a commit boundary at \(length) is a valid shorter journal")
                let held = Journal.verify(at: truncated, options: .init(heldCheckpoint: journal.latestCheckpoint))
                if held.isValid { undetected.append(length) }
            } else if plain.isValid {
                undetected.append(length)
            }
        }
        #expect(undetected.isEmpty, "truncations at \(undetected.prefix(20)) were not detected")
    }

    @Test("a held checkpoint detects rewritten history and checkpoints from elsewhere")
    func heldCheckpoints() throws {
        let journal = try SmallJournal()
        for commit in journal.commits {
            let report = Journal.verify(at: journal.path, options: .init(heldCheckpoint: commit.checkpoint))
            #expect(report.isValid && report.checkedHeldCheckpoint, "\(report)")
        }
        // A different journal's checkpoint does not verify against this one.
        let other = try SmallJournal()
        #expect(!Journal.verify(at: journal.path, options: .init(heldCheckpoint: other.latestCheckpoint)).isValid)
        // A checkpoint with an altered root is rejected (signature).
        let altered = journal.latestCheckpoint.replacingOccurrences(of: "\n4\n", with: "\n3\n")
        #expect(!Journal.verify(at: journal.path, options: .init(heldCheckpoint: altered)).isValid)
        // Pinned fingerprint.
        let info = try Journal.info(at: journal.path)
        #expect(Journal.verify(at: journal.path, options: .init(fingerprint: Fingerprint(info.fingerprint.description.uppercased()))).isValid)
        #expect(!Journal.verify(at: journal.path, options: .init(fingerprint: try Journal.info(at: other.path).fingerprint)).isValid)
    }

    @Test("swapping two equal-sized records is detected by verify and by reading")
    func swappedRecords() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.appendBatch([PendingRecord(JournalEntry(text: "aaaa")), PendingRecord(JournalEntry(text: "bbbb"))])
        var bytes = try fileBytes(path)
        let start = Int(FileHeader.framesOffset)
        var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(bytes.count))
        _ = try reader.next()  // creation checkpoint
        let first = try #require(try reader.next()), second = try #require(try reader.next())
        #expect(first.bytes.count == second.bytes.count && Int(first.offset) > start)
        bytes.replaceSubrange(Int(first.offset)..<Int(first.endOffset), with: second.bytes)
        bytes.replaceSubrange(Int(second.offset)..<Int(second.endOffset), with: first.bytes)
        try writeFileBytes(bytes, to: path)
        #expect(!Journal.verify(at: path).isValid)
        // The swapped commit is damage: read-only reads only what is intact and says so; write-open refuses.
        let readOnly = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(try readAll(readOnly).isEmpty && !readOnly.warningsAtOpen.isEmpty)
        #expect(throws: JournalError.self) { try Journal.open(at: path, passphrase: testPassphrase()) }
    }
}
