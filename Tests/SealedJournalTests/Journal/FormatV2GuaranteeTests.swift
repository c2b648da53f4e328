import Foundation
import Testing
@testable import SealedJournal

/// Seals raw bytes as record `sequence` of `journal` — content and envelope exactly as given,
/// unchecked — so tests can commit what only a faulty or hostile writer holding the key could.
func sealRawFrame(_ journal: Journal, sequence: UInt64, paddedContent: [UInt8],
                  envelope: [UInt8]? = nil) throws -> [UInt8] {
    let root = try KeyDerivation.deriveSubkey(length: 32, id: 1, context: RecordSealing.rootKeyContext, masterKey: journal.masterKey)
    let nonce = try RandomBytes.generate(count: 24)
    let envelopeBytes = try envelope ?? RecordEnvelope(kind: "entry", day: 20000).encode()
    func seal(_ plaintext: [UInt8], _ label: [UInt8], _ part: RecordSealing.Part, _ sealedEnvelope: [UInt8] = []) throws -> [UInt8] {
        var key = [UInt8](repeating: 0, count: 32)
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        let aad = part == .envelope ? RecordSealing.associatedData(journalID: journal.journalID, sequence: sequence, part: part)
            : try RecordSealing.contentAssociatedData(journalID: journal.journalID, sequence: sequence, sealedEnvelope: sealedEnvelope)
        try nonce.withUnsafeBytes { n in
            let message = RecordSealing.keyMessage(label: label, sequence: sequence, nonce: n)
            try key.withUnsafeMutableBytes { k in
                try root.withUnsafeBytes { r in try message.withUnsafeBytes { try BLAKE2b.keyedHash(into: k, message: $0, key: r) } }
            }
            try out.withUnsafeMutableBytes { o in
                try key.withUnsafeBytes { k in
                    try plaintext.withUnsafeBytes { p in try aad.withUnsafeBytes { try XChaCha20Poly1305.encrypt(into: o, plaintext: p, nonce: n, key: k, associatedData: $0) } }
                }
            }
        }
        return out
    }
    let sealedEnvelope = try seal(envelopeBytes, RecordSealing.envelopeLabel, .envelope)
    let covered = nonce + sealedEnvelope + (try seal(paddedContent, RecordSealing.contentLabel, .content, sealedEnvelope))
    var tag = [UInt8](repeating: 0, count: 32)
    let message = RecordSealing.ownerTagPrefix(journalID: journal.journalID, sequence: sequence) + covered
    try tag.withUnsafeMutableBytes { t in try root.withUnsafeBytes { r in try message.withUnsafeBytes { try BLAKE2b.keyedHash(into: t, message: $0, key: r) } } }
    return Frame.encode(kind: .record, body: covered + tag)
}

/// A padded content plaintext built field by field (no validation).
func rawContent(version: UInt8 = 2, kind: String = "entry", milliseconds: Int64 = 1_790_000_000_000, offset: Int32 = 0,
                payload: [UInt8] = Array("{\"tags\":[],\"text\":\"x\"}".utf8)) -> [UInt8] {
    var writer = ByteWriter()
    writer.write(version)
    writer.write(UInt8(kind.utf8.count))
    writer.write(Array(kind.utf8))
    writer.write(milliseconds)
    writer.write(UInt32(bitPattern: offset))
    writer.write(UInt32(payload.count))
    writer.write(payload)
    let unpadded = writer.bytes.count
    writer.write(UInt8(0x80))
    writer.writeZeros(RecordPlaintext.paddedByteCount(forUnpadded: unpadded) - unpadded - 1)
    return writer.bytes
}

