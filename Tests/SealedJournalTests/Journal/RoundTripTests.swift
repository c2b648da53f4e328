import Foundation
import Testing
@testable import SealedJournal

/// An app-defined record kind.
struct SleepLog: JournalRecordContent, Equatable {
    static let recordKind: RecordKind = "com.example.sleep-log"
    var hours: Double
    var quality: String
}

@Suite("Journal round trips")
struct RoundTripTests {
    @Test("every record kind round-trips, including unicode, empty and 1 MiB texts")
    func everyKind() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("journal.sj")
        let journal = try makeJournal(at: path).journal
        let big = String(repeating: "Ünïcødé 🌱 ", count: 1 << 20 / 14)
        let time = Date(timeIntervalSince1970: 1_790_000_000.123)
        let entries = [
            JournalEntry(text: "Day one. I told my sponsor everything.", title: "Start", tags: ["sponsor", "day-1"]),
            JournalEntry(text: ""),
            JournalEntry(text: "日本語のテキスト — العربية — emoji 🧘‍♀️", title: "Ünïcødé"),
            JournalEntry(text: big),
        ]
        for entry in entries { try journal.append(entry, at: time) }
        let checkIn = CheckIn(day: try LocalDate("2026-11-27"), timeZoneOffsetSeconds: -5 * 3600, mood: 6, craving: 3,
                              use: .hardDay, sleepHours: 6.5, meetingsAttended: 2, meetingKinds: [.aa, .therapy],
                              medication: .taken, triggers: ["work party", "old friend called"], reachedOutToSupport: true,
                              note: "Left early, called Sam.")
        try journal.append(checkIn, at: time)
        try journal.append(Amendment(amends: 0, text: "It was my sponsor and my sister.", reason: "forgot"), at: time)
        try journal.append(Disclosure(recipient: "Dr. Lee", purpose: "weekly review", scope: "checkIn 2026-11", format: "json", digest: "ab"), at: time)
        try journal.append(SleepLog(hours: 7.25, quality: "restless"), at: time)

        let reopened = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        let records = try readAll(reopened)
        #expect(records.count == 8)
        #expect(records.map(\.sequence) == Array(0..<8))
        for (index, entry) in entries.enumerated() {
            #expect(try records[index].decode(JournalEntry.self) == entry)
            #expect(records[index].kind == "entry")
            #expect(abs(records[index].recordedAt.timeIntervalSince(time)) < 0.001)
        }
        #expect(try records[4].decode(CheckIn.self) == checkIn)
        #expect(try records[5].decode(Amendment.self).amends == 0)
        #expect(try records[6].decode(Disclosure.self).recipient == "Dr. Lee")
        #expect(try records[7].decode(SleepLog.self) == SleepLog(hours: 7.25, quality: "restless"))
        if case .custom(let kind, _) = records[7].content { #expect(kind == SleepLog.recordKind) } else { Issue.record("not custom") }
        if case .checkIn(let value) = records[4].content { #expect(value.mood == 6) } else { Issue.record("not a check-in") }
        #expect(throws: JournalError.self) { try records[4].decode(JournalEntry.self) }
        #expect(try reopened.record(at: 3).decode(JournalEntry.self).text == big)
        #expect(try reopened.record(at: 7).kind == SleepLog.recordKind)
        #expect(throws: JournalError.noSuchRecord(sequence: 8, recordCount: 8)) { try reopened.record(at: 8) }
        let report = reopened.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.recordsOpened == 8)
    }

