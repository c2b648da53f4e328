import Foundation
import Testing
@testable import SealedJournal

/// The export fast path must give exactly the bytes Foundation's canonical re-encoding gives.
@Suite("Canonical JSON pass-through: accepted payloads are byte for byte what re-encoding gives")
struct CanonicalJSONCheckTests {
    static func foundation(_ bytes: [UInt8]) -> [UInt8]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return [UInt8](data)
    }

    static let samples: [String] = [
        #"{}"#, #"{"a":1}"#, #"{"a":[],"b":{},"c":null,"d":true,"e":false}"#, #"{"text":"ünïcode 🌱 \"quoted\" back\\slash /slash"}"#,
        #"{"a":-12,"b":0,"c":123456789012345}"#, #"{"a":{"b":{"c":[1,[2,[3]],{"d":"e"}]}}}"#, #"{"a":"line\nbreak\ttab\rcr"}"#,
        // Not canonical, or outside what the check accepts: must be rejected (Foundation decides).
        #"{"b":1,"a":2}"#, #"{"a":1,"a":2}"#, #"{ "a":1}"#, #"{"a":1.5}"#, #"{"a":1e3}"#, #"{"a":01}"#, #"{"a":-0}"#,
        #"{"a":"\u00e9"}"#, #"{"a":"\b"}"#, #"{"a":"x\/y"}"#, #"{"é":1}"#, #"[1]"#, #""a""#, #"{"a":1} "#,
        #"{"a":1234567890123456}"#, #"{"a":"\u2028"}"#, "{\"a\":\"\u{2028}\"}", "{\"a\":\"\u{7F}\"}", #"{"a":tru}"#, #"{"a":[1,]}"#,
    ]

    @Test("every accepted sample equals Foundation's canonical bytes; rejected ones fall back", arguments: samples)
    func agreesWithFoundation(sample: String) {
        let bytes = Array(sample.utf8)
        if CanonicalJSONCheck.isCanonical(bytes) {
            #expect(Self.foundation(bytes) == bytes, "accepted but Foundation writes something else")
        }
    }

    @Test("the samples that are canonical are accepted (the fast path is used), the others are not")
    func acceptance() {
        let accepted = Self.samples.filter { CanonicalJSONCheck.isCanonical(Array($0.utf8)) }
        #expect(accepted == Array(Self.samples.prefix(7)))
    }

    @Test("payloads the library writes for every built-in kind are accepted and equal Foundation's encoding")
    func builtInPayloads() throws {
        let day = try LocalDate("2026-01-02")
        let payloads: [[UInt8]] = try [
            RecordCoding.encode(JournalEntry(text: "Long day.\nStill \"sober\" / ok ✓", title: "Tuesday", tags: ["work", "ünï"])),
            RecordCoding.encode(JournalEntry(text: String(repeating: "a", count: 1013))),
            RecordCoding.encode(CheckIn(day: day, timeZoneOffsetSeconds: -18000, mood: 7, craving: 2, use: .sober, sleepHours: 7,
                                        meetingsAttended: 1, meetingKinds: [.aa], medication: .taken, triggers: ["rain"],
                                        reachedOutToSupport: true, note: "fine")),
            RecordCoding.encode(Amendment(amends: 3, text: "correction", reason: "typo")),
            RecordCoding.encode(Disclosure(recipient: "Dr. Lee", purpose: "review", scope: "all", format: "ndjson", digest: "ab")),
        ]
        for payload in payloads {
            if CanonicalJSONCheck.isCanonical(payload) {
                #expect(Self.foundation(payload) == payload)
            }
        }
        #expect(payloads.allSatisfy { CanonicalJSONCheck.isCanonical($0) }, "the fast path covers what the library writes")
    }
}
