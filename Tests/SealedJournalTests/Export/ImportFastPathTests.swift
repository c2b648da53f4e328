import Foundation
import Testing
@testable import SealedJournal

/// The hand-written import reader may only ever give the record Foundation's path gives: same
/// inputs, valid and malformed, through both.
@Suite("Import fast path: never accepts what Foundation's path refuses, and builds the same records")
struct ImportFastPathTests {
    /// What a pending record would write (kind, time, offset, envelope day, payload bytes), and
    /// its number in the export (which an amendment of it names).
    static func summary(_ record: PendingRecord) -> String {
        let payload = (try? record.encode()).map { String(decoding: $0, as: UTF8.self) } ?? "<unencodable>"
        return "\(record.kind)|\(record.recordedAt.timeIntervalSince1970.bitPattern)|\(record.timeZoneOffsetSeconds)|\(String(describing: record.envelopeDay))|\(payload)"
            + "|#\(String(describing: record.sourceSequence))"
    }

    /// Foundation's answer for one NDJSON line: the record, or the error's description.
    static func foundationLine(_ bytes: [UInt8]) -> String {
        do { return try JournalImport.ndjsonRecordFoundation(bytes[...], lineNumber: 2).map(summary) ?? "<none>" } catch { return "error: \(error)" }
    }

    /// The invariant: whenever the fast path answers, Foundation's path gives the same record.
    static func checkLine(_ bytes: [UInt8]) -> (fast: Bool, agrees: Bool) {
        guard let fast = bytes.withUnsafeBytes({ ImportFastPath.ndjsonEntry($0) }) else { return (false, true) }
        return (true, foundationLine(bytes) == summary(fast))
    }

    static let entryLine = #"{"data":{"tags":["bench","ünï"],"text":"a \"quoted\" line\nnext\ttab \\ back / slash ✓","title":"Day 1"},"kind":"entry","recordedAt":"2023-11-14T22:13:20.123Z","sequence":0}"#

    static let ndjsonLines: [String] = [
        entryLine,
        #"{"data":{"text":"plain"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"  {"kind":"entry", "recordedAt":"2000-02-29T00:00:00.5Z" , "data":{"tags":[],"text":"spaced","title":"t"}}  "#,
        #"{"data":{"text":"x\/y \b \f \r"},"kind":"entry","recordedAt":"1600-01-01T00:00:00.000Z","sequence":7}"#,
        #"{"data":{"text":"frac"},"kind":"entry","recordedAt":"2023-11-14T22:13:20.1234567Z","sequence":12}"#,
        // Each of these must fall back (and Foundation decides):
        #"{"data":{"text":"dup"},"data":{"text":"dup2"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a","text":"b"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a","extra":1},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a","title":null},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"\u00e9"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-02-30T22:13:20Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T24:00:00Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"1500-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20+01:00"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14 22:13:20Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20.Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:60Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z","sequence":1.5}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z","sequence":01}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z","sequence":-0}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z","sequence":-3}"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"} x"#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z""#,
        #"{"data":{"text":"a"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z",}"#,
        #"{"data":{"text":"a",},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a"},"kind":"checkIn","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a"},"kind":"entry"}"#,
        #"{"data":{"title":"no text"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a","tags":[" "]},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a","tags":["x",1]},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":"a","title":"\#(String(repeating: "t", count: 1025))"},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":{"text":1},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"data":[],"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#,
        #"{"notice":"read me"}"#, #"[]"#, #"null"#, #""#, #"{}"#,
        "{\"data\":{\"text\":\"ctl \u{01}\"},\"kind\":\"entry\",\"recordedAt\":\"2023-11-14T22:13:20Z\"}",
        "{\"data\":{\"text\":\"del \u{7F}\"},\"kind\":\"entry\",\"recordedAt\":\"2023-11-14T22:13:20Z\"}",
        "{\"data\":{\"text\":\"sep \u{2028}\"},\"kind\":\"entry\",\"recordedAt\":\"2023-11-14T22:13:20Z\"}",
    ]

