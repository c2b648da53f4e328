import Foundation
import Testing
@testable import SealedJournal

/// The embedder-facing error contract: every public throwing API of the Journal and Export
/// layers throws ``JournalError`` (or, for APIs that take a throwing closure, what the closure
/// throws); no internal error type reaches a caller.
@Suite("Error contract")
struct ErrorContractTests {
    /// Every error type declared under Sources/SealedJournal is either one of the documented public
    /// error types or maps to a ``JournalError`` through `JournalErrorConvertible`. Adding a new
    /// internal error type without a mapping fails here.
    @Test func everyInternalErrorTypeMapsToJournalError() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/SealedJournal")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        var all = ""
        for file in files { all += try String(contentsOfFile: sources.path + "/" + file, encoding: .utf8) + "\n" }
        let declaration = try Regex(#"(?m)^\s*(public\s+)?(enum|struct|final class|class)\s+(\w+)\s*:\s*[^{]*\bError\b"#)
        var publicTypes: Set<String> = []
        var internalTypes: Set<String> = []
        for match in all.matches(of: declaration) {
            let name = String(try #require(match.output[3].substring))
            if match.output[1].substring != nil { publicTypes.insert(name) } else { internalTypes.insert(name) }
        }
        // The documented public set: JournalError for journals and exports, WitnessError for the
        // witness, FormatError for parsing checkpoint and cosignature texts, and the two a
        // JournalError wraps (SystemError, CryptoError).
        #expect(publicTypes == ["JournalError", "WitnessError", "FormatError", "SystemError", "CryptoError"])
        #expect(!internalTypes.isEmpty)
        for name in internalTypes.union(["SystemError", "CryptoError", "FormatError"]) {
            let mapping = try Regex(#"extension ([A-Za-z]+\.)*"# + name + #": JournalErrorConvertible"#)
            #expect(all.contains(mapping), "\(name) has no JournalError mapping")
        }
    }

    @Test func lowerLayerErrorsMapToSpecificCases() {
        #expect(JournalError(mapping: FrameReadError.incomplete(offset: 4242)).category == .damaged)
        #expect(JournalError(mapping: FrameReadError.incomplete(offset: 4242))
                == .corruptFrame(offset: 4242, sequence: nil, reason: "the frame is incomplete"))
        if case let .corruptFrame(offset, _, reason) = JournalError(mapping: FrameReadError.malformed(offset: 77, reason: .badMagic(what: "frame"))) {
            #expect(offset == 77)
            #expect(reason.contains("frame"))
        } else {
            Issue.record("malformed frame did not map to corruptFrame")
        }
        #expect(JournalError(mapping: HeaderReadError.emptyFile(path: "p")) == .emptyFile(path: "p"))
        #expect(JournalError(mapping: HeaderReadError.notAJournal(path: "p")) == .notAJournal(path: "p"))
        #expect(JournalError(mapping: HeaderReadError.unsupportedVersion(found: 9, supported: 2)) == .unsupportedVersion(found: 9, supported: 2))
        #expect(JournalError(mapping: SystemError(operation: "open", path: "x", code: ENOENT)) == .notFound(path: "x"))
        #expect(JournalError(mapping: SystemError(operation: "write", path: "x", code: ENOSPC)).category == .system)
        #expect(JournalError(mapping: CryptoError.outOfMemory(bytes: 1)) == .crypto(.outOfMemory(bytes: 1)))
        // A type nobody mapped is never reported as damage (it would send a user to repair).
        struct Stray: Error {}
        #expect(JournalError(mapping: Stray()).category == .system)
    }

    /// The issue's example: an audit bundle over a damaged file threw the internal FrameReadError.
    /// Now it is a JournalError naming the damaged frame. And what comes next: an open (O(1), it
    /// reads only the last commit) still works, verify reports the damage at the same offset, a
    /// new append goes after the damage without rewriting a byte before it, and salvage still
    /// returns every other record.
    @Test func auditBundleOnDamagedFileThrowsJournalError() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sjournal")
        let journal = try makeJournal(at: path).journal
        for day in 1...5 { try journal.append(JournalEntry(text: "day \(day)")) }
        // Break the length prefix of the first record frame (just after the header region and the
        // creation checkpoint): the reader cannot walk past it.
        var bytes = try fileBytes(path)
        var reader = FrameReader(file: journal.file, to: UInt64(bytes.count))
        var firstRecord: StoredFrame?
        while let frame = try reader.next() { if frame.kind == .record { firstRecord = frame; break } }
        let target = try #require(firstRecord)
        bytes[Int(target.offset)] ^= 0xFF
        bytes[Int(target.offset) + 1] ^= 0xFF
        try writeFileBytes(bytes, to: path)

        var thrown: JournalError?
        do { _ = try journal.auditBundle(disclosing: [0]) } catch { thrown = error }
        let error = try #require(thrown)
        #expect(error.category == .damaged)
        if case let .corruptFrame(offset, _, _) = error { #expect(offset == target.offset) } else { Issue.record("got \(error)") }

        let passphrase = try testPassphrase()
        let report = Journal.verify(at: path)
        #expect(!report.isValid)
        #expect(report.problems.contains { $0.offset == target.offset })
        let reopened = try Journal.open(at: path, passphrase: passphrase, durability: .unsafeNoSync)
        try reopened.append(JournalEntry(text: "the next morning"))
        #expect(Array(try fileBytes(path).prefix(bytes.count)) == bytes)
        var salvaged: [UInt64] = []
        let damaged = try reopened.salvageRecords { salvaged.append($0.sequence) }
        #expect(salvaged == [1, 2, 3, 4, 5])
        #expect(damaged.count == 1)
    }

    @Test func missingFileIsNotFoundEverywhere() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("nothing-here.sjournal")
        #expect(throws: JournalError.notFound(path: path)) { try Journal.info(at: path) }
        #expect(throws: JournalError.notFound(path: path)) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(JournalError.notFound(path: path).category == .notFound)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

@Suite("Journal shape: async records, refresh, info, open-or-create")
struct JournalShapeTests {
    /// A cancelled task stops within one record (it used to read all of them), and the sequence's
    /// failure type is JournalError: this function only compiles because `Failure == JournalError`.
    @Test func asyncRecordsHonourCancellationAndAreTyped() async throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j.sjournal")).journal
        try journal.appendBatch((0..<2000).map { PendingRecord(JournalEntry(text: "entry \($0)")) })
        func count(_ journal: Journal) async throws(JournalError) -> Int {
            var seen = 0
            for try await _ in journal.records() {
                seen += 1
                if seen == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return seen
        }
        let seen = try await Task { try await count(journal) }.value
        #expect(seen == 3)
        // And an uncancelled task still reads everything.
        var all = 0
        for try await _ in journal.records() { all += 1 }
        #expect(all == 2000)
    }

    /// A second instance on the same file saw a stale recordCount; refresh() catches up, info() is
    /// read from the file, and the refreshed instance reads (and appends after) the new records.
    @Test func secondInstanceRefreshes() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sjournal")
        let writer = try makeJournal(at: path).journal
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        let other = try Journal.open(at: path, passphrase: testPassphrase(), durability: .unsafeNoSync)
        try writer.append(JournalEntry(text: "one"))
        try writer.append(JournalEntry(text: "two"))
        #expect(reader.recordCount == 0)
        #expect(try reader.info().recordCount == 2)
        #expect(try reader.refresh() == 2)
        #expect(try readAll(reader).map(\.sequence) == [0, 1])
        #expect(try other.refresh() == 2)
        try other.append(JournalEntry(text: "three"))
        #expect(try writer.refresh() == 3)
        #expect(try readAll(writer).count == 3)
        #expect(try reader.refresh() == 3)
        // Nothing changed: refresh is a no-op.
        #expect(try reader.refresh() == 3)
    }

    /// Two callers racing on a missing file: exactly one creates, the other opens what it
    /// created (it may arrive while the file is still empty), neither fails or replaces anything.
    @Test func openOrCreateRace() throws {
        let dir = try TemporaryDirectory()
        for trial in 0..<8 {
            let path = dir.file("race-\(trial)")
            let results = Locked<[Bool]>([])
            let failures = Locked<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    let opened = try Journal.openOrCreate(at: path, passphrase: try testPassphrase(), kdf: testKDF, durability: .unsafeNoSync)
                    results.withLock { $0.append(opened.wasCreated) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty)
            #expect(results.withLock { $0 }.filter { $0 }.count == 1 && results.withLock { $0 }.count == 2)
            #expect(Journal.verify(at: path).isValid)
        }
    }

    @Test func openOrCreateCreatesOnceThenOpens() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sjournal")
        let first = try Journal.openOrCreate(at: path, passphrase: testPassphrase(), kdf: testKDF, durability: .unsafeNoSync)
        #expect(first.wasCreated)
        #expect(first.recoveryKey != nil)
        try first.journal.append(JournalEntry(text: "kept"))
        let second = try Journal.openOrCreate(at: path, passphrase: testPassphrase(), kdf: testKDF, durability: .unsafeNoSync)
        #expect(!second.wasCreated)
        #expect(second.recoveryKey == nil)
        #expect(second.journal.recordCount == 1)
        // A wrong passphrase is refused, never "create instead".
        #expect(throws: JournalError.wrongPassphrase) {
            try Journal.openOrCreate(at: path, passphrase: testPassphrase("not the one at all"), kdf: testKDF)
        }
        // An empty file is reported, never replaced.
        let empty = dir.file("empty.sjournal")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(throws: JournalError.emptyFile(path: empty)) {
            try Journal.openOrCreate(at: empty, passphrase: testPassphrase(), kdf: testKDF)
        }
        // (Size from stat: Foundation's Data(contentsOf:) leaks a buffer on an empty file, which
        // LeakSanitizer would report.)
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.size] as? NSNumber)?.intValue == 0)
    }
}
