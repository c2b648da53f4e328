import Foundation
import Testing
@testable import SealedJournal

/// One shape for "produce something and record the disclosure": `journal.disclose(_:to:output:)`
/// with an owner export, a report rendering, or an audit bundle request.
@Suite("One disclosure shape")
struct DisclosureShapeTests {
    @Test("output that left before a failure is recorded as a partial disclosure (digest over what left); a discarded output records nothing; the next disclosure works")
    func partialOutputIsRecorded() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.appendBatch((0..<400).map { PendingRecord(JournalEntry(text: "entry \($0) " + String(repeating: "x", count: 900))) })
        struct Closed: Error {}
        let request = DisclosureRequest(recipient: "Dr. Lee", purpose: "review")
        func failingOnThirdPiece(partial: Bool) -> (DisclosureOutput, () -> Data) {
            var delivered = Data(), pieces = 0
            let output = DisclosureOutput(recordsPartialOutput: partial) { data in
                pieces += 1
                if pieces == 3 { throw Closed() }
                delivered.append(data)
            }
            return (output, { delivered })
        }
        // A file that is thrown away on failure: nothing was disclosed, nothing recorded.
        let (discarded, _) = failingOnThirdPiece(partial: false)
        #expect(throws: Closed.self) { try journal.disclose(OwnerExport.Records(format: .ndjson), to: request, output: discarded) }
        #expect(try readAll(journal, RecordFilter(kinds: [.disclosure])).isEmpty)
        // A pipe: two pieces left; they are recorded, with their digest.
        let (pipe, delivered) = failingOnThirdPiece(partial: true)
        #expect(throws: Closed.self) { try journal.disclose(OwnerExport.Records(format: .ndjson), to: request, output: pipe) }
        let recorded = try readAll(journal, RecordFilter(kinds: [.disclosure])).map { try $0.decode(Disclosure.self) }
        try #require(recorded.count == 1)
        #expect(recorded[0].scope.hasPrefix("partial: \(delivered().count) bytes") && recorded[0].recipient == "Dr. Lee" && recorded[0].format == "ndjson")
        #expect(recorded[0].digest == Hex.encode(try SHA256.hash([UInt8](delivered()))))
        #expect(delivered().count == 2 * OwnerExport.outputPieceByteCount)
        // Also when the output is encrypted (the plaintext handed to the encryptor is what counts).
        let (encrypted, _) = failingOnThirdPiece(partial: true)
        var output = encrypted
        output.recipients = [AgeRecipient.x25519(publicKey: [UInt8](repeating: 9, count: 32))]
        #expect(throws: Closed.self) { try journal.disclose(OwnerExport.Records(format: .ndjson), to: request, output: output) }
        let after = try readAll(journal, RecordFilter(kinds: [.disclosure])).map { try $0.decode(Disclosure.self) }
        #expect(after.count == 2 && after[1].scope.hasPrefix("partial: ") && after[1].format == "ndjson+age")
        // The caller is told what was recorded, and only when plaintext a reader could decrypt
        // left: an age output that stops after its header (the export fits one chunk, sealed at
        // the end) records nothing and says nothing.
        var told: [Disclosure?] = []
        let recipient = AgeRecipient.x25519(publicKey: [UInt8](repeating: 9, count: 32))
        func failing(after accepted: Int) -> DisclosureOutput {
            var writes = 0
            return DisclosureOutput(recipients: [recipient], recordsPartialOutput: true, partialDisclosure: { told.append($0) }) { _ in
                writes += 1
                if writes > accepted { throw Closed() }
            }
        }
        let small = OwnerExport.Records(format: .ndjson, filter: RecordFilter(containing: "entry 7 "))  // one entry, under a chunk
        #expect(throws: Closed.self) { try journal.disclose(small, to: request, output: failing(after: 1)) }
        let afterHeaderOnly = try readAll(journal, RecordFilter(kinds: [.disclosure])).count
        #expect(told.isEmpty && afterHeaderOnly == 2)
        // Header and first chunk written, the second refused: exactly the first 64 KiB of the
        // plaintext is recorded, with its digest (the entries only, so the plaintext is the same each time).
        let entries = OwnerExport.Records(format: .ndjson, filter: RecordFilter(kinds: [.entry]))
        var plaintext = Data()
        try journal.disclose(entries, to: request, output: DisclosureOutput { plaintext.append($0) })
        #expect(throws: Closed.self) { try journal.disclose(entries, to: request, output: failing(after: 2)) }
        let last = try readAll(journal, RecordFilter(kinds: [.disclosure])).map { try $0.decode(Disclosure.self) }.last
        #expect(told.count == 1 && told.first??.scope == last?.scope)
        #expect(last?.scope.hasPrefix("partial: 65536 bytes") == true, "\(String(describing: last?.scope))")
        #expect(last?.digest == Hex.encode(try SHA256.hash([UInt8](plaintext.prefix(65536)))))
        // What happens next: the journal verifies and a whole disclosure is recorded as usual.
        var whole = Data()
        let done = try journal.disclose(OwnerExport.Records(format: .ndjson), to: request, output: DisclosureOutput(recordsPartialOutput: true) { whole.append($0) })
        let wholeDigest = Hex.encode(try SHA256.hash([UInt8](whole)))
        #expect(!done.disclosure.scope.hasPrefix("partial") && done.disclosure.digest == wholeDigest)
        #expect(Journal.verify(at: path).isValid)
    }

    @Test("a disclosed owner export (its bytes collected in 64 KiB pieces) is byte for byte the owner export, in every format, with and without a notice; its digest is over those bytes",
          arguments: ExportFormat.allCases, [nil, "For Dr. Lee only: \u{1F512} \"quoted\""])
    func disclosedExportEqualsOwnerExport(format: ExportFormat, notice: String?) throws {
        guard format != .csv || notice == nil else { return }  // CSV carries no notice
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        // More than one 64 KiB piece, non-ASCII text, escapes, a check-in and a correction.
        try journal.appendBatch((0..<150).map { PendingRecord(JournalEntry(text: "día \($0) \"q\" \\ \u{1F600}\n" + String(repeating: "x", count: 700), tags: ["t\($0 % 3)"])) })
        try journal.appendCheckIn(CheckIn(day: LocalDate(date: Date().addingTimeInterval(-86_400)), mood: 5, craving: 2, use: .sober, note: "ok"))
        try journal.amend(3, text: "fixed")
        var expected = ""
        try OwnerExport.write(journal, format: format, timeZone: TimeZone(identifier: "UTC")!, notice: notice) { expected += $0 }
        var disclosed = Data()
        let shared = try journal.disclose(OwnerExport.Records(format: format, timeZone: TimeZone(identifier: "UTC")!),
                                          to: DisclosureRequest(recipient: "Dr. Lee", purpose: "review", notice: notice),
                                          output: DisclosureOutput { disclosed.append($0) })
        #expect(disclosed == Data(expected.utf8), "\(format)")
        let digest = Hex.encode(try SHA256.hash([UInt8](disclosed)))
        #expect(shared.summary == 152 && shared.disclosure.digest == digest)
    }

    @Test("JSON and NDJSON exports are the bytes FORMAT.md 10.1 gives, written out by hand here (sorted keys, milliseconds, the notice first), also when disclosed")
    func exportBytesAsSpecified() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let time = Date(timeIntervalSince1970: 1_700_000_000.123)
        try journal.append(JournalEntry(text: "é \"q\"\n", title: "T", tags: ["a"]), at: time)
        try journal.append(JournalEntry(text: "two"), at: time.addingTimeInterval(1))
        let first = #"{"data":{"tags":["a"],"text":"é \"q\"\n","title":"T"},"kind":"entry","recordedAt":"2023-11-14T22:13:20.123Z","sequence":0}"#
        let second = #"{"data":{"tags":[],"text":"two"},"kind":"entry","recordedAt":"2023-11-14T22:13:21.123Z","sequence":1}"#
        let id = Hex.encode(journal.journalID)
        let expected: [ExportFormat: String] = [
            .ndjson: #"{"notice":"n"}"# + "\n" + first + "\n" + second + "\n",
            .json: #"{"format":"sealed-journal-export","version":1,"journalID":""# + id + #"","notice":"n","records":["# + "\n" + first + ",\n" + second + "\n]}\n",
        ]
        for (format, bytes) in expected {
            var written = ""
            try OwnerExport.write(journal, format: format, filter: RecordFilter(kinds: [.entry]), notice: "n") { written += $0 }
            #expect(written == bytes, "\(format)")
            var disclosed = Data()
            try journal.disclose(OwnerExport.Records(format: format, filter: RecordFilter(kinds: [.entry])),
                                 to: DisclosureRequest(recipient: "r", purpose: "p", notice: "n"), output: DisclosureOutput { disclosed.append($0) })
            #expect(String(decoding: disclosed, as: UTF8.self) == bytes, "\(format)")
        }
    }

    @Test func everyDisclosableIsRecordedTheSameWay() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let day = try LocalDate("2026-11-02")
        try journal.append(CheckIn(day: day, mood: 7, craving: 2, use: .sober))
        try journal.append(JournalEntry(text: "private"))
        let request = DisclosureRequest(recipient: "Dr. Lee", purpose: "review", notice: "Do not redisclose.")

        var exported = Data()
        let records = try journal.disclose(OwnerExport.Records(format: .ndjson, filter: RecordFilter(kinds: [.checkIn])), to: request,
                                           output: DisclosureOutput(write: { exported.append($0) }))
        #expect(records.summary == 1)
        #expect(records.disclosure.format == "ndjson")
        #expect(records.disclosure.digest == Hex.encode(try SHA256.hash([UInt8](exported))))
        #expect(String(decoding: exported, as: UTF8.self).hasPrefix(#"{"notice":"Do not redisclose."}"#))

        var page = Data()
        let report = try ComplianceReport.build(journal, from: day, to: day)
        let rendered = try journal.disclose(report.rendering(.markdown, includeNotes: false), to: request,
                                            output: DisclosureOutput(write: { page.append($0) }))
        #expect(rendered.disclosure.format == "compliance-report-markdown")
        #expect(rendered.disclosure.scope.contains("no notes") && rendered.disclosure.scope.contains("with notice"))
        #expect(String(decoding: page, as: UTF8.self).contains("Do not redisclose."))
        #expect(rendered.disclosure.digest == Hex.encode(try SHA256.hash([UInt8](page))))

        var bundleJSON = Data()
        let bundle = try journal.disclose(AuditBundle.Request(disclosing: [0]), to: request,
                                          output: DisclosureOutput(write: { bundleJSON.append($0) }))
        #expect(bundle.summary.disclosedContentCount == 1)
        #expect(bundle.disclosure.format == "audit-bundle" && bundle.disclosure.scope.contains("records: 0"))
        #expect(AuditVerifier.verify(bundleJSON, fingerprint: journal.fingerprint).isValid)

        // All three are in the accounting, in order, after the two records.
        let accounting = try readAll(journal, RecordFilter(kinds: [.disclosure])).map { try $0.decode(Disclosure.self) }
        #expect(accounting == [records.disclosure, rendered.disclosure, bundle.disclosure])
    }

    /// A failure before recording records nothing, and the next disclosure works: a read-only
    /// journal writes no byte; a failing `beforeRecording` (a file that could not be closed)
    /// leaves no disclosure record.
    @Test func failuresRecordNothingAndTheNextDisclosureWorks() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "one"))
        let request = DisclosureRequest(recipient: "me", purpose: "copy")
        let readOnly = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        var written = 0
        #expect(throws: JournalError.readOnly) {
            try readOnly.disclose(OwnerExport.Records(format: .json), to: request, output: DisclosureOutput(write: { written += $0.count }))
        }
        #expect(written == 0)
        struct CloseFailed: Error {}
        #expect(throws: CloseFailed.self) {
            try journal.disclose(OwnerExport.Records(format: .json), to: request, output: DisclosureOutput(write: { _ in }),
                                 beforeRecording: { throw CloseFailed() })
        }
        #expect(try readAll(journal, RecordFilter(kinds: [.disclosure])).isEmpty)
        let next = try journal.disclose(OwnerExport.Records(format: .csv), to: request, output: DisclosureOutput(write: { _ in }))
        #expect(next.summary == 1)
        #expect(try readAll(journal, RecordFilter(kinds: [.disclosure])).count == 1)
    }
}