    @Test("each sample line: the fast path answers only with Foundation's own record", arguments: ndjsonLines)
    func ndjsonSamples(line: String) {
        let result = Self.checkLine(Array(line.utf8))
        #expect(result.agrees, "fast path disagrees with Foundation on \(line.prefix(120))")
    }

    @Test("the valid export lines take the fast path; the odd ones do not")
    func ndjsonCoverage() {
        let fast = Self.ndjsonLines.map { Self.checkLine(Array($0.utf8)).fast }
        #expect(fast.prefix(5).allSatisfy { $0 }, "lines as our exports write them are read by hand")
        #expect(!fast.dropFirst(5).dropLast().contains(true), "everything else is left to Foundation")
        #expect(fast.last == true, "a raw U+2028 is valid JSON text: read by hand, and the same record (see ndjsonSamples)")
    }

    @Test("invalid UTF-8 inside a string is left to Foundation, which refuses it")
    func invalidUTF8() {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]] {
            let line = Array(#"{"data":{"text":""#.utf8) + bad + Array(#""},"kind":"entry","recordedAt":"2023-11-14T22:13:20Z"}"#.utf8)
            #expect(line.withUnsafeBytes { ImportFastPath.ndjsonEntry($0) } == nil)
            #expect(Self.foundationLine(line).hasPrefix("error"))
        }
    }

    /// `bytes` with one to three random edits (replace, remove, insert a byte of `alphabet`).
    static func mutated(_ bytes: [UInt8], alphabet: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: bytes[at] = alphabet.randomElement(using: &generator) ?? 0
            case 1: bytes.remove(at: at)
            default: bytes.insert(alphabet.randomElement(using: &generator) ?? 0, at: at)
            }
            if bytes.isEmpty { bytes = [0x7B] }
        }
        return bytes
    }

    @Test("thousands of mutated lines (seeded): the fast path never answers differently from Foundation")
    func ndjsonMutations() {
        var generator = SeededGenerator(seed: 0x5EA1_ED10)
        let alphabet = Array(#"{}[]:,"\ ntrbfu/0123456789.-+eEZT aé✓"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xFF]
        var fastCount = 0
        for _ in 0..<3000 {
            let bytes = Self.mutated(Array(Self.ndjsonLines[Int.random(in: 0..<5, using: &generator)].utf8), alphabet: alphabet, using: &generator)
            let result = Self.checkLine(bytes)
            if result.fast { fastCount += 1 }
            #expect(result.agrees, "disagreement on \(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(fastCount > 100, "the mutations exercise the fast path too")
    }

    // MARK: jrnl

    static func foundationEntry(_ bytes: [UInt8]) -> String {
        guard let entry = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return "error: not an object" }
        return jrnl(entry)
    }

    static func jrnl(_ entry: [String: Any]) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        do { return summary(try JournalImport.jrnlRecord(entry, entryNumber: 1, calendar: calendar)) } catch { return "error: \(error)" }
    }

    /// The fast path's fields, through the same record builder.
    static func jrnl(_ fields: JrnlFields) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        do { return summary(try JournalImport.jrnlRecord(fields, entryNumber: 1, calendar: calendar)) } catch { return "error: \(error)" }
    }

    static func checkEntry(_ bytes: [UInt8]) -> (fast: Bool, agrees: Bool) {
        guard let fast = bytes.withUnsafeBytes({ ImportFastPath.jrnlEntry($0) }) else { return (false, true) }
        return (true, foundationEntry(bytes) == jrnl(fast))
    }

    static let jrnlEntries: [String] = [
        #"{"title": "Day 1", "body": "Long day.\nStill \"sober\" ]}.\n\n", "date": "2024-03-04", "time": "21:15", "tags": ["@work"], "starred": true}"#,
        #"{"title": "", "body": "Short", "date": "2024-03-05", "time": "07:00", "tags": [], "starred": false}"#,
        #"{"body": "no title", "date": "2024-03-05"}"#,
        #"{"title": "bad day", "body": "x", "date": "2024-02-30", "time": "07:00", "tags": [], "starred": false}"#,
        #"{"title": "bad time", "body": "x", "date": "2024-03-05", "time": "25:00", "tags": [], "starred": false}"#,
        #"{"title": "blank tag", "body": "x", "date": "2024-03-05", "time": "07:00", "tags": ["@ "], "starred": false}"#,
        // Must fall back:
        #"{"title": 5, "body": "x", "date": "2024-03-05"}"#,
        #"{"title": "t", "body": "x", "date": "2024-03-05", "starred": 1}"#,
        #"{"title": "t", "body": "x", "date": "2024-03-05", "tags": ["a", 2]}"#,
        #"{"title": "t", "title": "u", "body": "x", "date": "2024-03-05"}"#,
        #"{"title": "t", "body": "\u00e9", "date": "2024-03-05"}"#,
        #"{"title": "t", "body": "x", "date": "2024-03-05", "extra": {"a": [1]}}"#,
        #"{"title": "t", "body": null, "date": "2024-03-05"}"#,
        #"{"title": "t", "body": "x", "date": "2024-03-05",}"#,
        #"{"title": "t" "body": "x"}"#,
    ]

    @Test("each jrnl entry: the fast path answers only with what Foundation's dictionary gives", arguments: jrnlEntries)
    func jrnlSamples(entry: String) {
        #expect(Self.checkEntry(Array(entry.utf8)).agrees, "fast path disagrees on \(entry)")
    }

    @Test("jrnl entries as jrnl writes them take the fast path; the odd ones do not")
    func jrnlCoverage() {
        let fast = Self.jrnlEntries.map { Self.checkEntry(Array($0.utf8)).fast }
        #expect(fast.prefix(6).allSatisfy { $0 })
        #expect(!fast.dropFirst(6).contains(true))
    }

    @Test("thousands of mutated jrnl entries (seeded): never a different answer from Foundation")
    func jrnlMutations() {
        var generator = SeededGenerator(seed: 0x0A11_CE55)
        let alphabet = Array(#"{}[]:,"\ ntrbfu/0123456789.-+eE@ aé"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        var fastCount = 0
        for _ in 0..<3000 {
            let bytes = Self.mutated(Array(Self.jrnlEntries[Int.random(in: 0..<3, using: &generator)].utf8), alphabet: alphabet, using: &generator)
            let result = Self.checkEntry(bytes)
            if result.fast { fastCount += 1 }
            #expect(result.agrees, "disagreement on \(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(fastCount > 100)
    }

    @Test("an invalid check-in line names the field that is wrong (missing, wrong type, not valid) and never a value")
    func invalidCheckInNamesTheField() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        try journal.append(CheckIn(day: try LocalDate("2021-02-27"), timeZoneOffsetSeconds: 0, mood: 7, craving: 2, use: .sober, meetingKinds: [.aa]))
        var line = ""
        try OwnerExport.write(journal, format: .ndjson) { line += $0 }
        line = line.trimmingCharacters(in: .newlines)
        #expect(try JournalImport.check(.data(Data(line.utf8)), format: .ndjson) == 1)
        // The optional fields may be left out (they take their defaults).
        #expect(try JournalImport.check(.data(Data(line.replacingOccurrences(of: #""meetingKinds":["aa"],"#, with: "").utf8)), format: .ndjson) == 1)
        let cases: [(from: String, to: String, says: String)] = [
            (#""timeZoneOffsetSeconds":0,"#, "", #"its data is not a valid checkIn: "timeZoneOffsetSeconds" is missing"#),
            (#""mood":7"#, #""mood":"seven-secret""#, #"its data is not a valid checkIn: "mood" has the wrong type"#),
            (#""meetingKinds":["aa"]"#, #""meetingKinds":["aa",5]"#, #"its data is not a valid checkIn: "meetingKinds", item 2 has the wrong type"#),
            (#""day":"2021-02-27""#, #""day":"2021-02-30""#, #"its data is not a valid checkIn: "day" is not valid"#),
        ]
        for (from, to, says) in cases {
            try #require(line.contains(from), "\(line)")
            let changed = line.replacingOccurrences(of: from, with: to)
            let error = #expect(throws: JournalError.self) { try JournalImport.check(.data(Data(changed.utf8)), format: .ndjson) }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains("line 1") && text.contains(says), "\(text)")
            #expect(!text.contains("seven-secret") && !text.contains("2021-02-30"), "no value from the input: \(text)")
        }
    }

    @Test("impossible dates and times are refused by every reader, never rolled over into the next day or month")
    func impossibleTimesAreRefused() throws {
        let impossible = ["2021-02-30T10:00:00.000Z", "2021-02-29T10:00:00Z", "2021-04-31T10:00:00Z", "2021-02-28T24:00:00Z",
                          "2021-02-28T25:61:00Z", "2021-02-28T10:60:00Z", "2021-02-28T10:00:60Z", "2021-00-10T10:00:00Z",
                          "2021-13-10T10:00:00Z", "2021-02-00T10:00:00+01:00", "1900-02-29T00:00:00Z"]
        for time in impossible {
            #expect(JournalImport.parseTimestamp(time) == nil, "\(time)")
            #expect(ImportFastPath.exportTimestamp(time) == nil, "\(time)")
            #expect(CivilTime.parseISO8601(time) == nil, "\(time)")
            // A whole import: the line is named, and the check writes nothing.
            let input = #"{"data":{"text":"fine"},"kind":"entry","recordedAt":"2021-02-28T10:00:00Z"}"# + "\n"
                + #"{"data":{"text":"bad"},"kind":"entry","recordedAt":"\#(time)"}"# + "\n"
            let error = #expect(throws: JournalError.self) { try JournalImport.check(.data(Data(input.utf8)), format: .ndjson) }
            #expect(error.map { "\($0)".contains("line 2") } == true, "\(time): \(String(describing: error))")
        }
        // The real ones next to them still read, leap days included.
        for time in ["2024-02-29T23:59:59.999Z", "2000-02-29T00:00:00Z", "2021-02-28T10:00:00+01:00", "2021-12-31T23:59:59Z"] {
            #expect(JournalImport.parseTimestamp(time) != nil && CivilTime.parseISO8601(time) != nil, "\(time)")
        }
    }

    @Test("export timestamps read by hand give exactly the Date parseTimestamp gives", arguments: [
        "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.123Z", "2023-11-14T22:13:20.1Z", "2023-11-14T22:13:20.999999Z",
        "1600-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z", "2000-02-29T12:00:00.5Z",
    ])
    func timestamps(text: String) {
        let fast = ImportFastPath.exportTimestamp(text)
        #expect(fast != nil)
        #expect(fast?.timeIntervalSince1970.bitPattern == JournalImport.parseTimestamp(text)?.timeIntervalSince1970.bitPattern)
    }

    @Test("a whole export streamed back: same records with or without the fast path")
    func wholeExport() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j.sj")).journal
        try journal.append(JournalEntry(text: "first \"one\"\nline two", title: "T", tags: ["a", "b"]), at: Date(timeIntervalSince1970: 1_700_000_000.25))
        try journal.append(JournalEntry(text: "ctl \u{1B}[31m"), at: Date(timeIntervalSince1970: 1_700_000_100))
        try journal.append(CheckIn(day: try LocalDate("2026-01-02"), timeZoneOffsetSeconds: 0, mood: 5, craving: 1, use: .sober))
        var text = ""
        try OwnerExport.write(journal, format: .ndjson) { text += $0 }
        let lines = text.split(separator: "\n").map { Array($0.utf8) }
        #expect(lines.count == 3)
        for line in lines {
            let viaFast = try JournalImport.ndjsonRecord(line[...], lineNumber: 2).map(Self.summary)
            let viaFoundation = try JournalImport.ndjsonRecordFoundation(line[...], lineNumber: 2).map(Self.summary)
            #expect(viaFast == viaFoundation)
        }
        #expect(Self.checkLine(lines[0]).fast && !Self.checkLine(lines[1]).fast, "the \\u001b escape is left to Foundation")
    }
}

/// A deterministic generator (SplitMix64) so randomised tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
