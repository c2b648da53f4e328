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

    /// An export holding only the correction (to `mood`, for `reason`) of check-in `original`:
    /// the corrected check-in left out, as `--kind amendment` leaves it.
    static func checkInCorrectionOnly(_ original: CheckIn, mood: Int, reason: String, in dir: TemporaryDirectory) throws -> String {
        let source = try makeJournal(at: dir.file("s.sj")).journal
        try source.appendCheckIn(original)
        var fixed = original
        fixed.mood = mood
        try source.amendCheckIn(0, with: fixed, reason: reason)
        var exported = ""
        try OwnerExport.write(source, format: .ndjson, filter: RecordFilter(kinds: [.amendment]), notice: nil) { exported += $0 }
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

    @Test("into a journal that already holds records, in chunks of any size, with or without the committing thread: the amendment points at its record's new number",
          arguments: [1, 2, 3, 10_000], [false, true])
    func intoANonEmptyJournal(chunkRecords: Int, oneThread: Bool) throws {
        let dir = try TemporaryDirectory()
        let exported = try Self.export(["zero", "one", "two", "three"], amending: 1, in: dir, name: "source.sj")
        let target = try makeJournal(at: dir.file("target.sj")).journal
        try target.appendBatch(["here 0", "here 1", "here 2"].map { PendingRecord(JournalEntry(text: $0)) })
        let input = StreamingImportTests.pieces(Data(exported.utf8), size: 17)
        // Under the test-only deterministic randomness the import commits on its own thread (no committer).
        let result = try oneThread
            ? DeterministicRandomness.withSeed("one thread") { try JournalImport.importRecords(from: input, format: .ndjson, into: target, chunkRecords: chunkRecords) }
            : JournalImport.importRecords(from: input, format: .ndjson, into: target, chunkRecords: chunkRecords)
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
        #expect(receipt?.sequences == 1...4)
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

    @Test("asked to, a correction whose record was left out is kept as an entry with its words, time and number, streaming in chunks of any size or in memory; what comes next imports again",
          arguments: [1, 2, 10_000, 0])
    func unmatchedCorrectionsKept(chunkRecords: Int) throws {
        let dir = try TemporaryDirectory()
        // A whole export (its correction has its record) and a filtered one (its record left out), one after the other.
        let whole = try Self.export(["a0", "a1"], amending: 1, in: dir, name: "a.sj")
        let filtered = try Self.export(["zero", "one", "two"], amending: 0, in: dir, name: "source.sj",
                                       filter: RecordFilter(from: Self.start.addingTimeInterval(30)))
        let input = Data((whole + filtered).utf8)
        let target = try makeJournal(at: dir.file("target.sj")).journal
        try target.append(JournalEntry(text: "mine"))
        #expect(try JournalImport.check(.data(input), format: .ndjson, unmatchedCorrections: .keep) == 6)
        if chunkRecords == 0 {
            // In memory (chunkRecords 0 stands for the one-batch import).
            #expect(try JournalImport.importRecords(input, format: .ndjson, into: target, unmatchedCorrections: .keep)?.sequences == 1...6)
        } else {
            let result = try JournalImport.importRecords(from: StreamingImportTests.pieces(input, size: 23), format: .ndjson, into: target,
                                                         chunkRecords: chunkRecords, unmatchedCorrections: .keep)
            #expect(result.records == 6 && result.sequences == 1...6 && result.correctionsKept == 1)
        }
        let records = try readAll(target)
        #expect(records.count == 7)
        // The matched correction still points at "a1" (#2 here); the other is an entry, not an amendment.
        #expect(try Self.corrections(target).map(\.corrected) == ["a1"])
        guard let kept = records.last, case let .entry(entry) = kept.content else { Issue.record("no entry at the end"); return }
        #expect(entry.text == "fixed: zero" && entry.tags == ["correction"])
        #expect(entry.title == JournalImport.unmatchedCorrectionTitle(exportNumber: 0) && entry.title?.contains("record 0") == true)
        // Its time is the correction's own (written after the three entries).
        let sourceAmendment = try readAll(try Journal.open(at: dir.file("source.sj"), passphrase: testPassphrase())).last
        #expect(kept.recordedAt == sourceAmendment?.recordedAt && kept.timeZoneOffsetSeconds == sourceAmendment?.timeZoneOffsetSeconds)
        #expect(target.verify().isValid)
        // What comes next: exported and imported again with the default (refuse), nothing is unmatched any more.
        var again = ""
        try OwnerExport.write(target, format: .ndjson, notice: nil) { again += $0 }
        let third = try makeJournal(at: dir.file("third.sj")).journal
        try JournalImport.importRecords(from: .data(Data(again.utf8)), format: .ndjson, into: third)
        #expect(try readAll(third).last.map { if case let .entry(e) = $0.content { e.text } else { "" } } == "fixed: zero")
    }

    @Test("kept corrections are counted per committed chunk, with or without the committing thread; a correction of a kept one points at it",
          arguments: [false, true])
    func keptCorrectionsCountedAndCorrected(oneThread: Bool) throws {
        let dir = try TemporaryDirectory()
        let source = try makeJournal(at: dir.file("s.sj")).journal
        try source.appendBatch((0..<4).map { PendingRecord(JournalEntry(text: "e\($0)"), recordedAt: Self.start.addingTimeInterval(Double($0))) })
        // #4, #5 correct #0 and #1; #6 corrects the correction #4; #7 corrects #3.
        try source.amend(0, text: "fix e0")
        try source.amend(1, text: "fix e1")
        try source.amend(4, text: "fix of fix e0")
        try source.amend(3, text: "fix e3")
        var exported = ""
        try OwnerExport.write(source, format: .ndjson, filter: RecordFilter(kinds: [.amendment]), notice: nil) { exported += $0 }
        let target = try makeJournal(at: dir.file("t.sj")).journal
        var counts: [Int] = []
        let run = { try JournalImport.importRecords(from: .data(Data(exported.utf8)), format: .ndjson, into: target, chunkRecords: 2,
                                                    unmatchedCorrections: .keep) { counts.append($0.correctionsKept) } }
        let result = try oneThread ? DeterministicRandomness.withSeed("kept") { try run() } : run()
        // Chunks [fix e0, fix e1] [fix of fix, fix e3]: three kept (fix of fix points at the kept "fix e0").
        #expect(result.correctionsKept == 3 && counts == [2, 3], "\(counts)")
        let records = try readAll(target)
        #expect(records.map(\.kind) == [.entry, .entry, .amendment, .entry])
        guard case let .amendment(fixOfFix) = records[2].content else { Issue.record("no amendment"); return }
        #expect(fixOfFix.amends == 0 && fixOfFix.text == "fix of fix e0")
        #expect(target.verify().isValid)
    }

    @Test("a check-in correction is kept as the corrected check-in (for its day, its note saying what it was), so check-in data stays a check-in; the default refuses it, naming the option")
    func unmatchedCheckInCorrection() throws {
        let dir = try TemporaryDirectory()
        let day = LocalDate(date: Date().addingTimeInterval(-3 * 86_400))
        let exported = try Self.checkInCorrectionOnly(CheckIn(day: day, timeZoneOffsetSeconds: 3600, mood: 3, craving: 8, use: .sober, note: "rough day"),
                                                      mood: 6, reason: "typed the wrong mood", in: dir)
        let path = dir.file("t.sj")
        let target = try makeJournal(at: path).journal
        let before = try fileBytes(path)
        let error = #expect(throws: JournalError.self) { try JournalImport.importRecords(Data(exported.utf8), format: .ndjson, into: target) }
        #expect(error?.description.contains("--unmatched-corrections keep") == true, "\(String(describing: error))")
        #expect(try fileBytes(path) == before)
        let result = try JournalImport.importRecords(from: .data(Data(exported.utf8)), format: .ndjson, into: target, unmatchedCorrections: .keep)
        #expect(result.correctionsKept == 1)
        let records = try readAll(target, RecordFilter(kinds: [.checkIn]))
        guard records.count == 1, case let .checkIn(kept) = records[0].content else { Issue.record("no check-in"); return }
        #expect(kept.day == day && kept.mood == 6 && kept.craving == 8 && kept.timeZoneOffsetSeconds == 3600)
        let parts = kept.note?.components(separatedBy: "\n\n") ?? []
        #expect(parts.count == 3 && parts[0] == "rough day" && parts[2] == "Reason: typed the wrong mood", "\(kept.note ?? "")")
        #expect(parts.count == 3 && parts[1].contains("record 0 of the export") && parts[1].hasPrefix("corrected check-in for \(day)"), "\(parts)")
        // Its envelope says check-in and the check-in's day, as any check-in's.
        #expect(try target.record(at: 0).kind == .checkIn)
        #expect(try readAll(target, RecordFilter(kinds: [.entry])).isEmpty, "no check-in values in an entry")
        #expect(target.verify().isValid)
    }

    @Test("a correction that cannot be kept as what it corrects to (a note over 64 KiB once the reason is added) is refused naming its line, by the check and the import alike")
    func keptCorrectionTooLarge() throws {
        let dir = try TemporaryDirectory()
        let exported = try Self.checkInCorrectionOnly(CheckIn(day: LocalDate(date: Date().addingTimeInterval(-86_400)), mood: 3, craving: 8, use: .sober,
                                                              note: String(repeating: "n", count: 64 * 1024)),
                                                      mood: 4, reason: "why", in: dir)
        let path = dir.file("t.sj")
        let target = try makeJournal(at: path).journal
        let before = try fileBytes(path)
        for attempt in [{ try JournalImport.check(.data(Data(exported.utf8)), format: .ndjson, unmatchedCorrections: .keep) },
                        { try JournalImport.importRecords(from: .data(Data(exported.utf8)), format: .ndjson, into: target, unmatchedCorrections: .keep).records }] {
            let error = #expect(throws: JournalError.self) { _ = try attempt() }
            #expect(error?.description.contains("line 1") == true && error?.description.contains("cannot be kept") == true
                    && error?.description.contains("64 KiB") == true, "\(String(describing: error))")
        }
        #expect(try fileBytes(path) == before, "nothing written")
    }

    @Test("two exports one after the other: each amendment corrects the record of its own export")
    func concatenatedExports() throws {
        let dir = try TemporaryDirectory()
        let first = try Self.export(["a0", "a1"], amending: 0, in: dir, name: "a.sj")
        let second = try Self.export(["b0", "b1", "b2"], amending: 0, in: dir, name: "b.sj")
        let target = try makeJournal(at: dir.file("t.sj")).journal
        try JournalImport.importRecords(from: .data(Data((first + second).utf8)), format: .ndjson, into: target, chunkRecords: 2)
        #expect(try Self.corrections(target).map(\.corrected) == ["a0", "b0"])
        // A second export that left its corrected record out is refused, never pointed at the
        // first export's record of the same number.
        let filtered = try Self.export(["c0", "c1"], amending: 0, in: dir, name: "c.sj", filter: RecordFilter(from: Self.start.addingTimeInterval(30)))
        let error = #expect(throws: JournalError.self) { try JournalImport.check(.data(Data((first + filtered).utf8)), format: .ndjson) }
        #expect(error?.description.contains("corrects record 0 of its export") == true, "\(String(describing: error))")
    }

    @Test("another writer appends between chunks: the correction still points at its record, in an earlier chunk (3) or its own (4)",
          arguments: [3, 4])
    func writerBetweenChunks(amended: Int) throws {
        let dir = try TemporaryDirectory()
        let texts = ["zero", "one", "two", "three", "four"]
        let exported = try Self.export(texts, amending: amended, in: dir, name: "source.sj")
        let target = try makeJournal(at: dir.file("target.sj")).journal
        // The progress callback runs between chunks: a write there lands between the import's records.
        try JournalImport.importRecords(from: .data(Data(exported.utf8)), format: .ndjson, into: target, chunkRecords: 2) { _ in
            _ = try? target.append(JournalEntry(text: "meanwhile"))
        }
        let written = try readAll(target).compactMap { record -> String? in if case let .entry(entry) = record.content { entry.text } else { nil } }
        #expect(written.filter { $0 == "meanwhile" }.count >= 2, "the writes did land between the chunks")
        #expect(try Self.corrections(target).map(\.corrected) == [texts[amended]])
    }

    @Test("a commit told which number its first record gets refuses, writing nothing, when another writer took it")
    func expectedFirstIsRequired() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("t.sj")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "a"))
        let inputs = [try PendingRecord(JournalEntry(text: "b")).sealInput()]
        let before = try fileBytes(path)
        let error = #expect(throws: JournalError.self) { try journal.appendSealed(inputs, onOneThread: false, expectedFirst: 0) }
        #expect(error?.description.contains("another writer") == true)
        #expect(try fileBytes(path) == before)
        // Next: with the right number it commits.
        #expect(try journal.appendSealed(inputs, onOneThread: false, expectedFirst: 1).sequences == 1...1)
    }

    @Test("a chunk sealed ahead whose numbers another writer took: sealed again with its own numbers, unless a correction in it points into it")
    func chunkSealedAheadIsRenumbered() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("t.sj")
        let journal = try makeJournal(at: path).journal
        let inputs = try (0..<40).map { try PendingRecord(JournalEntry(text: "chunk \($0)")).sealInput() }
        let cipher = try RecordCipher(masterKey: journal.masterKey, journalID: journal.journalID)
        let sealed = try Journal.sealFrames(inputs, firstSequence: 0, cipher: cipher,
                                            sealers: Journal.sealers(masterKey: journal.masterKey, journalID: journal.journalID))
        // Another writer (a second handle on the file, as another process would be) takes number 0.
        let other = try Journal.open(at: path, passphrase: testPassphrase())
        try other.append(JournalEntry(text: "the other writer"))
        let committer = ChunkCommitter(journal: journal)
        defer { committer.stop() }
        committer.submit(ChunkCommitter.Chunk(records: inputs, readTo: 1, expectedFirst: 0, presealed: sealed, renumberable: false))
        let refused = committer.awaitOutstanding()
        if case let .failure(error)? = refused?.receipt { #expect(Journal.isNumberTaken(error), "\(error)") } else { Issue.record("not refused") }
        #expect(try readAll(other).count == 1, "nothing of the refused chunk was written")
        committer.submit(ChunkCommitter.Chunk(records: inputs, readTo: 2, expectedFirst: 0, presealed: sealed, renumberable: true))
        #expect(try committer.awaitOutstanding()?.receipt.get().sequences == 1...40)
        // What comes next: every record reads back (sealed with the numbers it got) and the journal verifies.
        let reopened = try Journal.open(at: path, passphrase: testPassphrase())
        #expect(try readAll(reopened).count == 41 && reopened.verify().isValid)
    }

    @Test("a check-in correction keeps its corrected values, reason, time and time zone when renumbered")
    func checkInCorrectionSurvives() throws {
        let dir = try TemporaryDirectory()
        let source = try makeJournal(at: dir.file("s.sj")).journal
        let day = LocalDate(date: Date())
        let original = CheckIn(day: day, timeZoneOffsetSeconds: 3600, mood: 3, craving: 8, use: .sober)
        try source.appendCheckIn(original)
        var fixed = original
        fixed.mood = 6
        try source.amendCheckIn(0, with: fixed, reason: "typed the wrong mood")
        var exported = ""
        try OwnerExport.write(source, format: .ndjson, notice: nil) { exported += $0 }
        let target = try makeJournal(at: dir.file("t.sj")).journal
        try target.append(JournalEntry(text: "before"))
        try JournalImport.importRecords(from: .data(Data(exported.utf8)), format: .ndjson, into: target)
        let records = try readAll(target)
        let sourceRecords = try readAll(source)
        guard case let .amendment(amendment)? = records.last?.content, case let .amendment(sourceAmendment)? = sourceRecords.last?.content else {
            Issue.record("no amendment"); return
        }
        #expect(amendment.amends == 1 && amendment.reason == "typed the wrong mood" && amendment.checkIn == sourceAmendment.checkIn)
        #expect(amendment.checkIn?.mood == 6)
        #expect(records.last?.recordedAt == sourceRecords.last?.recordedAt)
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

    @Test("the numbering: runs, gaps, unnumbered records; a number not above the segment's starts a new one and forgets the old")
    func numbering() {
        var numbering = SourceNumbering()
        // Positions:               0  1  2  3    4  5   6   7
        let sources: [UInt64?] = [5, 6, 7, nil, 9, 12, 13, 40]
        for source in sources { numbering.note(source) }
        #expect(numbering.count == 8)
        #expect(numbering.position(of: 5) == 0 && numbering.position(of: 7) == 2 && numbering.position(of: 9) == 4)
        #expect(numbering.position(of: 13) == 6 && numbering.position(of: 40) == 7)
        #expect([4, 8, 10, 11, 14, 39, 41].allSatisfy { numbering.position(of: $0) == nil })
        // A second export: its numbers start again, and only they are found.
        for source: UInt64 in [0, 1, 2] { numbering.note(source) }
        #expect(numbering.position(of: 1) == 9 && numbering.position(of: 5) == nil && numbering.position(of: 7) == nil)
        // The largest numbers.
        var top = SourceNumbering()
        for source in [UInt64.max - 2, .max - 1, .max] { top.note(source) }
        #expect(top.position(of: .max) == 2 && top.position(of: .max - 2) == 0)
        top.note(.max)  // not above: a new segment
        #expect(top.position(of: .max) == 3 && top.position(of: .max - 1) == nil)
    }

    @Test("the numbering stays small and fast: a million-line filtered export, and a million falling numbers")
    func numberingIsBounded() {
        // Every other number (a kind-filtered export): a run per line.
        var filtered = SourceNumbering()
        for line in 0..<1_000_000 { filtered.note(UInt64(line) * 2) }
        #expect(filtered.heldBytes < 6 << 20, "\(filtered.heldBytes) bytes")
        #expect(filtered.position(of: 0) == 0 && filtered.position(of: 1_999_998) == 999_999 && filtered.position(of: 1_234_566) == 617_283)
        #expect(filtered.position(of: 1_234_567) == nil)
        // Falling numbers: each one a new segment, each lookup in the current one only.
        var falling = SourceNumbering()
        for line in 0..<1_000_000 {
            falling.note(UInt64(1_000_000 - line))
            #expect(falling.position(of: 0) == nil)
        }
        #expect(falling.heldBytes < 1 << 10)
    }
}
