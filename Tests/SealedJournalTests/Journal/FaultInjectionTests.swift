import Foundation
import Testing
@testable import SealedJournal

/// Fails the `n`-th storage operation on one file with `action` (0-based), counting writes,
/// syncs and truncations in order; optionally fails truncation too.
final class FaultPlan: Sendable {
    let path: String
    let failAt: Int
    let action: StorageFaults.Action
    let failTruncate: Bool
    private let counter = Locked(0)

    init(path: String, failAt: Int, action: StorageFaults.Action, failTruncate: Bool = false) {
        self.path = path
        self.failAt = failAt
        self.action = action
        self.failTruncate = failTruncate
    }

    func install() {
        StorageFaults.install { [self] path, operation in
            guard path == self.path else { return .proceed }
            if case .truncate = operation { return self.failTruncate ? .fail(errno: EIO) : .proceed }
            let index = counter.withLock { value -> Int in defer { value += 1 }; return value }
            guard index == failAt else { return .proceed }
            if case .sync = operation, case .shortWrite(_, let code) = action { return .fail(errno: code) }
            return action
        }
    }
}

@Suite("Injected storage faults never lose or damage what was written", .serialized)
struct FaultInjectionTests {
    static let actions: [(String, StorageFaults.Action, Int32)] = [
        ("disk full", .fail(errno: ENOSPC), ENOSPC),
        ("I/O error", .fail(errno: EIO), EIO),
        ("short write then disk full", .shortWrite(bytes: 37, errno: ENOSPC), ENOSPC),
    ]

    @Test("a fault at the write or the fsync of an append: clear error, journal intact, retry succeeds",
          arguments: 0..<3, [0, 1])
    func appendFaults(actionIndex: Int, operation: Int) throws {
        let (name, action, code) = Self.actions[actionIndex]
        let dir = try TemporaryDirectory()
        let path = dir.file("faults.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF).journal  // fsync policy on
        try journal.append(JournalEntry(text: "before the fault"))
        let before = try fileBytes(path)
        let plan = FaultPlan(path: path, failAt: operation, action: action)
        plan.install()
        defer { StorageFaults.install(nil) }
        let error = #expect(throws: JournalError.self, "\(name) at operation \(operation)") {
            try journal.append(JournalEntry(text: "during the fault"))
        }
        if case let .io(systemError)? = error {
            #expect(systemError.code == code && systemError.path == path)
            #expect(systemError.description.contains(operation == 0 ? "write failed" : "fsync failed"))
        } else {
            Issue.record("expected an I/O error, got \(String(describing: error))")
        }
        StorageFaults.install(nil)
        #expect(try fileBytes(path) == before, "the failed append was rolled back")
        #expect(Journal.verify(at: path).isValid)
        #expect(try readAll(journal).count == 1)
        try journal.append(JournalEntry(text: "after the fault"))
        let reopened = try Journal.open(at: path, passphrase: testPassphrase())
        #expect(try readAll(reopened).map { try $0.decode(JournalEntry.self).text } == ["before the fault", "after the fault"])
        #expect(reopened.verify().isValid)
    }

    @Test("a short write whose roll-back also fails leaves a torn tail that the next append cuts")
    func tornTailAfterFailedRollback() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("faults.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF).journal
        try journal.append(JournalEntry(text: "kept"))
        let size = try fileBytes(path).count
        let plan = FaultPlan(path: path, failAt: 0, action: .shortWrite(bytes: 100, errno: EIO), failTruncate: true)
        plan.install()
        #expect(throws: JournalError.self) { try journal.append(JournalEntry(text: "lost")) }
        StorageFaults.install(nil)
        #expect(try fileBytes(path).count == size + 100, "the partial bytes are still there")
        #expect(try Journal.info(at: path).tornTailBytes == 100)
        try journal.append(JournalEntry(text: "next"))
        #expect(try readAll(journal).map { try $0.decode(JournalEntry.self).text } == ["kept", "next"])
        #expect(Journal.verify(at: path).isValid)
    }

