import Foundation
import Testing
@testable import SealedJournal

@Suite("Salvage reads past damage; backups are consistent and verified")
struct SalvageBackupTests {
    /// A journal of 12 entries, one commit each.
    func twelveEntries(in dir: TemporaryDirectory) throws -> (path: String, journal: Journal) {
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        for index in 0..<12 { try journal.append(JournalEntry(text: "entry \(index)")) }
        return (path, journal)
    }

    func recordOffset(_ sequence: Int, path: String) throws -> (offset: Int, length: Int) {
        var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(try fileBytes(path).count))
        var seen = 0
        while let frame = try reader.next() {
            guard frame.kind == .record else { continue }
            if seen == sequence { return (Int(frame.offset), frame.bytes.count) }
            seen += 1
        }
        throw JournalError.noSuchRecord(sequence: UInt64(sequence), recordCount: UInt64(seen))
    }

    @Test("one damaged byte in record 5: strict reading stops there, salvage returns every other record and names #5; verify still fails")
    func salvagePastAlteredRecord() throws {
        let dir = try TemporaryDirectory()
        let (path, _) = try twelveEntries(in: dir)
        let (offset, length) = try recordOffset(5, path: path)
        var bytes = try fileBytes(path)
        bytes[offset + length / 2] ^= 0x01
        try writeFileBytes(bytes, to: path)
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(throws: JournalError.self) { try readAll(reader) }
        var texts: [String] = []
        let damaged = try reader.salvageRecords { texts.append(try $0.decode(JournalEntry.self).text) }
        #expect(texts == (0..<12).filter { $0 != 5 }.map { "entry \($0)" })
        #expect(damaged.map(\.sequence) == [5] && damaged[0].offset == UInt64(offset))
        #expect(!Journal.verify(at: path).isValid)
    }

    @Test("a damaged frame boundary: salvage resumes at the next intact checkpoint and names the lost stretch")
    func salvagePastBrokenFrame() throws {
        let dir = try TemporaryDirectory()
        let (path, _) = try twelveEntries(in: dir)
        let (offset, _) = try recordOffset(5, path: path)
        var bytes = try fileBytes(path)
        bytes[offset + 2] ^= 0x40  // the length field: the frame boundary is lost
        try writeFileBytes(bytes, to: path)
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        var sequences: [UInt64] = []
        let damaged = try reader.salvageRecords { sequences.append($0.sequence) }
        #expect(sequences == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11], "the next checkpoint gives the numbering back")
        #expect(damaged.count == 1 && damaged[0].sequence == 5)
    }

    @Test("a damaged end: a read-only salvage returns the records after the last intact commit that open and names the rest; a torn tail's incomplete frame is named; opened for writing nothing past the last commit is read")
    func salvagePastTheLastCommit() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "committed"))
        try journal.appendBatch(["a", "b", "c"].map { PendingRecord(JournalEntry(text: $0)) })  // one commit
        let (offset, length) = try recordOffset(2, path: path)
        var bytes = try fileBytes(path)
        bytes[offset + length / 2] ^= 0x01
        try writeFileBytes(bytes, to: path)
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(reader.recordCount == 1 && reader.warningsAtOpen.count == 1)
        #expect(try Journal.info(at: path).damagedAtOffset != nil)
        var texts: [String] = []
        let damaged = try reader.salvageRecords { texts.append(try $0.decode(JournalEntry.self).text) }
        #expect(texts == ["committed", "a", "c"] && damaged.map(\.sequence) == [2], "\(texts) \(damaged)")
        // A torn tail instead (the batch's checkpoint never written, its last record cut short):
        // the complete records in it are read, the incomplete frame is named.
        let (cOffset, cLength) = try recordOffset(3, path: path)
        var torn = try fileBytes(path)
        torn[offset + length / 2] ^= 0x01  // undo the damage
        torn = Array(torn[..<(cOffset + cLength / 2)])
        try writeFileBytes(torn, to: path)
        #expect(try Journal.info(at: path).damagedAtOffset == nil && (try Journal.info(at: path).tornTailBytes) > 0)
        let tornReader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        texts = []
        let incomplete = try tornReader.salvageRecords { texts.append(try $0.decode(JournalEntry.self).text) }
        #expect(texts == ["committed", "a", "b"] && incomplete.count == 1 && incomplete[0].offset == UInt64(cOffset), "\(texts) \(incomplete)")
        #expect(incomplete[0].reason.contains("the file ends inside this frame"))
        // Opened for writing, the torn tail is cut: salvage reads the committed record only, and writing goes on.
        let writer = try Journal.open(at: path, passphrase: testPassphrase())
        texts = []
        #expect(try writer.salvageRecords { texts.append(try $0.decode(JournalEntry.self).text) }.isEmpty && texts == ["committed"])
        try writer.append(JournalEntry(text: "next"))
        #expect(Journal.verify(at: path).isValid)
    }

    @Test("repair that would keep a readable record only in its side file: refused with acceptingLoss false (nothing changed), listed in strandedRecords otherwise; then writing works")
    func repairNamesStrandedRecords() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "committed"))
        try journal.appendBatch(["a", "b", "c"].map { PendingRecord(JournalEntry(text: $0)) })  // one commit: #1-#3
        let (offset, length) = try recordOffset(2, path: path)
        var bytes = try fileBytes(path)
        bytes[offset + length / 2] ^= 0x01
        try writeFileBytes(bytes, to: path)
        let refused = #expect(throws: JournalError.self) { try Journal.repair(at: path, passphrase: testPassphrase(), acceptingLoss: false) }
        #expect(refused?.description.contains("record #2 at the damaged end does not open, and 1 record(s) after it (#3) still do") == true, "\(String(describing: refused))")
        #expect(try fileBytes(path) == bytes, "nothing changed")
        let report = try Journal.repair(at: path, passphrase: testPassphrase())
        #expect(report.repaired && report.recommittedRecords == 1 && report.strandedRecords == [3], "\(report)")
        let reopened = try Journal.open(at: path, passphrase: testPassphrase(), durability: .unsafeNoSync)
        try reopened.append(JournalEntry(text: "after the repair"))
        #expect(Journal.verify(at: path).isValid)
    }

    @Test("backup: a consistent 0600 copy that verifies, refuses to overwrite, and stays checkable later with its checkpoint")
    func backup() throws {
        let dir = try TemporaryDirectory()
        let (path, journal) = try twelveEntries(in: dir)
        let report = try journal.backup(to: dir.file("copy.sj"))
        let size = try fileBytes(path).count
        #expect(report.recordCount == 12 && report.byteCount == UInt64(size))
        let copyBytes = try fileBytes(dir.file("copy.sj")), journalBytes = try fileBytes(path)
        #expect(copyBytes == journalBytes)
        #expect((try FileManager.default.attributesOfItem(atPath: dir.file("copy.sj"))[.posixPermissions] as? Int) == 0o600)
        #expect(throws: JournalError.alreadyExists(path: dir.file("copy.sj"))) { try journal.backup(to: dir.file("copy.sj")) }
        // The journal goes on; the copy's checkpoint still proves the journal kept that history.
        try journal.append(JournalEntry(text: "after the backup"))
        #expect(Journal.verify(at: path, options: .init(heldCheckpoint: report.checkpoint.text)).isValid)
        #expect(try Journal.open(at: dir.file("copy.sj"), passphrase: testPassphrase(), mode: .readOnly).recordCount == 12)
        // A torn tail is not copied: the copy ends at the last intact commit.
        try writeFileBytes(try fileBytes(path) + [1, 2, 3], to: path)
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        let second = try reader.backup(to: dir.file("copy2.sj"))
        #expect(second.recordCount == 13 && Journal.verify(at: dir.file("copy2.sj")).isValid)
    }
}
