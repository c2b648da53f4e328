import Foundation
import Testing
@testable import SealedJournal

@Suite("Audit bundles and selective disclosure")
struct AuditBundleTests {
    struct Fixture {
        let dir: TemporaryDirectory
        let journal: Journal
        let early: Checkpoint

        init(records: Int = 7) throws {
            dir = try TemporaryDirectory()
            journal = try makeJournal(at: dir.file("j")).journal
            for index in 0..<3 { try journal.append(JournalEntry(text: "private entry \(index)")) }
            early = journal.latestCheckpoint
            for index in 3..<records {
                try journal.append(CheckIn(day: try LocalDate("2026-11-0\(index % 9 + 1)"), mood: index % 10 + 1, craving: 1, use: .sober))
            }
        }
    }

    @Test("an integrity-only bundle verifies with the bundle alone and reveals no record")
    func integrityOnly() throws {
        let fixture = try Fixture()
        let bundle = try fixture.journal.auditBundle()
        let data = try bundle.encoded()
        #expect(!String(decoding: data, as: UTF8.self).contains("private"))
        let report = AuditVerifier.verify(data, fingerprint: fixture.journal.fingerprint)
        #expect(report.isValid, "\(report.problems)")
        #expect(report.checkpoint?.treeSize == 7 && report.records.isEmpty)
        #expect(!AuditVerifier.verify(data, fingerprint: Fingerprint("0000:0000:0000:0000:0000:0000:0000:0000")).isValid)
    }