/// After a rekey (erasure), nothing reads the predecessor any more: neither the retired instance
/// nor another instance that still has the old file open. A disclosure from either writes no byte.
@Suite("Retired and replaced journals are not read")
struct ReplacedJournalReadTests {
    @Test func afterRekeyOldInstancesNeitherReadNorDisclose() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "keep"))
        try journal.append(JournalEntry(text: "erase me"))
        let other = try Journal.open(at: path, passphrase: testPassphrase(), durability: .unsafeNoSync)
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        let successor = try journal.rekey(to: testPassphrase("a new passphrase entirely"), kdf: testKDF, omitting: [1]).journal
        for old in [journal, other, reader] {
            #expect(throws: JournalError.journalReplaced(path: path)) { _ = try old.cursor() }
            #expect(throws: JournalError.journalReplaced(path: path)) { try old.record(at: 1) }
            #expect(throws: JournalError.journalReplaced(path: path)) { try old.auditBundle(disclosing: [1]) }
            #expect(throws: JournalError.journalReplaced(path: path)) { try old.refresh() }
            var written = 0
            #expect(throws: JournalError.self) {
                try old.disclose(OwnerExport.Records(format: .ndjson), to: DisclosureRequest(recipient: "x", purpose: "y"),
                                 output: DisclosureOutput(write: { written += $0.count }))
            }
            #expect(written == 0, "the predecessor's records (the erased one included) were produced")
        }
        // The async sequence of a retired instance ends in the same error, not in the old records.
        var iterator = journal.records().makeAsyncIterator()
        var thrown: JournalError?
        do { _ = try await iterator.next() } catch { thrown = error }
        #expect(thrown == .journalReplaced(path: path))
        // What comes next: the successor reads what was kept, and nothing erased.
        #expect(try readAll(successor).compactMap { try? $0.decode(JournalEntry.self).text } == ["keep"])
        // Opening it pinned to the old fingerprint follows the signed hand-over, and says so.
        let pinnedOld = try Journal.open(at: path, passphrase: testPassphrase("a new passphrase entirely"), mode: .readOnly,
                                         expectedFingerprint: journal.fingerprint)
        #expect(pinnedOld.warningsAtOpen.contains { $0.contains("re-keyed to \(successor.fingerprint)") }, "\(pinnedOld.warningsAtOpen)")
        let pinnedNew = try Journal.open(at: path, passphrase: testPassphrase("a new passphrase entirely"), mode: .readOnly,
                                         expectedFingerprint: successor.fingerprint)
        #expect(pinnedNew.warningsAtOpen.isEmpty)
    }

    /// An export that was finished but whose disclosure could not be recorded is taken back;
    /// a file that someone else put at the name meanwhile is left alone.
    @Test func retractRemovesOnlyWhatTheExportNamed() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("export.ndjson")
        let file = try ExportFile(path: path, overwrite: false)
        try file.write(Data("secret\n".utf8))
        try file.finish()
        #expect(FileManager.default.fileExists(atPath: path))
        file.retract()
        #expect(!FileManager.default.fileExists(atPath: path))

        let second = try ExportFile(path: path, overwrite: false)
        try second.write(Data("mine\n".utf8))
        try second.finish()
        try FileManager.default.removeItem(atPath: path)
        try Data("someone else's\n".utf8).write(to: URL(fileURLWithPath: path))
        second.retract()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "someone else's\n")
    }
}
