import Foundation
import Testing
@testable import SealedJournal

/// Reading ahead on a second thread and sealing a large batch on two cores must give exactly
/// what the one-thread paths give: the same records, in order, the same error at the same
/// record, the caller's closure on the caller's thread, and no thread left behind.
@Suite("Two-core read and seal paths behave exactly like the one-thread paths")
struct ParallelPathTests {
    static let recordCount = 600

    /// A journal of `recordCount` entries written as one large batch (sealed on two cores).
    static func makeLargeJournal(_ dir: TemporaryDirectory) throws -> (journal: Journal, path: String) {
        let path = dir.file("large.sj")
        let journal = try makeJournal(at: path).journal
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        let records = (0..<recordCount).map { PendingRecord(JournalEntry(text: "entry number \($0) " + String(repeating: "x", count: $0 % 300)), recordedAt: time) }
        try journal.appendBatch(records)
        return (journal, path)
    }

    /// Records through the one-thread cursor (the reference), and the error it stops with.
    static func sequentialRead(_ journal: Journal) -> (records: [JournalRecord], error: String?) {
        var records: [JournalRecord] = []
        do {
            var cursor = try journal.cursor()
            while let record = try cursor.next() { records.append(record) }
            return (records, nil)
        } catch {
            return (records, "\(error)")
        }
    }

    /// Set by the reading thread as its last act (so a check after `run` proves it had ended).
    final class ReaderEnded: Sendable {
        let flag = Locked(false)
        var ended: Bool { flag.withLock { $0 } }
        var callback: @Sendable () -> Void { { [flag] in flag.withLock { $0 = true } } }
    }