@Suite("Format v2: damage is reported, never repaired away")
struct DamageRuleTests {
    @Test("every single-byte flip in the last two commits: a write-open cuts nothing or refuses, and repair then loses no intact record")
    func flipsInLastCommits() throws {
        let journal = try SmallJournal()
        let scratch = journal.dir.file("flipped.sj")
        let start = journal.commits[journal.commits.count - 3].size
        var refused = 0, opened = 0
        // The repair that follows runs on every 37th flip (every 5th when the flips are sampled).
        let flips = Exhaustive.cases(start..<journal.bytes.count), repairEvery = Exhaustive.isSampled ? 5 : 37
        for (position, index) in flips.enumerated() {
            var bytes = journal.bytes
            bytes[index] ^= index % 2 == 0 ? 0x01 : 0x80
            try writeFileBytes(bytes, to: scratch)
            do {
                let writer = try Journal.open(at: scratch, passphrase: testPassphrase())
                opened += 1
                #expect(writer.tornTailBytesAtOpen == 0, "flip at \(index): a write-open cut \(writer.tornTailBytesAtOpen) bytes")
            } catch {
                refused += 1
            }
            #expect(try fileBytes(scratch) == bytes, "flip at \(index): the write-open changed the file")
            // What happens next, on a sample: repair keeps every removed byte and every record
            // that still authenticates; the journal verifies and takes new records.
            if position % repairEvery == 0, (try? Journal.open(at: scratch, passphrase: testPassphrase())) == nil {
                let report = try Journal.repair(at: scratch, passphrase: testPassphrase())
                if let side = report.savedTo {
                    #expect(try fileBytes(side) == Array(bytes[Int(report.removedFromOffset)...]))
                    try FileManager.default.removeItem(atPath: side)
                }
                let repaired = try Journal.open(at: scratch, passphrase: testPassphrase())
                let records = try readAll(repaired).filter { $0.kind != RecordKind.repair }
                for record in records {
                    #expect(record.payload == journal.records[Int(record.sequence)].payload, "flip at \(index): record \(record.sequence) changed")
                }
                try repaired.append(JournalEntry(text: "after repair"))
                #expect(Journal.verify(at: scratch).isValid || index < journal.commits[journal.commits.count - 2].size,
                        "flip at \(index): the repaired journal verifies unless the damage is in an earlier commit")
            }
        }
        #expect(refused > 0 && opened > 0)
    }

    @Test("a damaged intermediate checkpoint whose records are intact loses nothing: write-open and appends work, verify names it")
    func damagedIntermediateCheckpoint() throws {
        let journal = try SmallJournal()
        let scratch = journal.dir.file("intermediate.sj")
        // The signature of the checkpoint of the second commit (a later signed checkpoint covers its records).
        let note = Array(journal.commits[2].checkpoint.utf8)
        let noteStart = try #require(firstIndex(of: note, in: journal.bytes))
        var bytes = journal.bytes
        bytes[noteStart + note.count - 10] ^= 0x01
        try writeFileBytes(bytes, to: scratch)
        let report = Journal.verify(at: scratch)
        #expect(!report.isValid && report.problems[0].message.contains("checkpoint"), "\(report)")
        let writer = try Journal.open(at: scratch, passphrase: testPassphrase())
        #expect(try readAll(writer).map(\.payload) == journal.records.map(\.payload))
        try writer.append(JournalEntry(text: "still writable"))
        #expect(try readAll(try Journal.open(at: scratch, passphrase: testPassphrase(), mode: .readOnly)).count == journal.records.count + 1)
    }
}

@Suite("Format v2: a disclosed record key opens exactly one record, ever")
struct RecordKeyUniquenessTests {
    @Test("disclose record k, roll the file back, append a different record k: the disclosed keys do not open it")
    func rollbackGetsNewKeys() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "zero"))
        let beforeK = try fileBytes(path)
        try journal.append(JournalEntry(text: "one, disclosed"))
        let bundle = try journal.auditBundle(disclosing: [1])
        let disclosed = try #require(bundle.records.first)
        let contentKey = [UInt8](Data(base64Encoded: try #require(disclosed.contentKey))!)
        let envelopeKey = [UInt8](Data(base64Encoded: disclosed.envelopeKey)!)
        try writeFileBytes(beforeK, to: path)  // rollback to one record
        let reopened = try Journal.open(at: path, passphrase: testPassphrase(), durability: .unsafeNoSync)
        let receipt = try reopened.append(JournalEntry(text: "one, rewritten after the rollback"))
        #expect(receipt.sequence == 1)
        let frame = try FrameReader.frame(in: AppendOnlyFile.open(path: path, writable: false), at: UInt64(beforeK.count),
                                          end: UInt64(try fileBytes(path).count))
        #expect(throws: (any Error).self) {
            try contentKey.withUnsafeBytes { try RecordSealing.openContent(body: frame.body, key: $0, journalID: reopened.journalID, sequence: 1) }
        }
        #expect(throws: (any Error).self) {
            try envelopeKey.withUnsafeBytes { try RecordSealing.openEnvelope(body: frame.body, key: $0, journalID: reopened.journalID, sequence: 1) }
        }
        // The new record's own keys open it.
        #expect(try reopened.record(at: 1).decode(JournalEntry.self).text == "one, rewritten after the rollback")
    }
}

