import Foundation
import Testing
@testable import SealedJournal

/// An amendment names the record it corrects by number; an import gives records new numbers, so
/// the amendment must follow its record (and be refused when its record is not imported).
@Suite("Import: an exported amendment still corrects the same record, whatever numbers the import gives")
struct ImportAmendmentTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// A journal of `texts` as entries, then a correction of entry `amended` ("fixed: ..."); its NDJSON export.
    static func export(_ texts: [String], amending amended: Int, in dir: TemporaryDirectory, name: String,
                       filter: RecordFilter = .all) throws -> String {
        let journal = try makeJournal(at: dir.file(name)).journal
        try journal.appendBatch(texts.enumerated().map { PendingRecord(JournalEntry(text: $1), recordedAt: start.addingTimeInterval(Double($0) * 60)) })
        try journal.amend(UInt64(amended), text: "fixed: " + texts[amended])
        var exported = ""
        try OwnerExport.write(journal, format: .ndjson, filter: filter, notice: nil) { exported += $0 }
        return exported
    }

    /// Each amendment of `journal` with the text of the record it corrects.
    static func corrections(_ journal: Journal) throws -> [(amendment: UInt64, correction: String, corrected: String)] {
        let records = try readAll(journal)
        return records.compactMap { record in
            guard case let .amendment(amendment) = record.content else { return nil }
            guard let target = records.first(where: { $0.sequence == amendment.amends }), case let .entry(entry) = target.content else {
                return (record.sequence, amendment.text, "<not an entry>")
            }
            return (record.sequence, amendment.text, entry.text)
        }
    }

    @Test("into a journal that already holds records, in chunks of any size: the amendment points at its record's new number",
          arguments: [1, 2, 3, 10_000])
    func intoANonEmptyJournal(chunkRecords: Int) throws {
        let dir = try TemporaryDirectory()
        let exported = try Self.export(["zero", "one", "two", "three"], amending: 1, in: dir, name: "source.sj")
        let target = try makeJournal(at: dir.file("target.sj")).journal
        try target.appendBatch(["here 0", "here 1", "here 2"].map { PendingRecord(JournalEntry(text: $0)) })
        let result = try JournalImport.importRecords(from: StreamingImportTests.pieces(Data(exported.utf8), size: 17), format: .ndjson,
                                                     into: target, chunkRecords: chunkRecords)
        #expect(result.records == 5 && result.sequences == 3...7)
        let corrections = try Self.corrections(target)
        #expect(corrections.count == 1)
        #expect(corrections.first?.amendment == 7 && corrections.first?.correction == "fixed: one" && corrections.first?.corrected == "one")
        // What comes next: exported again and imported into an empty journal, it still corrects "one".
        var again = ""
        try OwnerExport.write(target, format: .ndjson, notice: nil) { again += $0 }
        let third = try makeJournal(at: dir.file("third.sj")).journal
        try JournalImport.importRecords(from: .data(Data(again.utf8)), format: .ndjson, into: third)
        #expect(try Self.corrections(third).map(\.corrected) == ["one"])
        #expect(third.verify().isValid)
    }

    @Test("the in-memory import renumbers the same way, and leaves the journal it imported into verifiable")
    func inMemoryImport() throws {
        let dir = try TemporaryDirectory()
        let exported = try Self.export(["a", "b", "c"], amending: 2, in: dir, name: "source.sj")
        let target = try makeJournal(at: dir.file("target.sj")).journal
        try target.append(JournalEntry(text: "already here"))
        let receipt = try JournalImport.importRecords(Data(exported.utf8), format: .ndjson, into: target)
        #expect(receipt?.sequences == 1...4 && receipt?.checkpoint == target.latestCheckpoint)
        #expect(try Self.corrections(target).map(\.corrected) == ["c"])
        // Parsing alone keeps the export's number.
        let parsed = try JournalImport.parse(Data(exported.utf8), format: .ndjson)
        #expect(parsed.last?.amends == 2)
    }

    @Test("a filtered export that left the corrected record out is refused before anything is written; the whole export then imports")
    func filteredExportIsRefused() throws {
        let dir = try TemporaryDirectory()
        let filtered = try Self.export(["zero", "one", "two"], amending: 0, in: dir, name: "source.sj",
                                       filter: RecordFilter(from: Self.start.addingTimeInterval(30)))
        let path = dir.file("target.sj")
        let target = try makeJournal(at: path).journal
        try target.append(JournalEntry(text: "mine"))
        let before = try fileBytes(path)
        let error = #expect(throws: JournalError.self) { try JournalImport.check(.data(Data(filtered.utf8)), format: .ndjson) }
        // The amendment is the third line (records 1, 2, then the amendment).
        #expect(error?.description.contains("line 3") == true && error?.description.contains("record 0 of its export") == true,
                "\(String(describing: error))")
        #expect(throws: JournalError.self) { try JournalImport.importRecords(Data(filtered.utf8), format: .ndjson, into: target) }
        #expect(try fileBytes(path) == before, "nothing written")
        // Streaming without a check first: the refusal comes before the amendment's chunk is written.
        #expect(throws: JournalError.self) { try JournalImport.importRecords(from: .data(Data(filtered.utf8)), format: .ndjson, into: target, chunkRecords: 1) }
        #expect(try readAll(target).allSatisfy { if case .amendment = $0.content { false } else { true } }, "no amendment pointing anywhere")
        // Next: the whole export imports, and its correction points at "zero".
        let whole = try Self.export(["zero", "one", "two"], amending: 0, in: dir, name: "source2.sj")
        let fresh = try makeJournal(at: dir.file("fresh.sj")).journal
        try fresh.append(JournalEntry(text: "mine"))
        try JournalImport.importRecords(Data(whole.utf8), format: .ndjson, into: fresh)
        #expect(try Self.corrections(fresh).map(\.corrected) == ["zero"])
    }

    @Test("two exports one after the other: each amendment corrects the record of its own export")
    func concatenatedExports() throws {
        let dir = try TemporaryDirectory()
        let first = try Self.export(["a0", "a1"], amending: 0, in: dir, name: "a.sj")
        let second = try Self.export(["b0", "b1", "b2"], amending: 0, in: dir, name: "b.sj")
        let target = try makeJournal(at: dir.file("t.sj")).journal
        try JournalImport.importRecords(from: .data(Data((first + second).utf8)), format: .ndjson, into: target, chunkRecords: 2)
        #expect(try Self.corrections(target).map(\.corrected) == ["a0", "b0"])
    }

    @Test("an amendment written by hand (no \"sequence\") names a record of the journal imported into, as before")
    func handWrittenAmendment() throws {
        let dir = try TemporaryDirectory()
        let target = try makeJournal(at: dir.file("t.sj")).journal
        try target.appendBatch(["x", "y"].map { PendingRecord(JournalEntry(text: $0)) })
        let line = #"{"kind": "amendment", "recordedAt": "2024-01-01T00:00:00Z", "data": {"amends": 1, "text": "about y"}}"#
        try JournalImport.importRecords(from: .data(Data(line.utf8)), format: .ndjson, into: target)
        #expect(try Self.corrections(target).map(\.corrected) == ["y"])
        // A number that does not exist here is refused, as any append of it is.
        let missing = #"{"kind": "amendment", "recordedAt": "2024-01-01T00:00:00Z", "data": {"amends": 9, "text": "?"}}"#
        #expect(throws: JournalError.self) { try JournalImport.importRecords(from: .data(Data(missing.utf8)), format: .ndjson, into: target) }
    }

    @Test("a \"sequence\" that is not a whole number from 0 is refused on every path; null counts as absent", arguments: [
        #"-1"#, #"1.5"#, #""3""#, #"true"#, #"[1]"#, #"18446744073709551616"#,
    ])
    func invalidSequence(value: String) throws {
        for data in [#"{"text": "hi"}"#, #"{"amends": 0, "text": "hi"}"#] {
            let kind = data.contains("amends") ? "amendment" : "entry"
            let line = #"{"data": \#(data), "kind": "\#(kind)", "recordedAt": "2024-01-01T00:00:00.000Z", "sequence": \#(value)}"#
            let error = #expect(throws: JournalError.self) { try JournalImport.check(.data(Data(line.utf8)), format: .ndjson) }
            #expect(error?.description.contains("\"sequence\"") == true, "\(line): \(String(describing: error))")
        }
        let null = #"{"data": {"text": "hi"}, "kind": "entry", "recordedAt": "2024-01-01T00:00:00.000Z", "sequence": null}"#
        #expect(try JournalImport.check(.data(Data(null.utf8)), format: .ndjson) == 1)
    }

    @Test("the numbering finds each number's newest record: runs, gaps, unnumbered records, a second export, the largest numbers")
    func numbering() {
        var numbering = SourceNumbering()
        // Positions:      0  1  2    3  4  5  6  7   8            9
        let sources: [UInt64?] = [5, 6, 7, nil, 9, 3, 4, 8, .max - 1, .max]
        for source in sources { numbering.note(source) }
        #expect(numbering.count == 10)
        #expect(numbering.position(of: 5) == 0 && numbering.position(of: 7) == 2)
        #expect(numbering.position(of: 8) == 7, "the newest segment first")
        #expect(numbering.position(of: 9) == 4, "an older segment when the newest does not hold it")
        #expect(numbering.position(of: 3) == 5 && numbering.position(of: 4) == 6)
        #expect(numbering.position(of: .max - 1) == 8 && numbering.position(of: .max) == 9)
        #expect(numbering.position(of: 2) == nil && numbering.position(of: 10) == nil && numbering.position(of: .max - 2) == nil)
        // A number seen twice (two exports of the same journal): the newer record.
        var twice = SourceNumbering()
        for source: UInt64 in [0, 1, 2, 0, 1] { twice.note(source) }
        #expect(twice.position(of: 1) == 4 && twice.position(of: 2) == 2)
        // A whole export is one run, whatever its size.
        var whole = SourceNumbering()
        for source in UInt64(0)..<100_000 { whole.note(source) }
        #expect(whole.position(of: 99_999) == 99_999 && whole.position(of: 100_000) == nil)
    }
}
