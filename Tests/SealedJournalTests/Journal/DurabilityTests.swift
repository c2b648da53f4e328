import Foundation
import Testing
@testable import SealedJournal

@Suite("Crashes lose nothing acknowledged; torn tails are cut off", .serialized)
struct DurabilityTests {
    @Test("a writer killed with SIGKILL at random moments (50 trials) loses no acknowledged record")
    func sigkillTrials() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("crash.sj")
        _ = try makeJournal(at: path)
        var generator = SystemRandomNumberGenerator()
        var acknowledgedTotal = 0
        var tornSeen = 0
        for trial in 0..<Exhaustive.trials(50) {
            let (process, output) = try Worker.startAppending(path: path, passphrase: "one day at a time", count: 100_000, prefix: "t\(trial)")
            // The random moment is counted from the worker's first acknowledged append, so a slow
            // start (a sanitizer build on a loaded machine) never uses up the whole window.
            let first = Worker.firstOutput(output)
            usleep(UInt32.random(in: 5_000...80_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let acknowledged = Worker.acknowledged(output, readFirst: first)
            acknowledgedTotal += acknowledged.count

            let journal = try Journal.open(at: path, passphrase: testPassphrase())
            if journal.tornTailBytesAtOpen > 0 { tornSeen += 1 }
            let report = Journal.verify(at: path)
            #expect(report.isValid, "trial \(trial): \(report)")
            var texts = Set<String>()
            try journal.forEachRecord(RecordFilter(kinds: ["entry"])) { record in
                let text = try record.decode(JournalEntry.self).text
                #expect(texts.insert(text).inserted, "duplicate \(text)")
            }
            for index in acknowledged {
                #expect(texts.contains("t\(trial)-\(index)"), "trial \(trial): acknowledged record \(index) is missing")
            }
        }
        #expect(acknowledgedTotal > 50, "the workers made progress before being killed")
        print("sigkill trials: \(acknowledgedTotal) acknowledged appends, \(tornSeen) torn tails repaired")
    }

    @Test("every torn tail inside the last commit: cut on write-open unless it holds a whole signed checkpoint; then refused, and repair loses nothing")
    func tornTailsAreCut() throws {
        let journal = try SmallJournal()
        let scratch = journal.dir.file("torn.sj")
        let previous = journal.commits[journal.commits.count - 2]
        let last = journal.commits.last!
        // Where the last checkpoint's note ends (its signature line's newline): from there on the
        // tail holds a complete signed checkpoint, which only an explicit repair may remove.
        let noteText = Array(journal.latestCheckpoint.utf8)
        let noteStart = try #require(firstIndex(of: noteText, in: journal.bytes))
        let noteEnd = noteStart + noteText.count
        var refused = 0
        let lengths = Exhaustive.cases((previous.size + 1)..<last.size, boundaries: [previous.size + 1, noteEnd - 1, noteEnd, last.size - 1])
        for length in lengths {
            try writeFileBytes(Array(journal.bytes.prefix(length)), to: scratch)
            let readOnly = try Journal.open(at: scratch, passphrase: testPassphrase(), mode: .readOnly)
            #expect(readOnly.recordCount == 2)
            #expect(try fileBytes(scratch).count == length, "read-only open changes nothing")
            if length >= noteEnd {
                refused += 1
                #expect(throws: JournalError.self) { try Journal.open(at: scratch, passphrase: testPassphrase()) }
                #expect(try fileBytes(scratch).count == length, "a refused write-open changes nothing")
                let report = try Journal.repair(at: scratch, passphrase: testPassphrase())
                #expect(report.repaired && report.recommittedRecords == 2, "both records of the torn commit are complete: \(report)")
                #expect(try fileBytes(try #require(report.savedTo)) == Array(journal.bytes[previous.size..<length]))
                let repaired = try Journal.open(at: scratch, passphrase: testPassphrase())
                #expect(try readAll(repaired).map(\.payload).prefix(4) == ArraySlice(journal.records.map(\.payload)))
                try? FileManager.default.removeItem(atPath: try #require(report.savedTo))
            } else {
                let info = try Journal.info(at: scratch)
                #expect(info.tornTailBytes == UInt64(length - previous.size))
                let opened = try Journal.open(at: scratch, passphrase: testPassphrase())
                #expect(opened.tornTailBytesAtOpen == UInt64(length - previous.size))
                #expect(try fileBytes(scratch).count == previous.size)
                let records = try readAll(opened)
                #expect(records.map(\.payload) == journal.records.prefix(2).map(\.payload))
                try opened.append(JournalEntry(text: "after repair"))
                #expect(Journal.verify(at: scratch, options: .init(heldCheckpoint: previous.checkpoint)).isValid)
            }
        }
        #expect(refused == lengths.filter { $0 >= noteEnd }.count && refused > 0)
    }

    @Test("a zero-filled tail whose checkpoint reached the disk is refused, then repaired keeping every byte")
    func zeroFilledTail() throws {
        let journal = try SmallJournal()
        let scratch = journal.dir.file("zeros.sj")
        let previous = journal.commits[journal.commits.count - 2]
        // The last commit's records never reached the disk but its checkpoint did.
        var bytes = journal.bytes
        let checkpointLength = Int(bytes.littleEndianUInt32(at: bytes.count - 4)) + 9
        for index in previous.size..<(bytes.count - checkpointLength) { bytes[index] = 0 }
        try writeFileBytes(bytes, to: scratch)
        let error = #expect(throws: JournalError.self) { try Journal.open(at: scratch, passphrase: testPassphrase()) }
        guard case .damaged? = error else { Issue.record("expected damaged, got \(String(describing: error))"); return }
        let readOnly = try Journal.open(at: scratch, passphrase: testPassphrase(), mode: .readOnly)
        #expect(readOnly.recordCount == 2 && !readOnly.warningsAtOpen.isEmpty)
        #expect(!Journal.verify(at: scratch).isValid)
        let report = try Journal.repair(at: scratch, passphrase: testPassphrase())
        let side = try #require(report.savedTo)
        #expect(try fileBytes(side) == Array(bytes[previous.size...]) && report.recommittedRecords == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: side)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let opened = try Journal.open(at: scratch, passphrase: testPassphrase())
        #expect(try readAll(opened).map(\.kind) == [RecordKind.entry, RecordKind.checkIn, RecordKind.repair])
        try opened.append(JournalEntry(text: "the next write works"))
        #expect(Journal.verify(at: scratch, options: .init(heldCheckpoint: previous.checkpoint)).isValid)
        #expect(try Journal.repair(at: scratch, passphrase: testPassphrase()).repaired == false, "nothing left to repair")
    }

    @Test("a torn header write leaves the other copy, and write-open repairs it")
    func tornHeaderWrite() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let created = try makeJournal(at: path)
        try created.journal.append(JournalEntry(text: "x"))
        // Simulate a crash half-way through writing copy 2 during a passphrase change.
        var bytes = try fileBytes(path)
        for index in 4096..<6000 { bytes[index] = 0x00 }
        try writeFileBytes(bytes, to: path)
        #expect(Journal.verify(at: path).intactHeaderCopies == 1)
        let journal = try Journal.open(at: path, passphrase: testPassphrase())
        #expect(try readAll(journal).count == 1)
        #expect(Journal.verify(at: path).isValid)
    }
}

@Suite("Concurrent writers", .serialized)
struct ConcurrencyTests {
    @Test("two processes and 8 tasks appending together: every record present exactly once, in commit order")
    func processesAndTasks() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("shared.sj")
        let journal = try Journal.create(at: path, passphrase: testPassphrase(), kdf: testKDF).journal
        let workers = try (0..<2).map { try Worker.startAppending(path: path, passphrase: "one day at a time", count: 40, prefix: "process\($0)") }
        let receipts = ReceiptLog()
        DispatchQueue.concurrentPerform(iterations: 8) { task in
            for index in 0..<25 {
                do {
                    let receipt = try journal.append(JournalEntry(text: "task\(task)-\(index)"))
                    receipts.add(receipt.sequence)
                } catch {
                    receipts.fail("\(error)")
                }
            }
        }
        for (process, _) in workers { process.waitUntilExit() }
        for (process, output) in workers {
            #expect(process.terminationStatus == 0)
            #expect(Worker.acknowledged(output).count == 40)
        }
        #expect(receipts.failures.isEmpty, "\(receipts.failures)")
        #expect(Set(receipts.sequences).count == 200, "in-process sequence numbers are unique")