@Suite("Format v2: key changes lock out the old secrets")
struct KeyChangeTests {
    @Test("writing old header copies back after a passphrase change is caught by keyless verify, by a held checkpoint, and by a write-open")
    func headerRollback() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "before"))
        let oldHeader = Array(try fileBytes(path).prefix(8192))
        try journal.changePassphrase(to: testPassphrase("new and better passphrase"), kdf: testKDF)
        let held = journal.latestCheckpoint.text
        #expect(Journal.verify(at: path, options: .init(heldCheckpoint: held)).isValid)
        var bytes = try fileBytes(path)
        bytes.replaceSubrange(0..<8192, with: oldHeader)
        try writeFileBytes(bytes, to: path)
        let keyless = Journal.verify(at: path)
        #expect(!keyless.isValid && keyless.problems.contains { $0.message.contains("old header copies were written back") }, "\(keyless)")
        #expect(!Journal.verify(at: path, options: .init(heldCheckpoint: held)).isValid)
        #expect(throws: JournalError.self) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(try fileBytes(path) == bytes, "the refused write-open changed nothing")
        let readOnly = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(readOnly.warningsAtOpen.contains { $0.contains("header is older") })
    }

    @Test("rekey: the old passphrase, recovery key, header and signing key open or sign nothing in the new file; the old fingerprint can follow")
    func rekeyRevokes() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let created = try makeJournal(at: path)
        let journal = created.journal
        for index in 0..<5 { try journal.append(JournalEntry(text: "entry \(index)")) }
        let other = try Journal.open(at: path, passphrase: testPassphrase(), durability: .unsafeNoSync)  // another writer, opened before
        let oldFingerprint = journal.fingerprint
        let oldCheckpoint = journal.latestCheckpoint.text
        let oldHeader = Array(try fileBytes(path).prefix(8192))
        let oldSigningKey = journal.signingKey
        let result = try journal.rekey(to: testPassphrase("after the leak"), kdf: testKDF, omitting: [1, 2])
        let successor = result.journal
        #expect(result.carriedRecords == 3 && result.omittedRecords == [1, 2] && result.previousFingerprint == oldFingerprint)
        #expect(successor.fingerprint != oldFingerprint && successor.journalIDHex != journal.journalIDHex)
        #expect(try readAll(successor).map { try $0.decode(JournalEntry.self).text } == ["entry 0", "entry 3", "entry 4"])
        #expect(throws: JournalError.wrongPassphrase) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(throws: JournalError.wrongRecoveryKey) { try Journal.open(at: path, recoveryKey: created.recoveryKey) }
        #expect(try Journal.open(at: path, recoveryKey: result.recoveryKey).recordCount == 3)
        // The retired instance and the other writer cannot append to the replaced file.
        #expect(throws: JournalError.journalReplaced(path: path)) { try journal.append(JournalEntry(text: "lost?")) }
        #expect(throws: JournalError.journalReplaced(path: path)) { try other.append(JournalEntry(text: "lost?")) }
        // Verification: the old fingerprint follows the signed statement to the new one.
        let followed = Journal.verify(at: path, options: .init(fingerprint: oldFingerprint))
        #expect(followed.isValid && followed.notes.contains { $0.contains(successor.fingerprint.description) }, "\(followed)")
        #expect(followed.notes.contains { $0.contains("left out 2 record(s)") })
        let heldOld = Journal.verify(at: path, options: .init(heldCheckpoint: oldCheckpoint))
        // Even exactly at the rekey point, a checkpoint of the retired key vouches for nothing after it.
        #expect(!heldOld.isValid && heldOld.problems.first?.message.contains("a rekey re-seals every record") == true, "\(heldOld)")
        #expect(!Journal.verify(at: path, options: .init(fingerprint: Fingerprint("0000:0000:0000:0000:0000:0000:0000:0000"))).isValid)
        // The old header written over the new file opens nothing.
        let newBytes = try fileBytes(path)
        var withOldHeader = newBytes
        withOldHeader.replaceSubrange(0..<8192, with: oldHeader)
        try writeFileBytes(withOldHeader, to: path)
        #expect(throws: JournalError.self) { try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly) }
        #expect(!Journal.verify(at: path).isValid)
        // A commit signed with the old key is not accepted in the new file.
        try writeFileBytes(newBytes, to: path)
        let state = successor.state.withLock { $0 }
        let forged = Checkpoint.sign(journalID: successor.journalID, treeSize: 3, rootHash: state.tail.checkpoint.rootHash,
                                     headerBinding: state.header.binding, frameOffset: UInt64(newBytes.count), key: oldSigningKey)
        let frame = CheckpointFrame(treeSize: 3, frameOffset: UInt64(newBytes.count), previousFrameOffset: state.tail.frame.frameOffset,
                                    compactRange: state.tail.frame.compactRange, noteText: forged.text)
        try writeFileBytes(newBytes + Frame.encode(kind: .checkpoint, body: frame.encodeBody()), to: path)
        #expect(!Journal.verify(at: path).isValid)
    }

    @Test("rekey refuses to erase a record an amendment still points at, and changes nothing")
    func rekeyErasureNeedsAmendments() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "target"))
        try journal.append(Amendment(amends: 0, text: "fix"))
        let before = try fileBytes(path)
        #expect(throws: JournalError.self) { try journal.rekey(to: testPassphrase("x y z w v"), kdf: testKDF, omitting: [0]) }
        #expect(try fileBytes(path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["j"], "no temporary file is left")
        let both = try journal.rekey(to: testPassphrase("x y z w v"), kdf: testKDF, omitting: [0, 1])
        #expect(both.journal.recordCount == 0 && Journal.verify(at: path).isValid)
        // An amendment kept across a rekey points at the target's new position.
        try both.journal.append(JournalEntry(text: "a"))
        try both.journal.append(JournalEntry(text: "b"))
        try both.journal.append(Amendment(amends: 1, text: "fix b"))
        let again = try both.journal.rekey(to: testPassphrase("x y z w v"), kdf: testKDF, omitting: [0])
        #expect(try again.journal.record(at: 1).decode(Amendment.self).amends == 0)
    }
}

