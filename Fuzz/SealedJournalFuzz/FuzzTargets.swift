// libFuzzer targets for every parser of untrusted bytes.
//
// Build and run (see scripts/fuzz.sh, which CI runs for about a minute in all):
//   swift build -c debug --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING --product SealedJournalFuzz
//   SEALED_JOURNAL_FUZZ_TARGET=header .build/debug/SealedJournalFuzz corpus/ Fuzz/corpus/header
//
// Without -DFUZZING this module is a replayer: `SealedJournalFuzz PATH...` runs files (and
// directories of files) through every target; the test suite replays the seed corpora and
// every input that ever crashed (Fuzz/regressions).
import Foundation
@testable import SealedJournal

/// The parsers under test.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// One header copy: FileHeader.decodeCopy (key slots included).
    case header
    /// Frame prefixes, checkpoint frame bodies, record plaintexts.
    case frame
    /// Checkpoint notes (C2SP signed notes).
    case checkpoint
    /// Audit bundles (JSON) through AuditVerifier.
    case bundle
    /// Short texts: age recipients, recovery keys, dates, NDJSON and jrnl imports.
    case text
    /// Whole journal files: info, keyless verification, tail location.
    case file
    /// What runs only after a record opens: the input is sealed as a record's padded content under
    /// a known key, then opened, decoded, and rendered the way reads and exports do.
    case plaintext

    static let fixedKey: [UInt8] = {
        let seed = (try? SecretBytes(copying: [UInt8](repeating: 7, count: 32)))
        return seed.flatMap { try? Ed25519.SigningKey(seed: $0).publicKey } ?? []
    }()

    static let scratchPath = NSTemporaryDirectory() + "/sealed-journal-fuzz-\(getpid()).sj"

    func run(_ bytes: [UInt8]) {
        switch self {
        case .header:
            var copy = Array(bytes.prefix(FileHeader.copyByteCount))
            copy += [UInt8](repeating: 0, count: FileHeader.copyByteCount - copy.count)
            _ = try? FileHeader.decodeCopy(copy)
            var reader = ByteReader(bytes, what: "fuzz")
            while !reader.isAtEnd, (try? KeySlot.decode(from: &reader)) != nil {}
        case .frame:
            _ = try? Frame.parsePrefix(bytes[...])
            if let frame = try? CheckpointFrame.decode(body: bytes) {
                _ = try? frame.verifiedCheckpoint(publicKey: FuzzTarget.fixedKey, journalID: [UInt8](repeating: 0, count: 16))
            }
            _ = try? RecordPlaintext.decode(bytes)
        case .checkpoint:
            _ = try? Checkpoint.parse(String(decoding: bytes, as: UTF8.self), publicKey: FuzzTarget.fixedKey)
            _ = try? WitnessRequest.parse(bytes)  // witness requests, cosignatures, verifier keys (FORMAT.md 12)
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").prefix(16) {
                _ = try? Cosignature.parse(line: line)
                _ = try? WitnessPublicKey(verifierKey: String(line))
                _ = try? EnrolledJournal(journalVerifierKey: String(line))
            }
        case .bundle:
            _ = AuditVerifier.verify(Data(bytes))
            _ = AuditVerifier.witnessTimes(Data(bytes), witnesses: [])
        case .text:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? AgeRecipient(parsing: text)
            _ = try? RecoveryKey(text)
            _ = try? LocalDate(text)
            _ = JournalImport.parseTimestamp(text)
            _ = try? JournalImport.parse(Data(bytes), format: .ndjson)
            _ = try? JournalImport.parse(Data(bytes), format: .jrnlJSON)
            _ = try? JournalImport.check(.data(Data(bytes)), format: .ndjson)
            _ = try? JournalImport.check(.data(Data(bytes)), format: .jrnlJSON)
            // Differential: the export fast path may pass through only what Foundation re-encodes identically.
            if CanonicalJSONCheck.isCanonical(bytes),
               let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
               let reencoded = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                precondition([UInt8](reencoded) == bytes, "CanonicalJSONCheck accepted bytes Foundation writes differently")
            }
            // Differential: the hand-written import reader answers only with Foundation's own record.
            if let fast = bytes.withUnsafeBytes({ ImportFastPath.ndjsonEntry($0) }) {
                let general = try? JournalImport.ndjsonRecordFoundation(bytes[...], lineNumber: 2)
                precondition(general.map(FuzzTarget.summary) == FuzzTarget.summary(fast), "ImportFastPath accepted an NDJSON line differently")
            }
            if let fast = bytes.withUnsafeBytes({ ImportFastPath.jrnlEntry($0) }) {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
                let general = (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
                precondition(general != nil, "ImportFastPath read a jrnl entry Foundation refuses")
                let a = try? JournalImport.jrnlRecord(fast, entryNumber: 1, calendar: calendar)
                let b = general.flatMap { try? JournalImport.jrnlRecord($0, entryNumber: 1, calendar: calendar) }
                precondition(a.map(FuzzTarget.summary) == b.map(FuzzTarget.summary), "ImportFastPath read a jrnl entry differently")
            }
            _ = Bech32.decode(text)
        case .file:
            guard FileManager.default.createFile(atPath: FuzzTarget.scratchPath, contents: Data(bytes)) else { return }
            defer { try? FileManager.default.removeItem(atPath: FuzzTarget.scratchPath) }
            _ = try? Journal.info(at: FuzzTarget.scratchPath)
            _ = Journal.verify(at: FuzzTarget.scratchPath)
            _ = try? Journal.witnessTimeline(at: FuzzTarget.scratchPath, witnesses: [])
        case .plaintext:
            FuzzTarget.openSealed(bytes)
        }
    }

    /// What a pending record would write, for the import differential checks.
    static func summary(_ record: PendingRecord) -> String {
        let payload = (try? record.encode()).map { String(decoding: $0, as: UTF8.self) } ?? "<unencodable>"
        return "\(record.kind)|\(record.recordedAt.timeIntervalSince1970.bitPattern)|\(record.timeZoneOffsetSeconds)|\(String(describing: record.envelopeDay))|\(payload)"
    }

    /// Seals `padded` (as a record's content) and a valid envelope under a fixed master key as
    /// record 0, then reads it back through the same code as a cursor and the exports.
    static func openSealed(_ padded: [UInt8]) {
        guard let master = try? SecretBytes(copying: [UInt8](repeating: 3, count: 32)),
              let root = try? KeyDerivation.deriveSubkey(length: 32, id: 1, context: RecordSealing.rootKeyContext, masterKey: master),
              let cipher = try? RecordCipher(masterKey: master, journalID: [UInt8](repeating: 0, count: 16)),
              let envelope = try? RecordEnvelope(kind: "entry", day: 0).encode() else { return }
        let nonce = [UInt8](repeating: 9, count: 24)
        func seal(_ plaintext: [UInt8], label: [UInt8], part: RecordSealing.Part, boundTo sealedEnvelope: [UInt8] = []) -> [UInt8]? {
            var key = [UInt8](repeating: 0, count: 32)
            var sealed = [UInt8](repeating: 0, count: plaintext.count + 16)
            guard let aad = part == .envelope ? RecordSealing.associatedData(journalID: [UInt8](repeating: 0, count: 16), sequence: 0, part: part)
                : try? RecordSealing.contentAssociatedData(journalID: [UInt8](repeating: 0, count: 16), sequence: 0, sealedEnvelope: sealedEnvelope) else { return nil }
            do {
                try nonce.withUnsafeBytes { n in
                    let message = RecordSealing.keyMessage(label: label, sequence: 0, nonce: n)
                    try key.withUnsafeMutableBytes { k in
                        try root.withUnsafeBytes { r in try message.withUnsafeBytes { try BLAKE2b.keyedHash(into: k, message: $0, key: r) } }
                    }
                    try sealed.withUnsafeMutableBytes { out in
                        try key.withUnsafeBytes { k in
                            try plaintext.withUnsafeBytes { p in
                                try aad.withUnsafeBytes { a in try XChaCha20Poly1305.encrypt(into: out, plaintext: p, nonce: n, key: k, associatedData: a) }
                            }
                        }
                    }
                }
            } catch { return nil }
            return sealed
        }
        guard let sealedEnvelope = seal(envelope, label: RecordSealing.envelopeLabel, part: .envelope),
              let sealedContent = seal(padded, label: RecordSealing.contentLabel, part: .content, boundTo: sealedEnvelope) else { return }
        let covered = nonce + sealedEnvelope + sealedContent
        var tag = [UInt8](repeating: 0, count: RecordSealing.ownerTagByteCount)
        let message = RecordSealing.ownerTagPrefix(journalID: [UInt8](repeating: 0, count: 16), sequence: 0) + covered
        guard (try? tag.withUnsafeMutableBytes { t in try root.withUnsafeBytes { r in try message.withUnsafeBytes { try BLAKE2b.keyedHash(into: t, message: $0, key: r) } } }) != nil else { return }
        let body = covered + tag
        _ = try? cipher.openEnvelope(body: body, sequence: 0)
        guard let plaintext = try? cipher.open(body: body, sequence: 0) else { return }
        let record = JournalRecord(plaintext, sequence: 0)
        _ = record.content
        _ = try? RecordCoding.canonicalPayload(record)
        _ = try? OwnerExport.ndjsonLine(record)
        _ = OwnerExport.csvRow(record)
        _ = RecordFilter(containing: "x").matchesContent(record)
    }
}

/// Runs files, or the files in directories, through `targets`; returns how many inputs ran.
func replay(_ paths: [String], targets: [FuzzTarget] = FuzzTarget.allCases) -> Int {
    var count = 0
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
        let files = isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
            : [path]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for target in targets { target.run([UInt8](data)) }
            count += 1
        }
    }
    return count
}

#if FUZZING
nonisolated(unsafe) private var selectedTarget = FuzzTarget.header  // set once in LLVMFuzzerInitialize

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["SEALED_JOURNAL_FUZZ_TARGET"] ?? "header"
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("unknown SEALED_JOURNAL_FUZZ_TARGET \(name); one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
        exit(2)
    }
    selectedTarget = target
    _ = try? Sodium.ensureInitialized()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}
#else
@main
struct FuzzReplayer {
    static func main() {
        let paths = Array(CommandLine.arguments.dropFirst())
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: SealedJournalFuzz FILE|DIRECTORY... (replays inputs through every fuzz target)\n".utf8))
            exit(64)
        }
        print("replayed \(replay(paths)) input(s) through \(FuzzTarget.allCases.count) targets")
    }
}
#endif
