import Foundation
import Testing
@testable import SealedJournal

/// The hand-written pieces on the read, append and export hot paths give exactly what the
/// Foundation / standard-library code they replace gives.
@Suite("Hot paths: UTF-8 check, canonical JSON writer, blank check and in-place record opening agree with what they replace")
struct HotPathEquivalenceTests {
    @Test("UTF8Validation agrees with String(validating:) on edge cases and thousands of seeded random inputs")
    func utf8() {
        let edges: [[UInt8]] = [
            [], Array("plain ascii, longer than eight bytes".utf8), Array("ünï ✓ 🌱".utf8),
            [0xC2, 0x80], [0xC1, 0xBF], [0xC0, 0x80], [0xE0, 0x9F, 0x80], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
            [0xEF, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xE2, 0x82], [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xE2, 0x82, 0xAC],
            Array(repeating: 0x61, count: 15) + [0xC3],
        ]
        for bytes in edges {
            #expect(bytes.withUnsafeBytes { UTF8Validation.isValid($0) } == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
        var generator = SeededGenerator(seed: 0x0017_F8)
        let pieces: [[UInt8]] = [[0x61], [0x7F], [0x80], [0xBF], [0xC2], [0xDF], [0xE0], [0xED], [0xEF], [0xF0], [0xF4], [0xF5], [0xA0], [0x90], [0x8F],
                                 Array("abcdefgh".utf8), Array("é".utf8), Array("✓".utf8), Array("🌱".utf8)]
        for _ in 0..<5000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) { bytes += pieces.randomElement(using: &generator) ?? [] }
            #expect(bytes.withUnsafeBytes { UTF8Validation.isValid($0) } == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    static let strings: [String] = [
        "", "plain", "a \"quoted\" word", "back\\slash", "/slash/", "line\nbreak", "cr\rlf\r\n", "tab\there", "ünïcödé ✓ 🌱",
        "ctl \u{01}", "esc \u{1B}[31m", "bell \u{07}", "del \u{7F}", "sep \u{2028}", "para \u{2029}", "nel \u{85}", "nbsp \u{A0}",
        "\u{0}", "\u{8}\u{C}", String(repeating: "a", count: 1013), "emoji 👩‍👩‍👧 and e\u{301}",
    ]