@Suite("Format v2: a hostile header cannot make opening cost minutes")
struct HostileHeaderTests {
    func journalWithSlots(_ slots: [KeySlot], in dir: TemporaryDirectory) throws -> (path: String, fingerprint: Fingerprint) {
        let signing = try Ed25519.SigningKey(seed: SecretBytes.random(count: 32))
        let header = FileHeader(sequence: 1, journalID: [UInt8](repeating: 2, count: 16), publicKey: signing.publicKey, keySlots: slots)
        var writer = ByteWriter()
        writer.write(FileHeader.magic)
        let copy = try header.encodeCopy(signingKey: signing)
        _ = writer
        let checkpoint = Checkpoint.sign(journalID: header.journalID, treeSize: 0, rootHash: CompactRange().root,
                                         headerBinding: HeaderBinding(sequence: 1, digest: FileHeader.digest(ofCopy: copy)), frameOffset: 8192, key: signing)
        let frame = CheckpointFrame(treeSize: 0, frameOffset: 8192, previousFrameOffset: 0, compactRange: CompactRange(), noteText: checkpoint.text)
        let path = dir.file("hostile-\(slots.count)")
        try writeFileBytes(copy + copy + Frame.encode(kind: .checkpoint, body: frame.encodeBody()), to: path)
        return (path, Fingerprint.of(publicKey: signing.publicKey))
    }

    func passphraseSlot(ops: UInt64, memory: UInt64) -> KeySlot {
        KeySlot(kind: .passphrase(opsLimit: ops, memoryLimitBytes: memory, salt: [UInt8](repeating: 1, count: 16)),
                wrappedKey: [UInt8](repeating: 0, count: KeySlot.wrappedKeyByteCount))
    }

