import Foundation
import Testing
@testable import SealedJournal

/// Import streams its input and commits it in chunks.
@Suite("Streaming import: any chunking of the input, chunked commits, progress, and clear errors")
struct StreamingImportTests {
    /// Serves `data` in pieces of `size` bytes (to cross every boundary).
    static func pieces(_ data: Data, size: Int) -> ImportInput {
        var offset = 0
        let bytes = [UInt8](data)
        return ImportInput {
            guard offset < bytes.count else { return [] }
            let end = min(bytes.count, offset + size)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    static let jrnl = """
    {"tags": {"@work": 1, "x}]\\"": 2}, "entries": [
      {"title": "Monday {not a brace}", "body": "Long day.\\nStill \\"sober\\" ]}.\\n\\n", "date": "2024-03-04", "time": "21:15", "tags": ["@work"], "starred": true},
      {"title": "", "body": "Short one", "date": "2024-03-05", "time": "07:00", "tags": [], "starred": false, "extra": {"nested": [1, {"a": "}"}]}}
    ], "version": "entries"}
    """

    @Test("jrnl JSON read in pieces of any size gives the same records as the whole document", arguments: [1, 2, 7, 64, 1 << 20])
    func jrnlPieces(size: Int) throws {
        let data = Data(Self.jrnl.utf8)
        let whole = try JournalImport.parse(data, format: .jrnlJSON, timeZone: TimeZone(identifier: "UTC")!)
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j.sj")).journal
        let result = try JournalImport.importRecords(from: Self.pieces(data, size: size), format: .jrnlJSON, into: journal,
                                                     timeZone: TimeZone(identifier: "UTC")!)
        #expect(result.records == whole.count && whole.count == 2)
        let records = try readAll(journal)
        guard case let .entry(monday) = records.first?.content else { Issue.record("not an entry"); return }
        #expect(monday.title == "Monday {not a brace}" && monday.text == "Long day.\nStill \"sober\" ]}.")
        #expect(monday.tags == ["work", "starred"])
        #expect(records.first?.recordedAt == Date(timeIntervalSince1970: 1_709_586_900))
    }

    @Test("malformed jrnl input is refused with what is wrong, before anything is written", arguments: [
        ("[]", "no \"entries\""), ("{\"tags\": {}}", "no \"entries\""), ("{\"entries\": [1]}", "entry 1"),
        ("{\"entries\": [{\"date\": \"2024-03-04\", \"body\": \"a\"}", "cut short"),
        ("{\"entries\": [{\"date\": \"2024-13-04\", \"body\": \"a\"}]}", "entry 1"),
        ("{\"entries\": []} x", "after the end"),
    ])
    func jrnlErrors(input: String, expected: String) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        let before = try fileBytes(path)
        let error = #expect(throws: JournalError.self) { try JournalImport.check(.data(Data(input.utf8)), format: .jrnlJSON) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(throws: JournalError.self) { try JournalImport.importRecords(from: .data(Data(input.utf8)), format: .jrnlJSON, into: journal) }
        #expect(try fileBytes(path) == before)
    }

    @Test("NDJSON in pieces round-trips an export; chunks are committed as they fill and progress is reported")
    func ndjsonChunks() throws {
        let dir = try TemporaryDirectory()
        let source = try makeJournal(at: dir.file("a.sj")).journal
        try source.appendBatch((0..<25).map { PendingRecord(JournalEntry(text: "ünïcode \($0) 🌱"), recordedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double($0) * 60)) })
        var exported = ""
        try OwnerExport.write(source, format: .ndjson, notice: "a notice line") { exported += $0 }
        let target = try makeJournal(at: dir.file("b.sj")).journal
        var reports: [ImportProgress] = []
        let result = try JournalImport.importRecords(from: Self.pieces(Data(exported.utf8), size: 13), format: .ndjson, into: target,
                                                     chunkRecords: 10) { reports.append($0) }
        #expect(reports.map(\.records) == [10, 20, 25])
        #expect(reports.map(\.sequences) == [0...9, 0...19, 0...24])
        #expect(result.records == 25 && result.bytesRead == exported.utf8.count)
        var again = ""
        try OwnerExport.write(target, format: .ndjson, notice: "a notice line") { again += $0 }
        #expect(again == exported, "lossless")
    }