    @Test("a batch sealed on two cores reads back in order, verifies, and the next append follows it")
    func parallelSealedBatch() throws {
        let dir = try TemporaryDirectory()
        let (journal, path) = try Self.makeLargeJournal(dir)
        #expect(journal.recordCount == UInt64(Self.recordCount))
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            #expect(journal.state.withLock { $0.sealers != nil }, "the batch was sealed on several threads")
        }
        // Every record has a nonce of its own (the first 24 bytes of its frame body).
        let file = try AppendOnlyFile.open(path: path, writable: false)
        var frames = FrameReader(file: file, to: try file.size())
        var nonces = Set<[UInt8]>()
        var recordFrames = 0
        while let frame = try frames.next() {
            guard frame.kind == .record else { continue }
            recordFrames += 1
            nonces.insert(Array(frame.body.prefix(24)))
        }
        #expect(recordFrames == Self.recordCount && nonces.count == recordFrames)
        let reopened = try Journal.open(at: path, passphrase: testPassphrase("one day at a time"), mode: .readOnly)
        let records = Self.sequentialRead(reopened)
        #expect(records.error == nil)
        #expect(records.records.map(\.sequence) == (0..<UInt64(Self.recordCount)).map { $0 })
        for (index, record) in records.records.enumerated() {
            guard case let .entry(entry) = record.content else { Issue.record("record \(index) is not an entry"); continue }
            #expect(entry.text == "entry number \(index) " + String(repeating: "x", count: index % 300))
        }
        #expect(Journal.verify(at: path).isValid)
        #expect(reopened.verify().isValid)
        // What happens next: a one-record append and another large batch continue the sequence.
        let next = try journal.append(JournalEntry(text: "after the batch"))
        #expect(next.sequence == UInt64(Self.recordCount))
        try journal.appendBatch((0..<40).map { PendingRecord(JournalEntry(text: "second batch \($0)")) })
        #expect(Journal.verify(at: path).isValid)
        #expect(try readAll(journal).count == Self.recordCount + 41)
    }

    @Test("read-ahead delivers exactly the cursor's records, on the caller's thread, and leaves no thread")
    func readAheadMatchesCursor() throws {
        let dir = try TemporaryDirectory()
        let (journal, _) = try Self.makeLargeJournal(dir)
        #expect(ReadAhead.isWorthwhile(recordCount: journal.recordCount) == (ProcessInfo.processInfo.activeProcessorCount > 1))
        let reference = Self.sequentialRead(journal)
        var seen: [JournalRecord] = []
        let caller = pthread_self()
        var onOtherThread = 0
        let reader = ReaderEnded()
        try ReadAhead.run(journal: journal, filter: .all, readerEnded: reader.callback) { record in
            if pthread_equal(pthread_self(), caller) == 0 { onOtherThread += 1 }
            seen.append(record)
        }
        #expect(onOtherThread == 0)
        #expect(seen.map(\.sequence) == reference.records.map(\.sequence))
        #expect(seen.map(\.payload) == reference.records.map(\.payload))
        #expect(reader.ended)
        // A filter is applied on the reading thread exactly as the cursor applies it.
        var filtered: [UInt64] = []
        let filter = RecordFilter(containing: "number 59")
        try ReadAhead.run(journal: journal, filter: filter) { filtered.append($0.sequence) }
        var cursor = try journal.cursor(filter)
        var expected: [UInt64] = []
        while let record = try cursor.next() { expected.append(record.sequence) }
        #expect(filtered == expected && !expected.isEmpty)
    }

    @Test("the reading thread has let go of the journal when forEachRecord returns (its deinit runs at once, on the caller's thread)")
    func readerReleasesJournal() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.makeLargeJournal(dir).path
        for _ in 0..<20 {
            weak var released: Journal?
            try {
                let journal = try Journal.open(at: path, passphrase: testPassphrase("one day at a time"), mode: .readOnly)
                released = journal
                var count = 0
                try journal.forEachRecord { _ in count += 1 }
                #expect(count == Self.recordCount)
            }()
            #expect(released == nil)
        }
    }

    @Test("when the caller's closure throws, reading stops, its error comes back, and no thread is left")
    func readAheadStopsOnCallerError() throws {
        struct Stop: Error {}
        let dir = try TemporaryDirectory()
        let (journal, _) = try Self.makeLargeJournal(dir)
        var count = 0
        let reader = ReaderEnded()
        #expect(throws: Stop.self) {
            try ReadAhead.run(journal: journal, filter: .all, readerEnded: reader.callback) { _ in
                count += 1
                if count == 100 { throw Stop() }
            }
        }
        #expect(count == 100)
        #expect(reader.ended)
        // What happens next: the journal reads and appends as before.
        #expect(try readAll(journal).count == Self.recordCount)
        try journal.append(JournalEntry(text: "still writable"))
    }

    @Test("a damaged record or frame: read-ahead delivers every record before it, then the cursor's error",
          arguments: [(450, 0), (450, -1), (300, 1)])
    func readAheadDamage(recordIndex damagedIndex: Int, place: Int) throws {
        let dir = try TemporaryDirectory()
        let (_, path) = try Self.makeLargeJournal(dir)
        let file = try AppendOnlyFile.open(path: path, writable: false)
        var frames = FrameReader(file: file, to: try file.size())
        var recordIndex = 0
        var target: StoredFrame?
        while let frame = try frames.next() {
            guard frame.kind == .record else { continue }
            if recordIndex == damagedIndex { target = frame; break }
            recordIndex += 1
        }
        let frame = try #require(target)
        var bytes = try fileBytes(path)
        // 0: a byte of the ciphertext; -1: the frame's trailer; 1: the frame's length prefix.
        let at = place == 0 ? Int(frame.offset) + frame.bytes.count / 2 : place < 0 ? Int(frame.endOffset) - 2 : Int(frame.offset) + 1
        bytes[at] ^= 0x20
        try writeFileBytes(bytes, to: path)
        let damaged = try Journal.open(at: path, passphrase: testPassphrase("one day at a time"), mode: .readOnly)
        let reference = Self.sequentialRead(damaged)
        #expect(reference.records.count == damagedIndex && reference.error != nil)
        var seen: [UInt64] = []
        var thrown: String?
        let reader = ReaderEnded()
        do {
            try ReadAhead.run(journal: damaged, filter: .all, readerEnded: reader.callback) { seen.append($0.sequence) }
        } catch {
            thrown = "\(error)"
        }
        #expect(seen == reference.records.map(\.sequence))
        #expect(thrown == reference.error)
        #expect(reader.ended)
        // The public entry point takes the same path on this journal, with the same result.
        var publicSeen = 0
        #expect(throws: JournalError.self) { try damaged.forEachRecord { _ in publicSeen += 1 } }
        #expect(publicSeen == damagedIndex)
    }

    @Test("verify on two cores (batches hashed and opened in two halves) reports exactly what the in-order walk reports, damaged or not")
    func batchedVerifyMatchesInOrderWalk() throws {
        let dir = try TemporaryDirectory()
        let (journal, path) = try Self.makeLargeJournal(dir)
        try journal.appendBatch((0..<50).map { PendingRecord(JournalEntry(text: "second commit \($0)")) })
        let original = try fileBytes(path)
        // Record frames at both halves of a batch, a checkpoint, trailers and length prefixes.
        let file = try AppendOnlyFile.open(path: path, writable: false)
        var frames = FrameReader(file: file, to: try file.size())
        var places: [Int] = []
        var recordIndex = 0
        while let frame = try frames.next() {
            if frame.kind == .record {
                if [3, 200, 300, 511, 600, 640].contains(recordIndex) {
                    places += [Int(frame.offset) + frame.bytes.count / 2, Int(frame.offset) + 1, Int(frame.endOffset) - 2]
                }
                recordIndex += 1
            } else if frame.kind == .checkpoint, places.count < 40 {
                places.append(Int(frame.offset) + frame.bytes.count - 20)
            }
        }
        let masterKey = journal.masterKey, journalID = journal.journalID
        let tampered = dir.file("tampered.sj")
        var comparedDirectly = 0
        for place in [nil] + places.map(Optional.some) {
            var bytes = original
            if let place { bytes[place] ^= 0x10 }
            try writeFileBytes(bytes, to: tampered)
            for keyed in [false, true] {
                let cipher = keyed ? try RecordCipher(masterKey: masterKey, journalID: journalID) : nil
                let second = keyed ? try RecordCipher(masterKey: masterKey, journalID: journalID) : nil
                let twoCores = Verifier.run(path: tampered, options: .init(), cipher: cipher, secondCipher: second, progress: nil, deferSignatures: true)
                let inOrder = Verifier.run(path: tampered, options: .init(), cipher: cipher, progress: nil, deferSignatures: false)
                let place = place.map(String.init) ?? "none"
                // (A checkpoint text that failed on the second core leaves the finding to the redo.)
                #expect(twoCores.isValid == (place == "none") || twoCores.deferredCheckFailed, "flip at \(place), keyed \(keyed)")
                #expect(twoCores.deferredCheckFailed || twoCores.description == inOrder.description,
                        "flip at \(place), keyed \(keyed):\n\(twoCores.description)\n---\n\(inOrder.description)")
                #expect(twoCores.recordsOpened == inOrder.recordsOpened || twoCores.deferredCheckFailed)
                if !twoCores.deferredCheckFailed { comparedDirectly += 1 }
            }
        }
        #expect(places.count >= 25 && comparedDirectly >= 2 * 18, "the record flips are found by the batched walk itself")
        // The public entry points agree with the in-order walk too (they redo a deferred failure).
        #expect(Journal.verify(at: path).isValid && journal.verify().isValid)
    }

    @Test("split work covers every item exactly once, never lends one state to two parts at once, and hands a state it cannot make to failed")
    func splitWork() throws {
        final class Token: @unchecked Sendable {}
        let made = Locked(0)
        let inUse = Locked(Set<ObjectIdentifier>())
        let seen = Locked([Int](repeating: 0, count: 1000))
        let work = SplitWork<Token>(minimumPartCount: 4) {
            made.withLock { $0 += 1 }
            return Token()
        }
        for _ in 0..<20 {
            work.run(count: 1000, maximumParts: 16, { range, token in
                let id = ObjectIdentifier(token)
                #expect(inUse.withLock { $0.insert(id).inserted }, "a state lent to two parts at once")
                for index in range { seen.withLock { $0[index] += 1 } }
                usleep(200)
                inUse.withLock { _ = $0.remove(id) }
            }, failed: { _, error in Issue.record("\(error)") })
        }
        #expect(seen.withLock { $0 }.allSatisfy { $0 == 20 })
        // States are kept for the next call: at most one per thread that ever ran a part.
        #expect(made.withLock { $0 } <= ProcessInfo.processInfo.activeProcessorCount + 1)
        struct CannotMake: Error {}
        let failing = SplitWork<Token>(minimumPartCount: 1) { throw CannotMake() }
        let failed = Locked([Range<Int>]())
        failing.run(count: 10, { _, _ in Issue.record("ran without a state") }, failed: { range, error in
            #expect(error is CannotMake)
            failed.withLock { $0.append(range) }
        })
        #expect(failed.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }.flatMap { Array($0) } == Array(0..<10))
    }

    @Test("a batch sealed in parts throws the first failing record's error, whichever part fails first in time")
    func sealingInPartsThrowsFirstFailure() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("t.sj")).journal
        var inputs = try (0..<64).map { try PendingRecord(JournalEntry(text: "part \($0)")).sealInput() }
        let valid = inputs[0]
        // Record 15 (the end of the first part): a kind name too long for the envelope; record 16
        // (the start of the second, which fails sooner in time): a day outside years 0001-9999.
        inputs[15] = SealInput(plaintext: valid.plaintext, envelope: RecordEnvelope(kind: String(repeating: "k", count: 300), day: valid.envelope.day), amends: nil)
        inputs[16] = SealInput(plaintext: valid.plaintext, envelope: RecordEnvelope(kind: valid.envelope.kind, day: Int32.max), amends: nil)
        let cipher = try RecordCipher(masterKey: journal.masterKey, journalID: journal.journalID)
        let sealers = Journal.sealers(masterKey: journal.masterKey, journalID: journal.journalID)
        for _ in 0..<5 {
            let error = #expect(throws: (any Error).self) { try Journal.sealFrames(inputs, firstSequence: 0, cipher: cipher, sealers: sealers) }
            #expect("\(String(describing: error))".contains("kind"), "\(String(describing: error))")
        }
        inputs[15] = valid
        let error = #expect(throws: (any Error).self) { try Journal.sealFrames(inputs, firstSequence: 0, cipher: cipher, sealers: sealers) }
        #expect("\(String(describing: error))".contains("day"), "\(String(describing: error))")
        inputs[16] = valid
        #expect(try Journal.sealFrames(inputs, firstSequence: 0, cipher: cipher, sealers: sealers).count == 64)
    }

    @Test("the hand-over never holds more than its capacity, and an abandoned producer stops")
    func boundedChannel() throws {
        let capacity = 3
        let channel = BoundedChannel<Int>(capacity: capacity)
        let putsReturned = Locked(0)
        let done = DispatchSemaphore(value: 0)
        let producer = Thread {
            for value in 0..<200 {
                guard channel.put(value) else { break }
                putsReturned.withLock { $0 += 1 }
            }
            channel.finish()
            done.signal()
        }
        producer.start()
        var taken: [Int] = []
        var mostAhead = 0
        while let value = channel.take() {
            taken.append(value)
            // Items put but not yet taken never exceed the capacity.
            mostAhead = max(mostAhead, putsReturned.withLock { $0 } - taken.count)
            if taken.count % 7 == 0 { usleep(200) }
        }
        done.wait()
        #expect(taken == Array(0..<200))
        #expect(mostAhead <= capacity)

        // A consumer that leaves: the blocked producer's put returns false and it stops.
        let abandoned = BoundedChannel<Int>(capacity: 1)
        let stopped = DispatchSemaphore(value: 0)
        let gaveUpAt = Locked(-1)
        let blocked = Thread {
            for value in 0..<10 where !abandoned.put(value) {
                gaveUpAt.withLock { $0 = value }
                break
            }
            stopped.signal()
        }
        blocked.start()
        #expect(abandoned.take() == 0)
        abandoned.abandon()
        stopped.wait()
        #expect(gaveUpAt.withLock { $0 } >= 1)
    }

    @Test("the digest hashed on its own thread equals SHA-256 of the bytes, threaded or not, and wipes every piece in place")
    func pieceDigest() throws {
        var bytes = [UInt8](repeating: 0, count: 700_000)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) | 1 }
        let expected = try SHA256.hash(bytes)
        for threaded in [true, false] {
            let digest = PieceDigest(pieceByteCount: 65_536, threaded: threaded)
            var offset = 0
            var added: [PlaintextPiece] = []
            while offset < bytes.count {
                let piece = digest.emptyPiece()
                #expect(piece.isWiped, "a piece comes back wiped and empty")
                let take = min(65_536 - (added.count % 3) * 1000, bytes.count - offset)
                #expect(bytes[offset..<(offset + take)].withUnsafeBytes { piece.append($0) } == take)
                added.append(piece)
                digest.add(piece)
                offset += take
            }
            #expect(digest.finish() == expected, "threaded: \(threaded)")
            // Every piece handed over (the test kept a reference to each) was wiped in place.
            #expect(added.allSatisfy { $0.isWiped })
            if threaded {
                let distinct = Set(added.map { ObjectIdentifier($0) }).count
                #expect(distinct <= PieceDigest.maximumPieces && added.count > distinct, "pieces are reused, never more than the bound")
            }
        }
    }

    @Test("a disclosed export of many pieces records the SHA-256 that coreutils' sha256sum computes of the file",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "needs coreutils' sha256sum"))
    func disclosureDigestOfLargeExport() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("digest.sj")
        let journal = try makeJournal(at: path).journal
        try journal.appendBatch((0..<400).map { PendingRecord(JournalEntry(text: "entry \($0) " + String(repeating: "é", count: 500))) })
        let exported = dir.file("export.ndjson")
        _ = FileManager.default.createFile(atPath: exported, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: exported))
        let shared = try journal.disclose(OwnerExport.Records(format: .ndjson), to: DisclosureRequest(recipient: "test", purpose: "digest"),
                                          output: DisclosureOutput(write: { try handle.write(contentsOf: $0) }))
        try handle.close()
        #expect(shared.summary == 400)
        #expect(try fileBytes(exported).count > 4 * 65_536)
        let sha256sum = Process()
        sha256sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha256sum.arguments = [exported]
        let pipe = Pipe()
        sha256sum.standardOutput = pipe
        try sha256sum.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sha256sum.waitUntilExit()
        #expect(shared.disclosure.digest == output.split(separator: " ").first.map(String.init))
        // What happens next: the disclosure is the journal's last record, and the journal verifies.
        #expect(try journal.lastRecords(1).first?.kind == .disclosure)
        #expect(Journal.verify(at: path).isValid)
    }
}