    @Test("at most one passphrase slot; work above the cap is refused before any Argon2id; a pinned fingerprint is checked first")
    func boundedUnlock() throws {
        let dir = try TemporaryDirectory()
        let signing = try Ed25519.SigningKey(seed: SecretBytes.random(count: 32))
        let two = FileHeader(sequence: 1, journalID: [UInt8](repeating: 2, count: 16), publicKey: signing.publicKey,
                             keySlots: [passphraseSlot(ops: 1, memory: 8192), passphraseSlot(ops: 1, memory: 8192)])
        #expect(throws: FormatError.self) { try two.encodeCopy(signingKey: signing) }
        // Each bound on its own: too many passes, too much memory, too much work.
        for (ops, memory) in [(UInt64(17), UInt64(8192)), (1, (1 << 30) + 1024), (16, 1 << 30), (9, 1 << 30), (0, 8192)] {
            let (path, _) = try journalWithSlots([passphraseSlot(ops: ops, memory: memory)], in: dir)
            #expect(throws: JournalError.keyDerivationLimitExceeded(opsLimit: ops, memoryLimitBytes: memory)) {
                try Journal.open(at: path, passphrase: testPassphrase())
            }
            try FileManager.default.removeItem(atPath: path)
        }
        // The most expensive acceptable slot (8 passes x 1 GiB, seconds of work) is never run when the
        // pinned fingerprint does not match: the mismatch is reported first.
        let (path, fingerprint) = try journalWithSlots([passphraseSlot(ops: 8, memory: 1 << 30)], in: dir)
        // The error proves the order: had Argon2id run first, the wrong passphrase would be the error.
        let zero = try #require(Fingerprint("0000:0000:0000:0000:0000:0000:0000:0000"))
        #expect(throws: JournalError.fingerprintMismatch(expected: zero, found: fingerprint)) {
            try Journal.open(at: path, passphrase: testPassphrase(), expectedFingerprint: zero)
        }
    }
}