    @Test("a failed fsync is never reported as success", arguments: [EIO, ENOSPC, EDQUOT])
    func fsyncFailure(code: Int32) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("faults.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF).journal
        StorageFaults.install { faultPath, operation in
            faultPath == path && operation == .sync ? .fail(errno: code) : .proceed
        }
        defer { StorageFaults.install(nil) }
        #expect(throws: JournalError.io(SystemError(operation: "fsync", path: path, code: code))) {
            try journal.append(JournalEntry(text: "x"))
        }
        #expect(journal.recordCount == 0)
    }

    @Test("a fault at any write or fsync of a passphrase change: one passphrase works, repair and retry succeed",
          arguments: 0..<3, 0..<6)
    func headerFaults(actionIndex: Int, operation: Int) throws {
        let (_, action, _) = Self.actions[actionIndex]
        let dir = try TemporaryDirectory()
        let path = dir.file("faults.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase("old passphrase"), kdf: testKDF).journal
        try journal.append(JournalEntry(text: "record"))
        let newPassphrase = try testPassphrase("new passphrase")
        FaultPlan(path: path, failAt: operation, action: action).install()
        let thrown = Result { () throws(JournalError) in try journal.changePassphrase(to: newPassphrase, kdf: testKDF) }
        StorageFaults.install(nil)

        let old = try? Journal.open(at: path, passphrase: testPassphrase("old passphrase"), mode: .readOnly)
        let new = try? Journal.open(at: path, passphrase: testPassphrase("new passphrase"), mode: .readOnly)
        #expect((old == nil) != (new == nil), "exactly one passphrase opens the journal")
        // The call says what happened: it throws exactly when the change did not take effect; a
        // change in effect whose record (or second header copy) failed returns, and says why.
        if new != nil {
            #expect(throws: Never.self) { try thrown.get() }
            #expect(journal.unrecordedKeyChange != nil, "the fault came after the new header was in force")
        } else {
            #expect(throws: JournalError.self) { try thrown.get() }
            #expect(journal.unrecordedKeyChange == nil)
        }
        let working = old != nil ? "old passphrase" : "new passphrase"
        let repaired = try Journal.open(at: path, passphrase: testPassphrase(working))  // write-open repairs the header
        // A new header whose commit failed is committed by the write-open (a keyChange record).
        let expected = working == "old passphrase" ? [RecordKind.entry] : [RecordKind.entry, RecordKind.keyChange]
        #expect(try readAll(repaired).map(\.kind) == expected)
        #expect(Journal.verify(at: path).isValid, "\(Journal.verify(at: path))")
        let stale = working == "old passphrase" ? "new passphrase" : "old passphrase"
        #expect(throws: JournalError.wrongPassphrase) { try Journal.open(at: path, passphrase: testPassphrase(stale)) }
        try repaired.changePassphrase(to: testPassphrase("third passphrase"), kdf: testKDF)
        #expect(throws: JournalError.wrongPassphrase) { try Journal.open(at: path, passphrase: testPassphrase(working)) }
        #expect(try Journal.open(at: path, passphrase: testPassphrase("third passphrase")).recordCount == UInt64(expected.count + 1))
        // Neither header copy still unlocks with a retired passphrase.
        for copy in 0..<2 {
            let bytes = try fileBytes(path)
            let header = try FileHeader.decodeCopy(Array(bytes[copy * 4096..<(copy + 1) * 4096]))
            #expect(throws: JournalError.wrongPassphrase) { try KeySlots.unlock(header: header, passphrase: testPassphrase("old passphrase")) }
        }
    }

    @Test("disk full at the commit of a new recovery key: the key that now opens the file is returned, not lost in an error; the next write-open records the change",
          arguments: [4, 5])
    func recoveryKeyCommitFault(operation: Int) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("rk.sj")
        let created = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF)
        let journal = created.journal
        try journal.append(JournalEntry(text: "record"))
        // Operations: the two header copies' writes and fsyncs (0-3), then the commit's write (4) and fsync (5).
        FaultPlan(path: path, failAt: operation, action: .fail(errno: ENOSPC)).install()
        let key = try journal.replaceRecoveryKey()
        StorageFaults.install(nil)
        if case let .io(systemError)? = journal.unrecordedKeyChange { #expect(systemError.code == ENOSPC) } else {
            Issue.record("expected the disk's error, got \(String(describing: journal.unrecordedKeyChange))")
        }
        #expect(try Journal.open(at: path, recoveryKey: key, mode: .readOnly).recordCount == 1, "the returned key opens the file")
        #expect(throws: JournalError.wrongRecoveryKey) { try Journal.open(at: path, recoveryKey: created.recoveryKey, mode: .readOnly) }
        #expect(try readAll(Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)).map(\.kind) == [.entry], "not recorded yet")
        // What happens next: a write-open records the change, the journal verifies, and a later change is recorded at once.
        let reopened = try Journal.open(at: path, passphrase: testPassphrase())
        #expect(try readAll(reopened).map(\.kind) == [.entry, .keyChange])
        #expect(Journal.verify(at: path).isValid)
        let third = try reopened.replaceRecoveryKey()
        #expect(reopened.unrecordedKeyChange == nil)
        #expect(throws: JournalError.wrongRecoveryKey) { try Journal.open(at: path, recoveryKey: key, mode: .readOnly) }
        #expect(try Journal.open(at: path, recoveryKey: third, mode: .readOnly).recordCount == 3)
    }

    @Test("a key change whose record the disk refused is recorded by the same instance's next append, first, as the change it was")
    func unrecordedChangeRecordedBySameInstance() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("same.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF).journal
        try journal.append(JournalEntry(text: "before"))
        FaultPlan(path: path, failAt: 4, action: .fail(errno: ENOSPC)).install()  // the commit's write
        let key = try journal.replaceRecoveryKey()
        StorageFaults.install(nil)
        #expect(journal.unrecordedKeyChange != nil)
        let receipt = try journal.append(JournalEntry(text: "after"))
        #expect(journal.unrecordedKeyChange == nil, "recorded now")
        #expect(receipt.sequence == 2, "the key change took number 1, in a commit of its own before")
        let records = try readAll(journal)
        #expect(records.map(\.kind) == [.entry, .keyChange, .entry])
        #expect(try records[1].decode(KeyChange.self).change == .recoveryKey)
        #expect(Journal.verify(at: path).isValid)
        #expect(try Journal.open(at: path, recoveryKey: key, mode: .readOnly).recordCount == 3)
    }

    @Test("an unrecorded key change followed by another key change: both are recorded, in order, in the second one's commit")
    func unrecordedChangeThenAnother() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("two.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF).journal
        try journal.append(JournalEntry(text: "before"))
        FaultPlan(path: path, failAt: 4, action: .fail(errno: ENOSPC)).install()
        _ = try journal.replaceRecoveryKey()
        StorageFaults.install(nil)
        #expect(journal.unrecordedKeyChange != nil)
        try journal.changePassphrase(to: testPassphrase("the next passphrase"), kdf: testKDF)
        #expect(journal.unrecordedKeyChange == nil)
        let changes = try readAll(journal).filter { $0.kind == .keyChange }.map { try $0.decode(KeyChange.self).change }
        #expect(changes == [.recoveryKey, .passphrase])
        #expect(Journal.verify(at: path).isValid)
        #expect(try Journal.open(at: path, passphrase: testPassphrase("the next passphrase"), mode: .readOnly).recordCount == 3)
    }

    @Test("a failed fsync of the first new header copy is a failed change: the old header is put back, the old key opens, nothing is claimed",
          arguments: [EIO, ENOSPC])
    func firstHeaderCopyFsyncFault(errno code: Int32) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("fsync.sj")
        let created = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF)
        let journal = created.journal
        try journal.append(JournalEntry(text: "record"))
        let before = try fileBytes(path)
        FaultPlan(path: path, failAt: 1, action: .fail(errno: code)).install()  // the first copy's fsync
        #expect(throws: JournalError.self) { _ = try journal.replaceRecoveryKey() }
        StorageFaults.install(nil)
        #expect(journal.unrecordedKeyChange == nil)
        #expect(try Journal.open(at: path, recoveryKey: created.recoveryKey, mode: .readOnly).recordCount == 1, "the old key still opens")
        let bytes = try fileBytes(path)
        let copies = try (0..<2).map { try FileHeader.decodeCopy(Array(bytes[$0 * 4096..<($0 + 1) * 4096])) }
        #expect(copies[0] == copies[1], "both copies hold the old header again")
        #expect(Array(try fileBytes(path)[(2 * 4096)...]) == Array(before[(2 * 4096)...]), "no record written")
        // What happens next: the change succeeds once the disk does.
        let key = try journal.replaceRecoveryKey()
        #expect(journal.unrecordedKeyChange == nil)
        #expect(try Journal.open(at: path, recoveryKey: key, mode: .readOnly).recordCount == 2)
        #expect(throws: JournalError.wrongRecoveryKey) { try Journal.open(at: path, recoveryKey: created.recoveryKey, mode: .readOnly) }
    }

    @Test("disk full while a chunk is committed on the import's second thread: the chunks before stay, the error is the disk's, and a retry completes")
    func importChunkFault() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("import.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF).journal  // fsync policy on
        let lines = (0..<45).map { "{\"data\":{\"text\":\"n\($0)\"},\"kind\":\"entry\",\"recordedAt\":\"2026-01-01T00:00:00.000Z\",\"sequence\":\($0)}" }
        let data = Data(lines.joined(separator: "\n").utf8)
        // Operations on the file: chunk 1's write (0) and fsync (1), chunk 2's write (2) fails.
        let plan = FaultPlan(path: path, failAt: 2, action: .fail(errno: ENOSPC))
        plan.install()
        var reports: [ImportProgress] = []
        let error = #expect(throws: JournalError.self) {
            try JournalImport.importRecords(from: .data(data), format: .ndjson, into: journal, chunkRecords: 10) { reports.append($0) }
        }
        StorageFaults.install(nil)
        if case let .io(systemError)? = error { #expect(systemError.code == ENOSPC) } else { Issue.record("expected ENOSPC, got \(String(describing: error))") }
        #expect(reports.map(\.records) == [10], "only the committed chunk is reported")
        #expect(journal.recordCount == 10)
        #expect(Journal.verify(at: path).isValid)
        // What happens next: the rest imports, and the journal holds every line once, in order.
        let rest = Data(lines[10...].joined(separator: "\n").utf8)
        let result = try JournalImport.importRecords(from: .data(rest), format: .ndjson, into: journal, chunkRecords: 10)
        #expect(result.records == 35 && result.sequences == 10...44)
        #expect(try readAll(journal).map(\.sequence) == Array(0...44))
        #expect(Journal.verify(at: path).isValid)
    }
}