    @Test("batches commit many records with one checkpoint; filters by kind and date")
    func batchesAndFilters() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let day = 86_400.0
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        var batch: [PendingRecord] = []
        for index in 0..<30 {
            let date = start.addingTimeInterval(Double(index) * day)
            if index % 3 == 0 {
                batch.append(PendingRecord(JournalEntry(text: "entry \(index)"), recordedAt: date))
            } else {
                batch.append(PendingRecord(CheckIn(day: LocalDate(date: date), mood: 5, craving: 1, use: .sober), recordedAt: date))
            }
        }
        let receipt = try journal.appendBatch(batch)
        #expect(receipt.sequences == 0...29)
        #expect(receipt.checkpoint.treeSize == 30)
        let report = Journal.verify(at: dir.file("j"))
        #expect(report.checkpointCount == 2, "creation checkpoint plus one for the batch")
        #expect(try readAll(journal, RecordFilter(kinds: ["entry"])).count == 10)
        #expect(try readAll(journal, RecordFilter(kinds: ["checkIn"])).count == 20)
        let window = try readAll(journal, RecordFilter(from: start.addingTimeInterval(10 * day), to: start.addingTimeInterval(20 * day)))
        #expect(window.map(\.sequence) == Array(10..<20))
        let async = try awaitAll(journal.records(RecordFilter(kinds: ["entry"])))
        #expect(async.count == 10)
    }

    private func awaitAll(_ records: JournalRecords) throws -> [JournalRecord] {
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            do {
                var collected: [JournalRecord] = []
                for try await record in records { collected.append(record) }
                box.set(.success(collected))
            } catch {
                box.set(.failure(error))
            }
            semaphore.signal()
        }
        semaphore.wait()
        return try box.get()
    }

    @Test("an invalid record in a batch writes nothing")
    func invalidBatchWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let before = try fileBytes(dir.file("j"))
        #expect(throws: JournalError.invalidField(field: "mood", reason: "must be between 1 and 10")) {
            try journal.appendBatch([PendingRecord(JournalEntry(text: "fine")),
                                     PendingRecord(CheckIn(day: try LocalDate("2026-01-01"), mood: 11, craving: 0, use: .sober))])
        }
        #expect(try fileBytes(dir.file("j")) == before)
        #expect(journal.recordCount == 0)
    }

    @Test("wrong passphrase fails cleanly and changes nothing")
    func wrongPassphrase() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        try makeJournal(at: path).journal.append(JournalEntry(text: "x"))
        // Leave a torn tail: a wrong passphrase must not even repair it.
        var bytes = try fileBytes(path)
        bytes += [1, 2, 3]
        try writeFileBytes(bytes, to: path)
        #expect(throws: JournalError.wrongPassphrase) {
            try Journal.open(at: path, passphrase: testPassphrase("one day at a timE"))
        }
        #expect(try fileBytes(path) == bytes)
        let journal = try Journal.open(at: path, passphrase: testPassphrase())
        #expect(journal.tornTailBytesAtOpen == 3)
        #expect(try fileBytes(path).count == bytes.count - 3)
    }

    @Test("recovery key unlocks; passphrase change works and the old passphrase stops working")
    func keyManagement() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let created = try makeJournal(at: path)
        try created.journal.append(JournalEntry(text: "before the change"))
        let text = created.recoveryKey.displayString
        #expect(text.count == 65 && text.split(separator: "-").count == 11)
        #expect(!created.recoveryKey.description.contains(String(text.prefix(5))))

        let viaRecovery = try Journal.open(at: path, recoveryKey: RecoveryKey(text.lowercased().replacingOccurrences(of: "-", with: " ")))
        try viaRecovery.changePassphrase(to: testPassphrase("a brand new passphrase"), kdf: testKDF)
        #expect(throws: JournalError.wrongPassphrase) { try Journal.open(at: path, passphrase: testPassphrase()) }
        let withNew = try Journal.open(at: path, passphrase: testPassphrase("a brand new passphrase"))
        #expect(try readAll(withNew).map(\.kind) == [RecordKind.entry, RecordKind.keyChange], "the change is committed at once")

        let newRecovery = try withNew.replaceRecoveryKey()
        #expect(throws: JournalError.wrongRecoveryKey) { try Journal.open(at: path, recoveryKey: RecoveryKey(text)) }
        #expect(try Journal.open(at: path, recoveryKey: newRecovery).recordCount == 3)
        let info = try Journal.info(at: path)
        #expect(info.headerSequence == 3)
        #expect(info.keySlots.count == 2)
        #expect(Journal.verify(at: path).isValid)

        var typo = Array(text)
        typo[0] = typo[0] == "A" ? "B" : "A"
        #expect(throws: JournalError.self) { try RecoveryKey(String(typo)) }
        #expect(throws: JournalError.invalidRecoveryKeyText(reason: "it must have 55 characters")) { try RecoveryKey("ABCDE") }
        #expect(throws: JournalError.invalidRecoveryKeyText(reason: "it contains a character that is not in the key alphabet")) {
            try RecoveryKey(String(text.dropLast()) + "U")
        }
    }

    @Test("new journals are created mode 0600 whatever the umask, and never overwrite")
    func permissions() throws {
        let dir = try TemporaryDirectory()
        let old = umask(0)
        defer { umask(old) }
        let path = dir.file("j")
        _ = try makeJournal(at: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(throws: JournalError.alreadyExists(path: path)) { try makeJournal(at: path) }
    }

    @Test("the file never contains what was written")
    func noPlaintextOnDisk() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        let marker = "MARKER-relapse-7f3c"
        try journal.append(JournalEntry(text: "I \(marker) today", title: "\(marker)-title", tags: ["\(marker)-tag"]))
        try journal.append(CheckIn(day: try LocalDate("2026-11-27"), mood: 3, craving: 9, use: .used, triggers: [marker], note: marker))
        let bytes = try fileBytes(path)
        let haystack = String(decoding: bytes, as: UTF8.self)
        #expect(!haystack.contains(marker))
        #expect(!haystack.contains("checkIn") && !haystack.contains("entry") && !haystack.contains("used"))
    }

    @Test("read-only mode refuses appends and ignores a torn tail without changing the file")
    func readOnlyMode() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        try makeJournal(at: path).journal.append(JournalEntry(text: "x"))
        var bytes = try fileBytes(path)
        bytes += Array(repeating: 0xEE, count: 100)
        try writeFileBytes(bytes, to: path)
        let journal = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(journal.tornTailBytesAtOpen == 100)
        #expect(try readAll(journal).count == 1)
        #expect(throws: JournalError.readOnly) { try journal.append(JournalEntry(text: "y")) }
        #expect(try fileBytes(path) == bytes)
    }
}

final class ResultBox: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var result: Result<[JournalRecord], Error>?
    func set(_ value: Result<[JournalRecord], Error>) { lock.withLock { result = value } }
    func get() throws -> [JournalRecord] { try lock.withLock { result }!.get() }
}

@Suite("Export timestamps")
struct TimestampTests {
    @Test("ISO 8601 timestamps keep every millisecond through export and import")
    func milliseconds() throws {
        for ms in [Int64(0), 1, 122, 123, 999, 1_790_000_000_123, 1_790_000_000_999, -1, -1001, 1_767_254_400_000] {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let text = OwnerExport.timestamp(date)
            let parsed = try #require(JournalImport.parseTimestamp(text), "\(text)")
            #expect(Int64((parsed.timeIntervalSince1970 * 1000).rounded()) == ms, "\(ms) -> \(text)")
        }
        #expect(OwnerExport.timestamp(Date(timeIntervalSince1970: 1_767_254_400.5)) == "2026-01-01T08:00:00.500Z")
        #expect(JournalImport.parseTimestamp("2026-01-01T08:00:00Z") == Date(timeIntervalSince1970: 1_767_254_400))
        #expect(JournalImport.parseTimestamp("yesterday") == nil)
    }
}