@Suite("Format v2: every decoded value is safe")
struct DecodedValueTests {
    @Test("validly sealed but malformed records are reported, never crash: time out of range, unknown encoding, non-object payload")
    func malformedSealedRecords() throws {
        let cases: [(String, [UInt8], (JournalError) -> Bool)] = [
            ("time Int64.max", rawContent(milliseconds: .max), { if case .corruptFrame(_, _, let r) = $0 { r.contains("malformed") } else { false } }),
            ("time Int64.min", rawContent(milliseconds: .min), { if case .corruptFrame(_, _, let r) = $0 { r.contains("malformed") } else { false } }),
            ("offset 19 h", rawContent(offset: 19 * 3600), { if case .corruptFrame = $0 { true } else { false } }),
            ("encoding 3", rawContent(version: 3), { $0 == .unsupportedRecordVersion(sequence: 1, found: 3) }),
            ("array payload", rawContent(payload: Array("[1,2]".utf8)), { if case .corruptFrame = $0 { true } else { false } }),
            ("invalid UTF-8", rawContent(payload: [0x7B, 0xFF, 0x7D]), { if case .corruptFrame = $0 { true } else { false } }),
        ]
        for (name, content, matches) in cases {
            let dir = try TemporaryDirectory()
            let path = dir.file("j")
            let journal = try makeJournal(at: path).journal
            try journal.append(JournalEntry(text: "fine"))
            try journal.commit([], prebuiltFrames: [try sealRawFrame(journal, sequence: 1, paddedContent: content)])
            let error = #expect(throws: JournalError.self, "\(name)") { try readAll(journal) }
            #expect(error.map(matches) == true, "\(name): \(String(describing: error))")
            #expect(throws: JournalError.self, "\(name)") { try journal.record(at: 1) }
            var exported = ""
            #expect(throws: (any Error).self, "\(name)") {
                try OwnerExport.write(journal, format: .ndjson, filter: .all) { exported += $0 }
            }
            #expect(!exported.contains("\u{FFFD}"))
            let report = journal.verify()
            #expect(!report.isValid || name == "encoding 3", "\(name): \(report)")
        }
    }

    @Test("times are proleptic Gregorian within years 0001-9999, exact to the millisecond; outside is refused and nothing is written")
    func timeRange() throws {
        // Day numbers from Python's datetime (proleptic Gregorian), an independent source.
        for (date, days) in [("1582-10-10", -141432), ("0001-01-01", -719162), ("9999-12-31", 2932896), ("1000-03-01", -354226),
                             ("1600-02-29", -135081), ("1969-12-31", -1)] {
            let local = try LocalDate(date)
            #expect(Int(local.daysSinceEpoch) == days, "\(date)")
            #expect(LocalDate(daysSinceEpoch: Int32(days)) == local)
        }
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        let utc = try #require(TimeZone(secondsFromGMT: 0))
        let instants: [(Int64, String)] = [(-62_135_596_800_000, "0001-01-01T00:00:00.000Z"), (-12_219_292_800_001, "1582-10-14T23:59:59.999Z"),
                                           (253_402_300_799_999, "9999-12-31T23:59:59.999Z"), (0, "1970-01-01T00:00:00.000Z")]
        for (milliseconds, _) in instants {
            try journal.append(JournalEntry(text: "t"), at: Date(timeIntervalSince1970: Double(milliseconds) / 1000), timeZone: utc)
        }
        var lines: [String] = []
        try OwnerExport.write(journal, format: .ndjson, filter: .all) { lines.append($0) }
        let text = lines.joined()
        for (_, expected) in instants { #expect(text.contains("\"recordedAt\":\"\(expected)\""), "\(expected) in \(text)") }
        let before = try fileBytes(path)
        for seconds in [-62_135_596_800.001, 253_402_300_800.0, Double.infinity, -1e300] {
            #expect(throws: JournalError.self) { try journal.append(JournalEntry(text: "t"), at: Date(timeIntervalSince1970: seconds), timeZone: utc) }
        }
        let late = try #require(TimeZone(secondsFromGMT: 18 * 3600))
        #expect(throws: JournalError.self, "the local day would be year 10000") {
            try journal.append(JournalEntry(text: "t"), at: Date(timeIntervalSince1970: 253_402_297_200), timeZone: late)
        }
        #expect(try fileBytes(path) == before, "nothing was written")
    }

    @Test("exports re-encode payloads canonically (sorted keys)")
    func canonicalExport() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let unsorted = rawContent(kind: "com.example.log", payload: Array("{\"z\":1,\"a\":{\"y\":true,\"b\":\"s\"}}".utf8))
        try journal.commit([], prebuiltFrames: [try sealRawFrame(journal, sequence: 0, paddedContent: unsorted,
                                                                  envelope: try RecordEnvelope(kind: "com.example.log", day: 20000).encode())])
        var exported = ""
        try OwnerExport.write(journal, format: .ndjson, filter: .all) { exported += $0 }
        #expect(exported.contains("{\"data\":{\"a\":{\"b\":\"s\",\"y\":true},\"z\":1},"), "\(exported)")
    }

    @Test("a writer never overwrites a header copy of a version it does not know")
    func unknownVersionCopyIsKept() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        _ = try makeJournal(at: path)
        var bytes = try fileBytes(path)
        bytes[4096 + 8] = 3  // copy 2 claims version 3
        try writeFileBytes(bytes, to: path)
        #expect(try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly).recordCount == 0, "copy 1 is read")
        #expect(throws: JournalError.unsupportedVersion(found: 3, supported: 2)) { try Journal.open(at: path, passphrase: testPassphrase()) }
        #expect(try fileBytes(path) == bytes)
    }

    @Test("verify rejects a commit without records")
    func emptyCommit() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "one"))
        let bytes = try fileBytes(path)
        let state = journal.state.withLock { $0 }
        let checkpoint = Checkpoint.sign(journalID: journal.journalID, treeSize: 1, rootHash: state.tail.checkpoint.rootHash,
                                         headerBinding: state.header.binding, frameOffset: UInt64(bytes.count), key: journal.signingKey)
        let frame = CheckpointFrame(treeSize: 1, frameOffset: UInt64(bytes.count), previousFrameOffset: state.tail.frame.frameOffset,
                                    compactRange: state.tail.frame.compactRange, noteText: checkpoint.text)
        try writeFileBytes(bytes + Frame.encode(kind: .checkpoint, body: frame.encodeBody()), to: path)
        let report = Journal.verify(at: path)
        #expect(!report.isValid && report.problems[0].message.contains("adds no record"), "\(report)")
    }
}

