import Foundation
import Testing
@testable import SealedJournal

@Suite("Bad input gets a clear, specific error")
struct BadInputTests {
    @Test("zero-length file")
    func emptyFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("empty")
        try writeFileBytes([], to: path)
        #expect(throws: JournalError.emptyFile(path: path)) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(throws: JournalError.emptyFile(path: path)) { try Journal.info(at: path) }
        #expect(!Journal.verify(at: path).isValid)
    }

    @Test("foreign files: text, random bytes, a short file")
    func foreignFiles() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("foreign")
        for bytes in [Array("Dear diary, this is plain text.\n".utf8), (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }, [0x53]] {
            try writeFileBytes(bytes, to: path)
            #expect(throws: JournalError.notAJournal(path: path)) { try Journal.open(at: path, passphrase: testPassphrase()) }
            let report = Journal.verify(at: path)
            #expect(!report.isValid && report.problems[0].message.contains("not a SealedJournal"))
        }
    }

    @Test("a missing file is its own error, naming the path (no errno needed to tell)")
    func missingFile() throws {
        let path = "/nonexistent/dir/journal.sj"
        #expect(throws: JournalError.notFound(path: path)) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(throws: JournalError.notFound(path: path)) { try Journal.info(at: path) }
        #expect(JournalError.notFound(path: path).category == .notFound)
        #expect(JournalError.wrongPassphrase.category == .wrongSecret && JournalError.damaged(offset: 1, reason: "x").category == .damaged)
    }

    @Test("unknown format version")
    func unknownVersion() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        _ = try makeJournal(at: path)
        var bytes = try fileBytes(path)
        bytes[8] = 3
        bytes[4096 + 8] = 3
        try writeFileBytes(bytes, to: path)
        #expect(throws: JournalError.unsupportedVersion(found: 3, supported: 2)) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(throws: JournalError.unsupportedVersion(found: 3, supported: 2)) { try Journal.info(at: path) }
        #expect(JournalError.unsupportedVersion(found: 3, supported: 2).description.contains("upgrade"))
        #expect(try fileBytes(path) == bytes, "an unknown version is never rewritten")
        // A version-1 journal (SealedJournal 0.1) is refused with the way to migrate it.
        bytes[8] = 1
        bytes[4096 + 8] = 1
        try writeFileBytes(bytes, to: path)
        let error = #expect(throws: JournalError.unsupportedVersion(found: 1, supported: 2)) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(error?.description.contains("import") == true)
    }

    @Test("one damaged header copy still opens; write-open repairs it; verify reports it")
    func oneDamagedHeaderCopy() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        try makeJournal(at: path).journal.append(JournalEntry(text: "x"))
        var bytes = try fileBytes(path)
        bytes[4096 + 100] ^= 0xFF
        try writeFileBytes(bytes, to: path)
        let report = Journal.verify(at: path)
        #expect(!report.isValid && report.intactHeaderCopies == 1)
        // The damaged copy is the problem, and no "ok" line about the header suggests all is well.
        #expect(report.problems.first?.message.hasPrefix("header copy 2 is damaged") == true, "\(report.problems)")
        #expect(!report.checks.contains { $0.hasPrefix("header") }, "\(report.checks)")
        _ = try Journal.open(at: path, passphrase: testPassphrase())
        let repaired = Journal.verify(at: path)
        #expect(repaired.isValid && repaired.checks.contains("header: 2 of 2 copies intact (signature over every byte)"))
        // Both copies damaged: a clear error.
        bytes = try fileBytes(path)
        bytes[100] ^= 0xFF
        bytes[4096 + 100] ^= 0xFF
        try writeFileBytes(bytes, to: path)
        #expect(throws: JournalError.self) { try Journal.open(at: path, passphrase: testPassphrase()) }
        let error = #expect(throws: JournalError.self) { try Journal.info(at: path) }
        #expect(error?.description.contains("header signature does not verify") == true, "\(String(describing: error))")
    }

    @Test("a header from another journal")
    func foreignHeader() throws {
        let dir = try TemporaryDirectory()
        let a = dir.file("a"), b = dir.file("b")
        try makeJournal(at: a).journal.append(JournalEntry(text: "a"))
        try makeJournal(at: b).journal.append(JournalEntry(text: "b"))
        var bytesA = try fileBytes(a)
        let bytesB = try fileBytes(b)
        bytesA.replaceSubrange(0..<8192, with: bytesB[0..<8192])
        try writeFileBytes(bytesA, to: a)
        do {
            _ = try Journal.open(at: a, passphrase: testPassphrase())
            Issue.record("opened a journal with a foreign header")
        } catch JournalError.headerMismatch(let path, _) {
            #expect(path == a)
        }
        #expect(!Journal.verify(at: a).isValid)
        // Only the second copy replaced: the two copies disagree.
        let c = dir.file("c")
        _ = try makeJournal(at: c)
        var bytesC = try fileBytes(c)
        bytesC.replaceSubrange(4096..<8192, with: bytesB[0..<4096])
        try writeFileBytes(bytesC, to: c)
        #expect(throws: JournalError.headerMismatch(path: c, reason: "the two header copies belong to different journals")) {
            try Journal.open(at: c, passphrase: testPassphrase())
        }
    }

    @Test("a record spliced in from another journal")
    func splicedRecord() throws {
        let dir = try TemporaryDirectory()
        let a = dir.file("a"), b = dir.file("b")
        try makeJournal(at: a).journal.append(JournalEntry(text: "mine"))
        try makeJournal(at: b).journal.append(JournalEntry(text: "gone"))
        let recordOffset = try 8192 + checkpointFrameLength(a)
        var bytesA = try fileBytes(a)
        let bytesB = try fileBytes(b)
        let length = Int(bytesA.littleEndianUInt32(at: recordOffset)) + 9
        #expect(Int(bytesB.littleEndianUInt32(at: recordOffset)) + 9 == length)
        bytesA.replaceSubrange(recordOffset..<recordOffset + length, with: bytesB[recordOffset..<recordOffset + length])
        try writeFileBytes(bytesA, to: a)
        let report = Journal.verify(at: a)
        #expect(!report.isValid)
        let before = try fileBytes(a)
        // Read-only: what is intact is readable (nothing here), and the damage is reported.
        let reader = try Journal.open(at: a, passphrase: testPassphrase(), mode: .readOnly)
        #expect(try readAll(reader).isEmpty)
        #expect(reader.warningsAtOpen.contains { $0.contains("do not match its checkpoint") }, "\(reader.warningsAtOpen)")
        // Write-open refuses, naming where.
        let error = #expect(throws: JournalError.self) { try Journal.open(at: a, passphrase: testPassphrase()) }
        guard case let .damaged(offset, _)? = error else { Issue.record("expected damaged, got \(String(describing: error))"); return }
        #expect(offset == UInt64(recordOffset + length))
        #expect(try fileBytes(a) == before, "a damaged commit is reported, never cut off")
    }

    private func checkpointFrameLength(_ path: String) throws -> Int {
        let bytes = try fileBytes(path)
        return Int(bytes.littleEndianUInt32(at: 8192)) + 9
    }

    @Test("a hostile key slot asking for huge Argon2id work is refused before any work")
    func hostileKDFLimits() throws {
        // Build a header whose passphrase slot asks for 64 passes and 1 TiB, signed with a fresh key.
        let signing = try Ed25519.SigningKey(seed: SecretBytes.random(count: 32))
        let slot = KeySlot(kind: .passphrase(opsLimit: 64, memoryLimitBytes: 1 << 40, salt: [UInt8](repeating: 1, count: 16)),
                           wrappedKey: [UInt8](repeating: 0, count: KeySlot.wrappedKeyByteCount))
        let header = FileHeader(sequence: 1, journalID: [UInt8](repeating: 2, count: 16), publicKey: signing.publicKey, keySlots: [slot])
        let copy = try header.encodeCopy(signingKey: signing)
        let checkpoint = Checkpoint.sign(journalID: header.journalID, treeSize: 0, rootHash: CompactRange().root,
                                         headerBinding: HeaderBinding(sequence: 1, digest: FileHeader.digest(ofCopy: copy)), frameOffset: 8192, key: signing)
        let frame = CheckpointFrame(treeSize: 0, frameOffset: 8192, previousFrameOffset: 0, compactRange: CompactRange(), noteText: checkpoint.text)
        let dir = try TemporaryDirectory()
        let path = dir.file("hostile")
        try writeFileBytes(copy + copy + Frame.encode(kind: .checkpoint, body: frame.encodeBody()), to: path)
        #expect(Journal.verify(at: path).isValid, "structurally valid")
        #expect(throws: JournalError.keyDerivationLimitExceeded(opsLimit: 64, memoryLimitBytes: 1 << 40)) {
            try Journal.open(at: path, passphrase: testPassphrase())
        }
    }

    @Test("errors never quote content")
    func errorsAreClean() throws {
        let marker = "MARKER-secret-9a1b"
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        var messages: [String] = []
        do { try journal.append(CheckIn(day: try LocalDate("2026-01-01"), mood: 0, craving: 0, use: .sober, note: marker)) } catch { messages.append("\(error)") }
        do { try journal.append(JournalEntry(text: marker, tags: [" "])) } catch { messages.append("\(error)") }
        do { _ = try Journal.open(at: dir.file("j"), passphrase: testPassphrase(marker)) } catch { messages.append("\(error)") }
        do { _ = try RecoveryKey(marker) } catch { messages.append("\(error)") }
        #expect(messages.count == 4)
        for message in messages { #expect(!message.contains(marker), "\(message)") }
    }
}