    @Test("disclosed records open with their own keys and prove their position; nothing else opens")
    func selectiveDisclosure() throws {
        let fixture = try Fixture()
        let bundle = try fixture.journal.auditBundle(disclosing: [1, 4, 6])
        let report = AuditVerifier.verify(try bundle.encoded())
        #expect(report.isValid, "\(report.problems)")
        #expect(report.records.map(\.sequence) == [1, 4, 6])
        for record in report.records {
            let original = try fixture.journal.record(at: record.sequence)
            #expect(record.payload == original.payload && record.kind == original.kind && record.recordedAt == original.recordedAt)
        }
        // A disclosed key opens only its own record.
        let key = [UInt8](Data(base64Encoded: try #require(bundle.records[0].contentKey))!)
        let envelopeKey = [UInt8](Data(base64Encoded: bundle.records[0].envelopeKey)!)
        let otherFrame = [UInt8](Data(base64Encoded: bundle.records[1].frame)!)
        let otherBody = Array(otherFrame[5..<(otherFrame.count - 4)])
        #expect(throws: (any Error).self) {
            try key.withUnsafeBytes { try RecordSealing.openContent(body: otherBody, key: $0, journalID: fixture.journal.journalID, sequence: 4) }
        }
        #expect(throws: (any Error).self) {
            try envelopeKey.withUnsafeBytes { try RecordSealing.openEnvelope(body: otherBody, key: $0, journalID: fixture.journal.journalID, sequence: 4) }
        }
        // The envelope key of a record does not open its own content either.
        let ownFrame = [UInt8](Data(base64Encoded: bundle.records[0].frame)!)
        #expect(throws: (any Error).self) {
            try envelopeKey.withUnsafeBytes {
                try RecordSealing.openContent(body: Array(ownFrame[5..<(ownFrame.count - 4)]), key: $0, journalID: fixture.journal.journalID, sequence: 1)
            }
        }
        #expect(throws: JournalError.noSuchRecord(sequence: 7, recordCount: 7)) { try fixture.journal.auditBundle(disclosing: [7]) }
    }

    @Test("tampering with any disclosed byte, proof hash, key, sequence or signature fails verification")
    func tampering() throws {
        let fixture = try Fixture()
        let bundle = try fixture.journal.auditBundle(disclosing: [2, 5], consistencyFrom: fixture.early.text)
        #expect(AuditVerifier.verify(try bundle.encoded(), heldCheckpoint: fixture.early.text).isValid)
        func flipped(_ base64: String, at index: Int) -> String {
            var bytes = [UInt8](Data(base64Encoded: base64)!)
            bytes[index % bytes.count] ^= 0x01
            return Data(bytes).base64EncodedString()
        }
        func record(_ r: AuditBundle.DisclosedRecord, sequence: UInt64? = nil, frame: String? = nil, key: String? = nil, proof: [String]? = nil) -> AuditBundle.DisclosedRecord {
            .init(sequence: sequence ?? r.sequence, frame: frame ?? r.frame, envelopeKey: r.envelopeKey, contentKey: key ?? r.contentKey,
                  inclusionProof: proof ?? r.inclusionProof)
        }
        func with(records: [AuditBundle.DisclosedRecord]? = nil, checkpoint: String? = nil, consistency: AuditBundle.Consistency?? = nil,
                  publicKey: String? = nil, journalID: String? = nil) -> AuditBundle {
            AuditBundle(format: bundle.format, version: bundle.version, journalID: journalID ?? bundle.journalID,
                        publicKey: publicKey ?? bundle.publicKey, fingerprint: bundle.fingerprint, checkpoint: checkpoint ?? bundle.checkpoint,
                        consistency: consistency ?? bundle.consistency, scope: bundle.scope, records: records ?? bundle.records)
        }
        var variants: [(String, AuditBundle)] = []
        let r0 = bundle.records[0], r1 = bundle.records[1]
        let frameLength = [UInt8](Data(base64Encoded: r0.frame)!).count
        for index in stride(from: 0, to: frameLength, by: 7) {
            variants.append(("frame byte \(index)", with(records: [record(r0, frame: flipped(r0.frame, at: index)), r1])))
        }
        for index in 0..<32 { variants.append(("key byte \(index)", with(records: [record(r0, key: flipped(r0.contentKey!, at: index)), r1]))) }
        for position in r0.inclusionProof.indices {
            var proof = r0.inclusionProof
            proof[position] = flipped(proof[position], at: position * 5)
            variants.append(("proof hash \(position)", with(records: [record(r0, proof: proof), r1])))
        }
        variants.append(("proof truncated", with(records: [record(r0, proof: Array(r0.inclusionProof.dropLast())), r1])))
        variants.append(("sequence moved", with(records: [record(r0, sequence: 3), r1])))
        variants.append(("keys swapped", with(records: [record(r0, key: r1.contentKey), record(r1, key: r0.contentKey)])))
        variants.append(("checkpoint size", with(checkpoint: bundle.checkpoint.replacingOccurrences(of: "\n7\n", with: "\n8\n"))))
        let signatureLine = bundle.checkpoint.split(separator: "\n").last!
        let blob = String(signatureLine.split(separator: " ").last!)
        variants.append(("checkpoint signature", with(checkpoint: bundle.checkpoint.replacingOccurrences(of: blob, with: flipped(blob, at: 20)))))
        let other = try Fixture()
        variants.append(("another journal's key", with(publicKey: Data(other.journal.publicKey).base64EncodedString())))
        variants.append(("another journal's id", with(journalID: other.journal.journalIDHex)))
        variants.append(("another journal's checkpoint", with(checkpoint: other.journal.latestCheckpoint.text)))
        let consistency = try #require(bundle.consistency)
        if !consistency.proof.isEmpty {
            var proof = consistency.proof
            proof[0] = flipped(proof[0], at: 3)
            variants.append(("consistency proof", with(consistency: .some(.init(fromCheckpoint: consistency.fromCheckpoint, proof: proof)))))
        }
        variants.append(("consistency removed", with(consistency: .some(nil))))
        for (name, variant) in variants {
            let report = AuditVerifier.verify(try variant.encoded(), heldCheckpoint: fixture.early.text)
            #expect(!report.isValid, "\(name) was not detected")
        }
    }

    @Test("fuzz-style mutation: a mutated bundle never crashes and never verifies with different content")
    func mutations() throws {
        let fixture = try Fixture()
        let original = try fixture.journal.auditBundle(disclosing: [0, 3], consistencyFrom: fixture.early.text)
        let data = [UInt8](try original.encoded())
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var mutated = data
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutated[Int.random(in: 0..<mutated.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                case 1: mutated.remove(at: Int.random(in: 0..<mutated.count, using: &generator))
                default: mutated.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0..<mutated.count, using: &generator))
                }
            }
            let report = AuditVerifier.verify(Data(mutated), heldCheckpoint: fixture.early.text)
            if report.isValid {
                // A mutation may only withhold (e.g. a renamed "contentKey" key is ignored); whatever
                // verifies is exactly the original content at the original position.
                let originals = Dictionary(uniqueKeysWithValues: try fixture.journal.lastRecords(100).map { ($0.sequence, $0) })
                for record in report.records {
                    let source = try #require(originals[record.sequence])
                    #expect(record.payload == source.payload && record.kind == source.kind && record.recordedAt == source.recordedAt,
                            "a mutation changed record \(record.sequence) and still verified")
                    #expect([0, 3].contains(record.sequence), "a mutation disclosed a record that was not disclosed")
                }
                #expect(report.checkpoint?.text == original.checkpoint && report.isComplete == false)
            }
        }
        for junk in [Data(), Data("{}".utf8), Data("[]".utf8), Data(repeating: 0xFF, count: 100), Data("{\"format\":1}".utf8)] {
            #expect(!AuditVerifier.verify(junk).isValid)
        }
    }

    @Test("consistency: a kept checkpoint proves the history was only extended; rewriting is caught")
    func consistency() throws {
        let fixture = try Fixture()
        let bundle = try fixture.journal.auditBundle(consistencyFrom: fixture.early.text)
        let proofReport = AuditVerifier.verify(try bundle.encoded(), heldCheckpoint: fixture.early.text)
        #expect(proofReport.isValid && proofReport.checkedConsistency, "\(proofReport.problems)")
        let noProof = try fixture.journal.auditBundle()
        #expect(!AuditVerifier.verify(try noProof.encoded(), heldCheckpoint: fixture.early.text).isValid)
        #expect(AuditVerifier.verify(try noProof.encoded(), heldCheckpoint: fixture.journal.latestCheckpoint.text).isValid)

        // Rewrite history: cut back to 2 records, append something else, and try to pass it off.
        let path = fixture.dir.file("j")
        let rewritten = fixture.dir.file("rewritten")
        var bytes = try fileBytes(path)
        let secondCommitEnd = try commitEnd(path: path, afterRecords: 2)
        bytes = Array(bytes.prefix(secondCommitEnd))
        try writeFileBytes(bytes, to: rewritten)
        let forked = try Journal.open(at: rewritten, passphrase: testPassphrase())
        for index in 0..<6 { try forked.append(JournalEntry(text: "rewritten \(index)")) }
        #expect(throws: JournalError.self) { try forked.auditBundle(consistencyFrom: fixture.early.text) }
        let forgedBundle = try forked.auditBundle()
        #expect(!AuditVerifier.verify(try forgedBundle.encoded(), heldCheckpoint: fixture.early.text).isValid)
        // A rolled-back journal cannot satisfy a later checkpoint.
        let later = fixture.journal.latestCheckpoint.text
        let rolled = fixture.dir.file("rolled")
        try writeFileBytes(Array(try fileBytes(path).prefix(secondCommitEnd)), to: rolled)
        let rolledJournal = try Journal.open(at: rolled, passphrase: testPassphrase())
        #expect(!AuditVerifier.verify(try rolledJournal.auditBundle().encoded(), heldCheckpoint: later).isValid)
    }

    private func commitEnd(path: String, afterRecords count: UInt64) throws -> Int {
        var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(try fileBytes(path).count))
        while let frame = try reader.next() {
            if frame.kind == .checkpoint, try CheckpointFrame.decode(body: frame.body).treeSize == count { return Int(frame.endOffset) }
        }
        Issue.record("no checkpoint of \(count) records")
        return 0
    }
}