@Suite("Checkpoints survive email")
struct HeldCheckpointTextTests {
    @Test("CRLF, a greeting, trailing spaces, '--' for the dash and no final newline all verify; garbled, foreign and forged are told apart")
    func lenientReading() throws {
        let journal = try SmallJournal()
        let text = journal.latestCheckpoint
        let mangled = "Hi Dr. Lee,\r\n\r\nhere is this week's checkpoint:\r\n\r\n"
            + text.replacingOccurrences(of: "\n", with: "  \r\n").replacingOccurrences(of: "\u{2014}", with: "--")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            + "\r\n\r\nBest regards,\r\nSam\r\n"
        let report = Journal.verify(at: journal.path, options: .init(heldCheckpoint: mangled))
        #expect(report.isValid && report.checkedHeldCheckpoint, "\(report)")
        #expect(try HeldCheckpointText.canonicalNote(in: mangled) == text)
        for dash in ["-", "\u{2013}"] {
            #expect(Journal.verify(at: journal.path, options: .init(heldCheckpoint: text.replacingOccurrences(of: "\u{2014}", with: dash))).isValid)
        }
        // Garbled: says which line.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = "not a hash"
        let garbled = Journal.verify(at: journal.path, options: .init(heldCheckpoint: lines.joined(separator: "\n")))
        #expect(garbled.problems.first?.message.contains("line 3 is not a hash") == true, "\(garbled)")
        // Another journal's authentic checkpoint.
        let other = try SmallJournal()
        let foreign = Journal.verify(at: journal.path, options: .init(heldCheckpoint: other.latestCheckpoint))
        #expect(foreign.problems.first?.message.contains("for another journal") == true, "\(foreign)")
        // Forged: this journal's name, a wrong signature.
        let forged = text.replacingOccurrences(of: "\n4\n", with: "\n3\n")
        let forgedReport = Journal.verify(at: journal.path, options: .init(heldCheckpoint: forged))
        #expect(forgedReport.problems.first?.message.contains("not signed by its key") == true, "\(forgedReport)")
    }
}

@Suite("Review findings stay fixed")
struct ReviewRegressionTests {
    /// Re-encrypts record `sequence`'s content with its disclosed content key (same nonce and
    /// envelope), as someone holding only that key and write access to the file could.
    func forgeWithDisclosedKey(path: String, journal: Journal, sequence: UInt64, text: String) throws -> [UInt8] {
        let bundle = try journal.auditBundle(disclosing: [sequence])
        let disclosed = try #require(bundle.records.first)
        let contentKey = [UInt8](Data(base64Encoded: try #require(disclosed.contentKey))!)
        let frame = [UInt8](Data(base64Encoded: disclosed.frame)!)
        let body = Array(frame[5..<(frame.count - 4)])
        let nonce = Array(body[0..<24]), sealedEnvelope = Array(body[24..<112])
        let padded = rawContent(payload: Array("{\"tags\":[],\"text\":\"\(text)\"}".utf8))
        let contentLength = body.count - 112 - 32 - 16
        #expect(padded.count == contentLength, "same size class, so the frame keeps its length")
        var sealed = [UInt8](repeating: 0, count: padded.count + 16)
        let aad = try RecordSealing.contentAssociatedData(journalID: journal.journalID, sequence: sequence, sealedEnvelope: sealedEnvelope)
        try sealed.withUnsafeMutableBytes { o in
            try contentKey.withUnsafeBytes { k in try nonce.withUnsafeBytes { n in try padded.withUnsafeBytes { p in
                try aad.withUnsafeBytes { try XChaCha20Poly1305.encrypt(into: o, plaintext: p, nonce: n, key: k, associatedData: $0) } } } }
        }
        let forgedBody = nonce + sealedEnvelope + sealed + Array(body.suffix(32))
        var bytes = try fileBytes(path)
        let offset = try #require(firstIndex(of: frame, in: bytes))
        bytes.replaceSubrange(offset + 5..<offset + 5 + body.count, with: forgedBody)
        return bytes
    }

    @Test("a record re-encrypted with its disclosed key is refused by the owner's reader, salvage, repair and rekey")
    func disclosedKeyCannotForge() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        for text in ["zero", "one, to be forged", "two", "three"] { try journal.append(JournalEntry(text: text)) }
        let original = try fileBytes(path)
        let forgedTail = try forgeWithDisclosedKey(path: path, journal: journal, sequence: 3, text: "three, but FORGED!")
        // In place, mid-history.
        let forged = try forgeWithDisclosedKey(path: path, journal: journal, sequence: 1, text: "I used again. FORGED!")
        try writeFileBytes(forged, to: path)
        let reader = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        #expect(throws: JournalError.self) { try readAll(reader) }
        #expect(throws: JournalError.self) { try reader.record(at: 1) }
        var texts: [String] = []
        let damaged = try reader.salvageRecords { texts.append(try $0.decode(JournalEntry.self).text) }
        #expect(texts == ["zero", "two", "three"] && damaged.map(\.sequence) == [1])
        let writer = try Journal.open(at: path, passphrase: testPassphrase())
        #expect(throws: JournalError.self) { try writer.rekey(to: testPassphrase("a completely new one"), kdf: testKDF) }
        #expect(try fileBytes(path) == forged, "the refused rekey changed nothing")
        // At the tail, where only repair could take it back in: repair keeps it out.
        #expect(forgedTail.count == original.count)
        var tail = forgedTail
        tail.removeLast(4)  // damage the last checkpoint so the write-open refuses and the owner repairs
        try writeFileBytes(tail, to: path)
        let report = try Journal.repair(at: path, passphrase: testPassphrase())
        #expect(report.recommittedRecords == 0, "a frame that fails the owner tag is never re-committed")
    }

    @Test("frames inserted before a checkpoint or after the last one fail verification, even extension frames")
    func insertedFrames() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j")
        let journal = try makeJournal(at: path).journal
        try journal.append(JournalEntry(text: "one"))
        let afterFirst = try fileBytes(path).count
        try journal.append(JournalEntry(text: "two"))
        let bytes = try fileBytes(path)
        let extensionFrame = Frame.encode(kind: .extensionFrame(200), body: [1, 2, 3])
        try writeFileBytes(Array(bytes[..<afterFirst]) + extensionFrame + Array(bytes[afterFirst...]), to: path)
        #expect(!Journal.verify(at: path).isValid, "an inserted frame moves every later checkpoint off its signed offset")
        try writeFileBytes(bytes + extensionFrame, to: path)
        let trailing = Journal.verify(at: path)
        #expect(!trailing.isValid && trailing.problems[0].message.contains("after the last checkpoint"), "\(trailing)")
    }