        let reopened = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(reopened.recordCount == 280)
        var texts: [String] = []
        try reopened.forEachRecord { texts.append(try $0.decode(JournalEntry.self).text) }
        #expect(texts.count == 280 && Set(texts).count == 280)
        for task in 0..<8 {
            let mine = texts.filter { $0.hasPrefix("task\(task)-") }
            #expect(mine == (0..<25).map { "task\(task)-\($0)" }, "a task's appends land in its order")
        }
        for process in 0..<2 {
            #expect(texts.filter { $0.hasPrefix("process\(process)-") } == (0..<40).map { "process\(process)-\($0)" })
        }
        let report = reopened.verify()
        #expect(report.isValid && report.recordsOpened == 280, "\(report)")
    }
}

final class ReceiptLog: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var storedSequences: [UInt64] = []
    private var storedFailures: [String] = []
    func add(_ sequence: UInt64) { lock.withLock { storedSequences.append(sequence) } }
    func fail(_ message: String) { lock.withLock { storedFailures.append(message) } }
    var sequences: [UInt64] { lock.withLock { storedSequences } }
    var failures: [String] { lock.withLock { storedFailures } }
}

/// The first index of `needle` in `haystack`.
func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    for index in 0...(haystack.count - needle.count) where haystack[index..<index + needle.count].elementsEqual(needle) { return index }
    return nil
}