    @Test("CanonicalJSONWriter writes exactly JSONEncoder's bytes, or leaves the string to it", arguments: strings)
    func jsonString(text: String) throws {
        let foundation = try String(decoding: RecordCoding.encoder.encode(text), as: UTF8.self)
        if let fast = CanonicalJSONWriter.string(text) { #expect(fast == foundation) }
    }

    @Test("CanonicalJSONWriter covers the ordinary strings and leaves the odd ones")
    func jsonStringCoverage() {
        let covered = Self.strings.map { CanonicalJSONWriter.string($0) != nil }
        // Ordinary text, NEL and NBSP (written as themselves by both) are covered; controls, DEL, U+2028/9 are not.
        #expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 19, 20].allSatisfy { covered[$0] })
        #expect(![9, 10, 11, 12, 13, 14, 17, 18].contains { covered[$0] })
    }

    @Test("an entry's payload written by hand is JSONEncoder's, for every combination of fields and strings")
    func entries() throws {
        for text in Self.strings {
            for title in [nil, "", "Day \"1\"", "sep \u{2028}"] as [String?] {
                for tags in [[], ["one"], ["a", "ü \\ b"], ["ctl \u{01}"]] as [[String]] {
                    let entry = JournalEntry(text: text, title: title, tags: tags)
                    let foundation = try [UInt8](RecordCoding.encoder.encode(entry))
                    if let fast = CanonicalJSONWriter.entry(entry) { #expect(fast == foundation, "\(entry)") }
                    #expect(try RecordCoding.encode(entry) == foundation, "the append path writes Foundation's bytes")
                }
            }
        }
    }

    @Test("TextChecks.isBlank is trimmingCharacters(in: .whitespacesAndNewlines).isEmpty", arguments: [
        "", " ", "\t\n\r\u{0B}\u{0C}", "\u{85}", "\u{A0}", "\u{2003}\u{3000}", "\u{2028}", "a", " a ", "\u{A0}x", "\u{200B}", "é", "\u{FEFF}",
    ])
    func blank(text: String) {
        #expect(TextChecks.isBlank(text) == text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test("the byte-level check before terminal escaping agrees with the scalar-by-scalar one on every sample and seeded mixes")
    func terminalEscapingCheck() {
        var samples = Self.strings + ["\u{9B}[2J", "\u{80}", "\u{9F}", "\u{A0}", "x\u{202A}y", "\u{202E}", "\u{202F}", "\u{2066}", "\u{2069}", "\u{206A}", "\u{2029}"]
        var generator = SeededGenerator(seed: 0x7E57)
        let parts = ["a", "bcdefghij", "\n", "\t", "\u{1B}", "\u{7F}", "\u{85}", "\u{9B}", "é", "\u{202D}", "\u{2067}", "✓", "🌱", "\"", "\\"]
        for _ in 0..<2000 { samples.append((0..<Int.random(in: 0...10, using: &generator)).map { _ in parts.randomElement(using: &generator) ?? "" }.joined()) }
        for text in samples {
            for keeping in [false, true] {
                #expect(TerminalText.needsAnyEscaping(text, keepingLineBreaks: keeping) == TerminalText.containsControls(text, keepingLineBreaks: keeping),
                        "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            }
        }
    }

    @Test("entries read by hand on the read path equal JSONDecoder's (or are left to it)")
    func entryPayloads() throws {
        var payloads: [[UInt8]] = try Self.strings.map { try RecordCoding.encode(JournalEntry(text: $0, title: $0.isEmpty ? nil : "t", tags: ["x"])) }
        payloads += [#"{"text":"a","title":null}"#, #"{"text":"a","extra":1}"#, #"{"text":"a","text":"b"}"#, #"{ "tags" : [ "a" ] , "text" : "b" }"#,
                     #"{"text":"a","tags":[" "]}"#, #"{"title":"no text"}"#, #"{"text":"é"}"#].map { Array($0.utf8) }
        var handled = 0
        for payload in payloads {
            let foundation = try? RecordCoding.decoder.decode(JournalEntry.self, from: Data(payload))
            let valid = foundation.map { (try? $0.validate()) != nil } ?? false
            if let fast = EntryPayloadReader.entry(payload) {
                handled += 1
                #expect(valid && fast == foundation, "\(String(decoding: payload, as: UTF8.self))")
            }
        }
        #expect(handled >= 12, "the payloads the library writes are read by hand")
    }

    @Test("the padding marker found from the end agrees with sodium_unpad on every marker position and on damaged padding")
    func unpadding() throws {
        var generator = SeededGenerator(seed: 0x80_0000)
        for window in [16, 32, 256, 512] {
            for total in [window, window * 2, window + 256] where total % window == 0 {
                for trial in 0..<(total * 3) {
                    var bytes = (0..<total).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    let marker = trial % total
                    switch trial / total {
                    case 0:  // well formed: marker, then zeros
                        bytes[marker] = 0x80
                        for index in (marker + 1)..<total { bytes[index] = 0 }
                    case 1:  // zeros with one stray non-zero byte after the marker
                        bytes[marker] = 0x80
                        for index in (marker + 1)..<total { bytes[index] = 0 }
                        if marker + 1 < total { bytes[Int.random(in: (marker + 1)..<total, using: &generator)] = UInt8.random(in: 1...255, using: &generator) }
                    default:  // all zeros from a position on, and no marker there
                        for index in marker..<total { bytes[index] = 0 }
                        if marker > 0 && bytes[marker - 1] == 0x80 { bytes[marker - 1] = 0x81 }
                    }
                    let ours = bytes.withUnsafeBytes { raw in try? RecordPlaintext.markerOffset(raw, searchingLast: window) }
                    let sodium = bytes.withUnsafeBytes { raw in
                        (try? Padding.unpaddedLength(UnsafeRawBufferPointer(rebasing: raw[(total - window)...]), blockSize: window)).map { $0 + total - window }
                    }
                    #expect(ours == sodium, "window \(window), total \(total), trial \(trial)")
                }
            }
        }
    }

    @Test("timestamps written digit by digit equal Foundation's ISO 8601 (1970-2199) and the component formula everywhere, offsets too")
    func timestamps() {
        var generator = SeededGenerator(seed: 0x150_8601)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var samples: [Int64] = [CivilTime.earliestMilliseconds, CivilTime.latestMilliseconds, 0, -1, 999, 1000, 951_782_400_000]
        for _ in 0..<4000 { samples.append(Int64.random(in: CivilTime.earliestMilliseconds...CivilTime.latestMilliseconds, using: &generator)) }
        for _ in 0..<4000 { samples.append(Int64.random(in: 0..<7_258_118_400_000, using: &generator)) }
        for milliseconds in samples {
            let text = CivilTime.iso8601(milliseconds: milliseconds)
            var bytes: [UInt8] = [0x41]
            CivilTime.appendISO8601(milliseconds: milliseconds, to: &bytes)
            #expect(bytes == [0x41] + Array(text.utf8))
            let (days, ofDay) = CivilTime.split(milliseconds: milliseconds)
            let (year, month, day) = CivilTime.date(days: days)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, month, day,
                                  Int(ofDay / 3_600_000), Int(ofDay / 60_000 % 60), Int(ofDay / 1000 % 60), Int(ofDay % 1000))
            #expect(text == expected)
            if (0..<7_258_118_400_000).contains(milliseconds) {
                // Foundation on the whole second (its fractions come from a binary Double), our milliseconds after.
                let whole = milliseconds / 1000 * 1000
                let foundation = Date(timeIntervalSince1970: Double(whole / 1000)).formatted(style)
                #expect(text.prefix(19) == foundation.prefix(19) && text.dropFirst(19) == String(format: ".%03dZ", Int(milliseconds - whole)), "\(milliseconds)")
            }
            let offset = Int32.random(in: -64_800...64_800, using: &generator) / 60 * 60
            let withOffset = CivilTime.iso8601(milliseconds: milliseconds, offsetSeconds: offset)
            let local = milliseconds + Int64(offset) * 1000
            #expect(withOffset.hasSuffix(CivilTime.offsetText(offset)))
            if CivilTime.isInRange(milliseconds: local) {
                #expect(withOffset.dropLast(6) == CivilTime.iso8601(milliseconds: local).dropLast(), "\(milliseconds) \(offset)")
            }
        }
    }

    @Test("a record opened in place equals the one opened from a copy; any altered byte still fails, then the next record opens")
    func inPlaceOpen() throws {
        let master = try SecretBytes(copying: [UInt8](repeating: 5, count: 32))
        let id = [UInt8](repeating: 1, count: 16)
        let writer = try RecordCipher(masterKey: master, journalID: id)
        let reader = try RecordCipher(masterKey: master, journalID: id)
        var frames: [[UInt8]] = []
        for (sequence, size) in [10, 1500, 70_000, 200].enumerated() {
            let payload = Array("{\"text\":\"\(String(repeating: "x", count: size))\"}".utf8)
            let plaintext = RecordPlaintext(kind: "entry", recordedAtMilliseconds: 1_700_000_000_000, timeZoneOffsetSeconds: 3600, payload: payload)
            frames.append(try writer.sealFrame(plaintext, envelope: RecordEnvelope(kind: "entry", day: 19_000), sequence: UInt64(sequence)))
        }
        for (sequence, frame) in frames.enumerated() {
            let body = Array(frame[Frame.prefixByteCount..<(frame.count - Frame.suffixByteCount)])
            let copied = try reader.open(body: body, sequence: UInt64(sequence))
            let inPlace = try body.withUnsafeBytes { try reader.open(body: $0, sequence: UInt64(sequence)) }
            #expect(copied == inPlace)
            #expect(try reader.openEnvelope(body: body, sequence: UInt64(sequence)).kind == "entry")
            for position in [0, 30, 120, body.count / 2, body.count - 40, body.count - 1] {
                var altered = body
                altered[position] ^= 0x20
                #expect(throws: CryptoError.authenticationFailed) { try altered.withUnsafeBytes { try reader.open(body: $0, sequence: UInt64(sequence)) } }
            }
            #expect(throws: CryptoError.authenticationFailed) { try body.withUnsafeBytes { try reader.open(body: $0, sequence: UInt64(sequence) + 1) } }
        }
        // After the failures (and a record larger than the reused buffer), the next record still opens.
        let last = frames[3]
        #expect(try reader.open(body: Array(last[Frame.prefixByteCount..<(last.count - Frame.suffixByteCount)]), sequence: 3).payload.count > 200)
    }

    /// The Character-based parsers the byte readers replaced (LocalDate(_:), a jrnl entry's time).
    static func splitDate(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        return (y, m, d)
    }

    static func splitTime(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count >= 2, let h = parts[0], let m = parts[1], (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return (h, m)
    }

    @Test("LocalDate and a jrnl entry's time read as bytes agree with the split-by-Character parsers on edge cases and seeded random strings")
    func datesAndTimes() {
        var dates = ["2026-11-27", "0001-01-01", "9999-12-31", "0000-01-01", "2026-02-29", "2024-02-29", "2026-13-01", "2026-00-10",
                     "2026-1-01", "2026-01-1", "20260-1-01", "2026-11-27 ", " 2026-11-27", "2026/11/27", "+202-11-27", "-202-11-27",
                     "２０２６-11-27", "2026-11-2\u{0301}7", "2026-11-٢٧", "2026--1127", "", "2026-11-27-", "2026-11-3a", "2026-11-+7"]
        var times = ["09:14", "00:00", "23:59", "24:00", "12:60", "9:14", "09:4", "12::30", ":12:30", "12:30:45", "12:30:xx", "+5:07",
                     "-0:10", "12:+3", "1a:30", "12:3b", "１２:30", "12:30 ", " 12:30", "", "12", "1230", "12;30", "99:99"]
        var generator = SeededGenerator(seed: 0xDA7E)
        let pieces = ["0", "1", "2", "5", "9", "-", ":", "+", " ", "a", "\u{0301}", "٢", "12", "2026"]
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...9, using: &generator) { text += pieces.randomElement(using: &generator)! }
            dates.append(text)
            times.append(text)
        }
        for text in dates {
            let parsed = try? LocalDate(text)
            let expected = Self.splitDate(text).flatMap { try? LocalDate(year: $0.0, month: $0.1, day: $0.2) }
            #expect(parsed == expected, "\(text.unicodeScalars.map { $0.value })")
        }
        for text in times {
            let fast = JournalImport.plainTime(text)
            // The byte reader answers only when it is sure; otherwise the split reads it, as before.
            if let fast { #expect(Self.splitTime(text).map { [$0.0, $0.1] } == [fast.hour, fast.minute], "\(text)") }
        }
        #expect(JournalImport.plainTime("09:14").map { [$0.hour, $0.minute] } == [9, 14])
        #expect(JournalImport.plainTime("24:00") == nil && JournalImport.plainTime("+5:07") == nil)
    }
}