    @Test("invalid NDJSON midway: the chunks before it stay committed and the error names the line; check() finds it first")
    func ndjsonInvalidMidway() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        var lines = (0..<25).map { "{\"data\":{\"text\":\"n\($0)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\",\"sequence\":\($0)}" }
        lines[22] = "{\"data\":{\"text\":\"n\"},\"kind\":\"entry\",\"recordedAt\":\"yesterday\"}"
        let data = Data(lines.joined(separator: "\n").utf8)
        let checked = #expect(throws: JournalError.self) { try JournalImport.check(.data(data), format: .ndjson) }
        #expect(checked?.description.contains("line 23") == true, "\(String(describing: checked))")
        #expect(journal.recordCount == 0, "check writes nothing")
        var reports: [ImportProgress] = []
        let error = #expect(throws: JournalError.self) {
            try JournalImport.importRecords(from: .data(data), format: .ndjson, into: journal, chunkRecords: 10) { reports.append($0) }
        }
        #expect(error?.description.contains("line 23") == true)
        #expect(reports.last?.records == 20 && journal.recordCount == 20, "whole chunks only")
        #expect(Journal.verify(at: path).isValid)
    }

    @Test("an input told to stop fails at its next read: whole chunks before it stay, nothing of the one being read, and the rest imports after")
    func stoppedInput() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        let lines = (0..<3000).map { "{\"data\":{\"text\":\"n\($0)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\"}" }
        let data = Data(lines.joined(separator: "\n").utf8)
        // Pieces of 4 KiB (about 50 lines), and a stop asked for after the fourth read.
        var offset = 0, reads = 0
        let pieces = ImportInput {
            reads += 1
            defer { offset = min(data.count, offset + 4096) }
            return [UInt8](data[offset..<min(data.count, offset + 4096)])
        }
        var reports: [ImportProgress] = []
        #expect(throws: ImportInput.stopped) {
            try JournalImport.importRecords(from: pieces.stopping { reads >= 4 }, format: .ndjson, into: journal, chunkRecords: 60) { reports.append($0) }
        }
        let kept = Int(journal.recordCount)
        #expect(kept > 0 && kept % 60 == 0 && kept < 200, "whole chunks of what the four reads held: \(kept)")
        #expect(reports.last?.records == kept)
        var texts: [String] = []
        try journal.forEachRecord { texts.append(try $0.decode(JournalEntry.self).text) }
        #expect(texts == (0..<kept).map { "n\($0)" })
        // What happens next: the rest of the input imports after them, and the journal verifies.
        let rest = Data(lines[kept...].joined(separator: "\n").utf8)
        try JournalImport.importRecords(from: .data(rest), format: .ndjson, into: journal)
        #expect(journal.recordCount == 3000 && Journal.verify(at: path).isValid)
    }

    @Test("a stop is told apart from invalid input: input read before the stop is checked first, and its error is the one thrown")
    func stopAfterInvalidInput() throws {
        let good = (0..<40).map { "{\"data\":{\"text\":\"n\($0)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\"}" }
        let bad = #"{"data":{"text":"x"},"kind":"entry","recordedAt":"not a time"}"#
        /// One read holding `lines`, then a stop asked for before the next read.
        func once(_ lines: [String]) -> ImportInput {
            var reads = 0
            return ImportInput {
                reads += 1
                return reads == 1 ? Array((lines.joined(separator: "\n") + "\n").utf8) : Array(good[0].utf8)
            }.stopping { reads >= 1 }
        }
        // Invalid input in what was read before the stop: its error, from the check and from the import.
        #expect(throws: JournalError.invalidField(field: "line 41", reason: "has no valid \"recordedAt\" (ISO 8601)")) {
            try JournalImport.check(once(good + [bad]), format: .ndjson)
        }
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        #expect(throws: JournalError.invalidField(field: "line 41", reason: "has no valid \"recordedAt\" (ISO 8601)")) {
            try JournalImport.importRecords(from: once(good + [bad]), format: .ndjson, into: journal, chunkRecords: 10)
        }
        #expect(journal.recordCount == 40, "the chunks before the bad line stay")
        // Valid input read before the stop: the stop.
        #expect(throws: ImportInput.stopped) { try JournalImport.check(once(good), format: .ndjson) }
        // An input of your own: CancellationError is a stop too, anything else "could not be read".
        #expect(throws: ImportInput.stopped) { try JournalImport.check(ImportInput { throw CancellationError() }, format: .ndjson) }
        #expect(throws: JournalError.invalidField(field: "input", reason: "could not be read")) {
            try JournalImport.check(ImportInput { throw CocoaError(.fileReadUnknown) }, format: .ndjson)
        }
        // A JournalError of the embedder's own input (a source journal's) is the input's failure, not the target's.
        #expect(throws: JournalError.invalidField(field: "input", reason: "could not be read")) {
            try JournalImport.importRecords(from: ImportInput { throw JournalError.wrongPassphrase }, format: .ndjson, into: journal)
        }
        // What happens next: the journal verifies and takes the rest.
        try JournalImport.importRecords(from: .data(Data(good.joined(separator: "\n").utf8)), format: .ndjson, into: journal)
        #expect(journal.recordCount == 80 && Journal.verify(at: path).isValid)
    }

    /// 700 mixed NDJSON lines (entries, check-ins, an app-defined kind, a notice line first):
    /// three batches of ImportItems, each parsed in two halves.
    static func mixedExport() throws -> String {
        let dir = try TemporaryDirectory()
        let source = try makeJournal(at: dir.file("a.sj")).journal
        try source.appendBatch((0..<700).map { index -> PendingRecord in
            let time = Date(timeIntervalSince1970: 1_700_000_000 + Double(index) * 3600)
            switch index % 3 {
            case 0: return PendingRecord(JournalEntry(text: "entry \(index) " + String(repeating: "ü", count: index % 50), title: index % 2 == 0 ? "t\(index)" : nil, tags: ["a"]), recordedAt: time)
            case 1: return PendingRecord(CheckIn(day: LocalDate(date: time, timeZone: TimeZone(identifier: "UTC")!), mood: 1 + index % 10, craving: 3, use: .sober), recordedAt: time)
            default: return PendingRecord(rawKind: "myapp.note", payload: Array("{\"n\":\(index)}".utf8), recordedAt: time)
            }
        })
        var exported = ""
        try OwnerExport.write(source, format: .ndjson, notice: "notice") { exported += $0 }
        return exported
    }

    @Test("batches parsed in two halves give the records of a parse in order, and the first invalid line wins wherever it falls",
          arguments: [[0], [5], [130], [200], [300, 20], [420, 450], [699], [255, 256, 600]])
    func twoHalves(invalid: [Int]) throws {
        let exported = try Self.mixedExport()
        var lines = exported.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let whole = try JournalImport.parse(Data(exported.utf8), format: .ndjson)
        // Every record, parsed in batches and halves, equals the one parsed line by line.
        let dir = try TemporaryDirectory()
        let target = try makeJournal(at: dir.file("t.sj")).journal
        let result = try JournalImport.importRecords(from: .data(Data(exported.utf8)), format: .ndjson, into: target)
        #expect(result.records == 700 && whole.count == 700)
        let imported = try readAll(target)
        #expect(imported.map(\.payload) == (try whole.map { try $0.sealInput().plaintext.payload }))
        #expect(imported.map(\.recordedAt) == whole.map(\.recordedAt) && imported.map(\.kind.rawValue) == whole.map(\.kind))
        // Invalid lines (line 1 is the notice, so record i is on line i + 2).
        for index in invalid { lines[index + 1] = "{\"data\":{\"text\":\"n\"},\"kind\":\"entry\",\"recordedAt\":\"not a time\"}" }
        let first = invalid.min()!
        let data = Data(lines.joined(separator: "\n").utf8)
        for input in [ImportInput.data(data), Self.pieces(data, size: 4096)] {
            let checked = #expect(throws: JournalError.self) { try JournalImport.check(input, format: .ndjson) }
            #expect(checked?.description.contains("line \(first + 2):") == true, "\(String(describing: checked?.description))")
        }
        let path = dir.file("u.sj")
        let journal = try makeJournal(at: path).journal
        let error = #expect(throws: JournalError.self) {
            try JournalImport.importRecords(from: Self.pieces(data, size: 4096), format: .ndjson, into: journal, chunkRecords: 50)
        }
        #expect(error?.description.contains("line \(first + 2):") == true, "\(String(describing: error))")
        #expect(journal.recordCount == UInt64(first / 50 * 50), "whole chunks before the first invalid line, nothing after")
        #expect(try readAll(journal).map(\.payload) == Array(imported.prefix(first / 50 * 50)).map(\.payload))
        // What next: the rest (from the chunk that failed, without the invalid lines) imports, and the journal verifies.
        let rest = lines[(first / 50 * 50 + 1)...].enumerated().filter { !invalid.contains($0.offset + first / 50 * 50) }.map(\.element)
        #expect(try JournalImport.importRecords(from: .data(Data(rest.joined(separator: "\n").utf8)), format: .ndjson, into: journal).records == 700 - first / 50 * 50 - invalid.count)
        #expect(Journal.verify(at: path).isValid)
    }

    @Test("a jrnl document cut short after many entries: check() refuses it; an import keeps the whole chunks read before the cut")
    func jrnlCutAfterBatches() throws {
        let entries = (0..<600).map { "{\"title\": \"t\($0)\", \"body\": \"body \($0)\", \"date\": \"2024-03-04\", \"time\": \"21:15\", \"tags\": [], \"starred\": false}" }
        let whole = "{\"tags\": {}, \"entries\": [" + entries.joined(separator: ", ") + "]}"
        let cut = Data(whole.dropLast(2).utf8)
        let checked = #expect(throws: JournalError.self) { try JournalImport.check(.data(cut), format: .jrnlJSON) }
        #expect(checked?.description.contains("cut short") == true, "\(String(describing: checked))")
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j.sj")).journal
        let error = #expect(throws: JournalError.self) {
            try JournalImport.importRecords(from: Self.pieces(cut, size: 1000), format: .jrnlJSON, into: journal, chunkRecords: 70)
        }
        #expect(error?.description.contains("cut short") == true)
        #expect(journal.recordCount == 560, "eight whole chunks of 70; the last 40 entries were never committed")
        #expect(try JournalImport.importRecords(from: .data(Data(whole.utf8)), format: .jrnlJSON, into: journal).records == 600)
    }

    @Test("a file handle is read in chunks from where it stands; one without a descriptor (the null device) reads as empty")
    func fileHandles() throws {
        #expect(try JournalImport.check(.fileHandle(.nullDevice), format: .ndjson) == 0)
        let dir = try TemporaryDirectory()
        let exported = try Self.mixedExport()
        try Data(exported.utf8).write(to: URL(fileURLWithPath: dir.file("in.ndjson")))
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: dir.file("in.ndjson")))
        defer { try? handle.close() }
        #expect(try JournalImport.check(.fileHandle(handle), format: .ndjson) == 700)
        // What next: the same handle, rewound, imports every record.
        try handle.seek(toOffset: 0)
        let journal = try makeJournal(at: dir.file("j.sj")).journal
        #expect(try JournalImport.importRecords(from: .fileHandle(handle), format: .ndjson, into: journal).records == 700)
    }

    @Test("a record that parses but an append refuses (a 17 MiB payload): check() finds it; the import stops there with whole chunks; the next import works")
    func appendRefusalIsFoundByCheck() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sj")
        let journal = try makeJournal(at: path).journal
        var lines = (0..<6).map { "{\"data\":{\"text\":\"n\($0)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\",\"sequence\":\($0)}" }
        lines[3] = "{\"data\":{\"blob\":\"" + String(repeating: "z", count: 17 << 20) + "\"},\"kind\":\"myapp.blob\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\"}"
        let data = Data(lines.joined(separator: "\n").utf8)
        let checked = #expect(throws: JournalError.self) { try JournalImport.check(.data(data), format: .ndjson) }
        guard case .recordTooLarge? = checked else { Issue.record("\(String(describing: checked))"); return }
        #expect(journal.recordCount == 0, "check writes nothing")
        let error = #expect(throws: JournalError.self) {
            try JournalImport.importRecords(from: .data(data), format: .ndjson, into: journal, chunkRecords: 2)
        }
        guard case .recordTooLarge? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(journal.recordCount == 2, "the chunk before stays; nothing of the refused record's chunk is written")
        // What next: the rest imports, and the journal verifies.
        let rest = Data(lines[4...].joined(separator: "\n").utf8)
        #expect(try JournalImport.importRecords(from: .data(rest), format: .ndjson, into: journal).records == 2)
        #expect(journal.recordCount == 4 && Journal.verify(at: path).isValid)
    }

    @Test("a chunk committed on the import's second thread is reported before the next read of a slow input")
    func progressIsPrompt() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j.sj")).journal
        let lines = (0..<25).map { "{\"data\":{\"text\":\"n\($0)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\",\"sequence\":\($0)}\n" }
        var reads = 0
        var reports: [Int] = []
        var seenAtRead14: [Int]?
        let input = ImportInput {
            reads += 1
            if reads == 12 { usleep(300_000) }  // a slow input: chunk 1 (lines 1-10) commits meanwhile
            if reads == 14 { seenAtRead14 = reports }
            return reads <= lines.count ? Array(lines[reads - 1].utf8) : []
        }
        let result = try JournalImport.importRecords(from: input, format: .ndjson, into: journal, chunkRecords: 10) { reports.append($0.records) }
        #expect(seenAtRead14 == [10], "chunk 1 is reported by the time the input is read again")
        #expect(reports == [10, 20, 25] && result.records == 25)
    }

    @Test("trimming newlines matches Foundation's CharacterSet.newlines exactly")
    func trimming() {
        for text in ["", "\n", "a", "\n\r\na b\n", "\u{2028}x\u{85}\u{2029}", "\u{0B}\u{0C}mid\nline\u{0D}", " \nspace\n ", "é\n", "\n🌱"] {
            #expect(JournalImport.trimmingNewlines(text) == text.trimmingCharacters(in: .newlines), "\(Array(text.unicodeScalars))")
        }
    }

    @Test("an input's prefix hands on exactly its first bytes, across chunk boundaries, and then ends", arguments: [0, 1, 1 << 20, (1 << 20) + 7, 3 << 20, 5 << 20])
    func prefix(maximum: Int) throws {
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let input = ImportInput.data(Data(bytes)).prefix(maximum)
        var read: [UInt8] = []
        while true {
            let chunk = try input.read()
            if chunk.isEmpty { break }
            read += chunk
        }
        #expect(read == Array(bytes.prefix(maximum)))
        #expect(try input.read().isEmpty, "and stays ended")
    }
}