    @Test("held checkpoints with many cosignatures, foreign lines of any shape, or a tab after the dash still verify")
    func heldCheckpointsFromTheWild() throws {
        let journal = try SmallJournal()
        let text = journal.latestCheckpoint
        let cosignatures = (0..<40).map { "\u{2014} witness\($0).example AAAAA\(String(repeating: "x", count: 100))==\n" }.joined()
        let report = Journal.verify(at: journal.path, options: .init(heldCheckpoint: text + cosignatures + "\u{2014} other.example not-base64!\n"))
        #expect(report.isValid, "\(report)")
        let tabbed = text.replacingOccurrences(of: "\u{2014} ", with: "\u{2014}\t")
        #expect(Journal.verify(at: journal.path, options: .init(heldCheckpoint: tabbed)).isValid)
    }

    @Test("a sealed check-in with out-of-range values is not a check-in to reports: no crash, no counting")
    func outOfRangeCheckIn() throws {
        let dir = try TemporaryDirectory()
        let journal = try makeJournal(at: dir.file("j")).journal
        let payload = "{\"craving\":1,\"day\":\"2026-11-03\",\"meetingsAttended\":9223372036854775807,\"mood\":9223372036854775807,\"timeZoneOffsetSeconds\":0,\"use\":\"sober\"}"
        let envelope = try RecordEnvelope(kind: RecordKind.checkIn.rawValue, day: try LocalDate("2026-11-03").daysSinceEpoch).encode()
        for sequence in UInt64(0)..<2 {
            try journal.commit([], prebuiltFrames: [try sealRawFrame(journal, sequence: sequence, paddedContent: rawContent(kind: RecordKind.checkIn.rawValue, payload: Array(payload.utf8)),
                                                                      envelope: envelope)])
        }
        let record = try journal.record(at: 0)
        #expect(throws: JournalError.self) { try record.decode(CheckIn.self) }
        if case .checkIn = record.content { Issue.record("an out-of-range check-in must not decode as one") }
        // The report refuses with a clear error naming the record, instead of trapping on overflow.
        let error = #expect(throws: JournalError.self) {
            try ComplianceReport.build(journal, from: try LocalDate("2026-11-01"), to: try LocalDate("2026-11-05"))
        }
        #expect(error == .decodingFailed(sequence: 0, kind: RecordKind.checkIn, type: "CheckIn"))
    }
}
