import Foundation
import Testing
@testable import SealedJournal

/// `lastRecords` reads from the end of the last commit backwards. It must give exactly what a
/// forward read's tail gives, authenticate every record it reads at its own sequence number,
/// and fail (never show a record at the wrong number) when the part it reads was altered.
@Suite("The newest records are read backwards, exactly and authenticated")
struct NewestRecordsTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)

    /// Several commits (one per call, and a large batch split at 64 KiB), of every built-in
    /// kind a reader filters on, an app-defined kind, and a disclosure.
    static func makeNewestJournal(_ dir: TemporaryDirectory) throws -> (journal: Journal, path: String) {
        let path = dir.file("newest.sj")
        let journal = try makeJournal(at: path).journal
        for day in 0..<12 {
            let date = base.addingTimeInterval(Double(day) * 86_400)
            try journal.append(JournalEntry(text: "evening \(day)", tags: day % 3 == 0 ? ["meeting"] : []), at: date)
            try journal.appendCheckIn(CheckIn(day: LocalDate(date: date), mood: day % 10 + 1, craving: 3, use: .sober), at: date)
        }
        // One batch of about 200 KiB: several commits of its own.
        let filler = String(repeating: "y", count: 600)
        var batch: [PendingRecord] = []
        for index in 0..<300 {
            let tags: [String] = index % 50 == 0 ? ["meeting"] : []
            let entry = JournalEntry(text: "batch \(index) " + filler, tags: tags)
            batch.append(PendingRecord(entry, recordedAt: base.addingTimeInterval(13 * 86_400 + Double(index))))
        }
        try journal.appendBatch(batch)
        try journal.append(Amendment(amends: 3, text: "I meant the other meeting"), at: base.addingTimeInterval(14 * 86_400))
        _ = try journal.disclose(OwnerExport.Records(format: .ndjson), to: DisclosureRequest(recipient: "Dr. Lee", purpose: "review"),
                                 output: DisclosureOutput(write: { _ in }))
        try journal.append(JournalEntry(text: "last words of the day"), at: base.addingTimeInterval(15 * 86_400))
        return (journal, path)
    }

    static func filters() -> [(String, RecordFilter)] {
        var noBookkeeping = RecordFilter.all
        noBookkeeping.excludingKinds = RecordKind.bookkeeping
        return [
            ("all", .all),
            ("no bookkeeping", noBookkeeping),
            ("check-ins", RecordFilter(kinds: [.checkIn])),
            ("days 2 to 5", RecordFilter(from: base.addingTimeInterval(2 * 86_400), to: base.addingTimeInterval(6 * 86_400))),
            ("tag", RecordFilter(tag: "MEETING")),
            ("containing", RecordFilter(containing: "Evening 1")),
            ("nothing", RecordFilter(kinds: [RecordKind(rawValue: "no-such-kind")])),
        ]
    }

    @Test("lastRecords gives exactly the tail of a forward read, for every count and filter, across commits")
    func sameAsForward() throws {
        let dir = try TemporaryDirectory()
        let (journal, path) = try Self.makeNewestJournal(dir)
        let reopened = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        let file = try AppendOnlyFile.open(path: path, writable: false)
        var frames = FrameReader(file: file, to: try file.size())
        var checkpoints = 0
        while let frame = try frames.next() { if frame.kind == .checkpoint { checkpoints += 1 } }
        #expect(checkpoints > 30, "the journal has many commits, the batch several")
        for (name, filter) in Self.filters() {
            let forward = try readAll(reopened, filter)
            for count in [1, 2, 5, 37, forward.count, forward.count + 5] where count > 0 {
                let newest = try reopened.lastRecords(count, filter)
                let expected = Array(forward.suffix(count))
                #expect(newest.map(\.sequence) == expected.map(\.sequence), "\(name), \(count)")
                #expect(newest.map(\.payload) == expected.map(\.payload), "\(name), \(count)")
                #expect(newest.map(\.kind) == expected.map(\.kind), "\(name), \(count)")
            }
        }
        #expect(try reopened.lastRecords(0).isEmpty)
        // The writer sees its own appends; the next append is the newest record.
        try journal.append(JournalEntry(text: "one more"), at: Self.base.addingTimeInterval(16 * 86_400))
        let newest = try journal.lastRecords(1)
        #expect(newest.map(\.sequence) == [journal.recordCount - 1])
        guard case let .entry(entry)? = newest.first?.content else { Issue.record("not an entry"); return }
        #expect(entry.text == "one more")
    }

    @Test("an empty journal and a journal of one record")
    func smallJournals() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("small.sj")).journal
        #expect(try journal.lastRecords(5).isEmpty)
        try journal.append(JournalEntry(text: "only one"))
        #expect(try journal.lastRecords(5).map(\.sequence) == [0])
    }

    /// The offsets and lengths of the record frames, in order.
    static func recordFrames(_ path: String) throws -> [(offset: Int, count: Int)] {
        let file = try AppendOnlyFile.open(path: path, writable: false)
        var reader = FrameReader(file: file, to: try file.size())
        var frames: [(offset: Int, count: Int)] = []
        while let frame = try reader.next() {
            if frame.kind == .record { frames.append((Int(frame.offset), frame.bytes.count)) }
        }
        return frames
    }

    @Test("damage far back is not read; damage in the part read throws at its record; verify still fails; the next append works")
    func damage() throws {
        let dir = try TemporaryDirectory()
        let (journal, path) = try Self.makeNewestJournal(dir)
        let total = Int(journal.recordCount)
        let frames = try Self.recordFrames(path)
        #expect(frames.count == total)
        // Flip one ciphertext byte of record #100 (in an earlier commit than the last).
        var bytes = try fileBytes(path)
        bytes[frames[100].offset + frames[100].count / 2] ^= 0x01
        try writeFileBytes(bytes, to: path)
        let reopened = try Journal.open(at: path, passphrase: testPassphrase())
        // The newest 50 do not reach it.
        #expect(try reopened.lastRecords(50).map(\.sequence) == Array(UInt64(total - 50)..<UInt64(total)))
        // Reaching it throws, naming it; nothing from before it is shown at any number.
        let error = #expect(throws: JournalError.self) { _ = try reopened.lastRecords(total - 99) }
        guard case let .corruptFrame(offset, sequence, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(sequence == 100 && offset == UInt64(frames[100].offset))
        #expect(!Journal.verify(at: path).isValid)
        // What next: the owner can still append, and the new record is the newest one.
        try reopened.append(JournalEntry(text: "after the bad morning"))
        #expect(try reopened.lastRecords(1).map(\.sequence) == [UInt64(total)])
    }

    @Test("a record frame swapped, turned into an extension frame, or given a wrong trailer fails; never shown at the wrong number")
    func moved() throws {
        let dir = try TemporaryDirectory()
        let (journal, path) = try Self.makeNewestJournal(dir)
        let total = Int(journal.recordCount)
        let frames = try Self.recordFrames(path)
        let original = try fileBytes(path)
        // Two batch records of the same size, next to each other, in an earlier commit.
        func adjacentSameSize(_ index: Int) -> Bool {
            let here = frames[index], next = frames[index + 1]
            return here.count == next.count && here.offset + here.count == next.offset
        }
        let first = (100..<(total - 40)).first(where: adjacentSameSize)!
        func expectFailure(_ bytes: [UInt8], at sequence: UInt64?, offset: Int? = nil, _ what: String) throws {
            try writeFileBytes(bytes, to: path)
            let reopened = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
            let error = #expect(throws: JournalError.self, "\(what)") {
                let shown = try reopened.lastRecords(total - first)
                Issue.record("\(what): shown \(shown.count) records")
            }
            guard case let .corruptFrame(at, found, _)? = error else { Issue.record("\(what): \(String(describing: error))"); return }
            #expect(found == sequence, "\(what)")
            if let offset { #expect(at == UInt64(offset), "\(what): the error names the damaged bytes") }
            // The records after the change still read.
            #expect(try reopened.lastRecords(total - first - 2).count == total - first - 2, "\(what)")
        }
        var swapped = original
        let a = frames[first], b = frames[first + 1]
        swapped.replaceSubrange(a.offset..<(a.offset + a.count), with: original[b.offset..<(b.offset + b.count)])
        swapped.replaceSubrange(b.offset..<(b.offset + b.count), with: original[a.offset..<(a.offset + a.count)])
        try expectFailure(swapped, at: UInt64(first + 1), "swapped")
        var extended = original
        extended[frames[first + 1].offset + 4] = 200
        try expectFailure(extended, at: UInt64(first + 1), "made an extension frame")
        var trailer = original
        trailer[frames[first + 1].offset + frames[first + 1].count - 4] ^= 0x10
        try expectFailure(trailer, at: nil, offset: frames[first + 1].offset + frames[first + 1].count - 4, "trailer changed")
        var zeroTrailer = original
        for index in 0..<4 { zeroTrailer[frames[first + 1].offset + frames[first + 1].count - 4 + index] = 0 }
        try expectFailure(zeroTrailer, at: nil, offset: frames[first + 1].offset + frames[first + 1].count - 4, "trailer zeroed")
    }

    @Test("a journal cut short by another program while open: the error says so, and names no record")
    func truncatedWhileOpen() throws {
        let dir = try TemporaryDirectory()
        let (journal, path) = try Self.makeNewestJournal(dir)
        let frames = try Self.recordFrames(path)
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(truncate(path, off_t(frames[Int(journal.recordCount) - 20].offset)) == 0)
        let error = #expect(throws: JournalError.self) { _ = try reader.lastRecords(5) }
        guard case let .corruptFrame(_, sequence, reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(sequence == nil && reason.contains("became shorter"))
    }
}
