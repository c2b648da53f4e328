// sealed-journal-bench: measures the library against the raw libsodium cost of the same
// per-record crypto. Run with `swift run -c release sealed-journal-bench` (or `make bench`).
//
//   sealed-journal-bench [--quick]          all figures (--quick: smaller journals)
//   sealed-journal-bench stream-memory PATH  (internal) stream every record, print peak RSS in KiB
import CSodium
import Foundation
import SealedJournal

let passphraseText = "benchmark passphrase"
/// Cheap Argon2id so that open-time figures measure the file work, not the KDF.
let benchKDF = KDFPreset.custom(opsLimit: 1, memoryLimitBytes: 8192)

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func peakResidentKiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

func line(_ label: String, _ value: String) {
    print(label.padding(toLength: 58, withPad: " ", startingAt: 0) + value)
}

func rate(_ count: Int, _ time: Double) -> String {
    String(format: "%10.0f /s  (%.2f µs each)", Double(count) / time, time / Double(count) * 1e6)
}

/// The per-record crypto of an append, in a tight loop on raw libsodium: derive the record key,
/// seal the padded plaintext with a random nonce, hash the frame as a Merkle leaf, fold it into
/// the tree's right edge, and (once per commit) hash the root and sign a checkpoint note.
func rawCrypto(records: Int, plaintextBytes: Int, signEvery: Int) -> Double {
    var master = [UInt8](repeating: 0, count: 32)
    randombytes_buf(&master, 32)
    var seed = [UInt8](repeating: 7, count: 32)
    var publicKey = [UInt8](repeating: 0, count: 32)
    var secretKey = [UInt8](repeating: 0, count: 64)
    crypto_sign_seed_keypair(&publicKey, &secretKey, &seed)
    let plaintext = [UInt8](repeating: 0x61, count: plaintextBytes)
    var subkey = [UInt8](repeating: 0, count: 32)
    var nonce = [UInt8](repeating: 0, count: 24)
    var frame = [UInt8](repeating: 0, count: plaintextBytes + 40 + 9)
    var aad = [UInt8](repeating: 0, count: 27)
    var edge: [[UInt8]] = []
    var leafHash = [UInt8](repeating: 0, count: 32)
    var signature = [UInt8](repeating: 0, count: 64)
    let note = Array("sealed-journal/00000000000000000000000000000000\n123456\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".utf8)
    let context = Array("SJrecord".utf8).map { CChar(bitPattern: $0) }
    return seconds {
        for sequence in 0..<records {
            crypto_kdf_derive_from_key(&subkey, 32, UInt64(sequence), context, master)
            randombytes_buf(&nonce, 24)
            var written: UInt64 = 0
            frame.withUnsafeMutableBufferPointer { out in
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(out.baseAddress! + 5 + 24, &written, plaintext, UInt64(plaintextBytes),
                                                               aad, 27, nil, nonce, subkey)
            }
            var state = crypto_hash_sha256_state()
            crypto_hash_sha256_init(&state)
            var zero: UInt8 = 0
            crypto_hash_sha256_update(&state, &zero, 1)
            crypto_hash_sha256_update(&state, frame, UInt64(frame.count))
            crypto_hash_sha256_final(&state, &leafHash)
            var hash = leafHash
            var size = sequence
            while size & 1 == 1 {
                var node = [UInt8](repeating: 1, count: 65)
                node.replaceSubrange(1..<33, with: edge.removeLast())
                node.replaceSubrange(33..<65, with: hash)
                crypto_hash_sha256(&hash, node, 65)
                size >>= 1
            }
            edge.append(hash)
            if (sequence + 1) % signEvery == 0 {
                var root = edge.last!
                for h in edge.dropLast().reversed() {
                    var node = [UInt8](repeating: 1, count: 65)
                    node.replaceSubrange(1..<33, with: h)
                    node.replaceSubrange(33..<65, with: root)
                    crypto_hash_sha256(&root, node, 65)
                }
                crypto_sign_detached(&signature, nil, note, UInt64(note.count), secretKey)
            }
            aad[0] ^= 1
        }
    }
}

func makeJournal(_ path: String, durability: Durability = .unsafeNoSync) throws -> Journal {
    try? FileManager.default.removeItem(atPath: path)
    return try Journal.create(at: path, passphrase: SecretBytes(utf8: passphraseText), kdf: benchKDF, durability: durability).journal
}

func fill(_ journal: Journal, records: Int, text: String, batch: Int = 10_000) throws {
    var written = 0
    while written < records {
        let count = min(batch, records - written)
        try journal.appendBatch((0..<count).map { _ in PendingRecord(JournalEntry(text: text)) })
        written += count
    }
}

func streamMemory(path: String) throws {
    let journal = try Journal.open(at: path, passphrase: SecretBytes(utf8: passphraseText), mode: .readOnly)
    var count = 0
    var bytes = 0
    try journal.forEachRecord { record in
        count += 1
        bytes += record.payload.count
    }
    print("\(count) \(bytes) \(peakResidentKiB())")
}

func childStreamMemory(path: String) throws -> (records: Int, peakKiB: Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = ["stream-memory", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let parts = output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    return (parts.first ?? -1, parts.last ?? -1)
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}

@main
struct SealedJournalBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        if arguments.count == 3 && arguments[1] == "stream-memory" {
            try streamMemory(path: arguments[2])
            return
        }
        let quick = arguments.contains("--quick")
        guard sodium_init() >= 0 else { fatalError("libsodium unavailable") }
        let directory = NSTemporaryDirectory() + "/sealed-journal-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let entryText = String(repeating: "a", count: 1024 - 11)   // JSON {"text":"..."} = 1024 bytes
        let plaintextBytes = 1280                                  // its padded record plaintext
        let large = quick ? 100_000 : 1_000_000

        print("SealedJournal benchmark (libsodium \(String(cString: sodium_version_string())), \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("")
        print("Append, 1 KiB entries")
        let n = quick ? 5_000 : 20_000
        let rawSingle = rawCrypto(records: n, plaintextBytes: plaintextBytes, signEvery: 1)
        line("  raw libsodium, per-record crypto + a signature each", rate(n, rawSingle))
        var journal = try makeJournal(directory + "/single.sj")
        let single = try seconds { for _ in 0..<n { try journal.append(JournalEntry(text: entryText)) } }
        line("  library append, no-sync (one commit each)", rate(n, single) + String(format: "  = %.0f%% of raw", rawSingle / single * 100))

        let nb = quick ? 50_000 : 200_000
        let rawBatch = rawCrypto(records: nb, plaintextBytes: plaintextBytes, signEvery: 1000)
        line("  raw libsodium, per-record crypto, a signature per 1000", rate(nb, rawBatch))
        journal = try makeJournal(directory + "/batch.sj")
        let batch = try seconds { try fill(journal, records: nb, text: entryText, batch: 1000) }
        line("  library appendBatch of 1000, no-sync", rate(nb, batch) + String(format: "  = %.0f%% of raw", rawBatch / batch * 100))

        let nd = quick ? 200 : 1000
        journal = try makeJournal(directory + "/durable.sj", durability: .synchronous)
        let durable = try seconds { for _ in 0..<nd { try journal.append(JournalEntry(text: entryText)) } }
        line("  library append, durable (fsync each)", rate(nd, durable))

        print("")
        print("Verify (\(nb) records of 1 KiB, \(fileSize(directory + "/batch.sj") / 1_048_576) MiB)")
        let batchPath = directory + "/batch.sj"
        var report: VerificationReport?
        let verifyTime = seconds { report = Journal.verify(at: batchPath) }
        line("  without key (frames, tree, signatures)", rate(nb, verifyTime) + String(format: "  %.0f MiB/s", Double(fileSize(batchPath)) / 1_048_576 / verifyTime))
        precondition(report?.isValid == true, "benchmark journal does not verify")
        let opened = try Journal.open(at: batchPath, passphrase: SecretBytes(utf8: passphraseText), mode: .readOnly)
        let keyedTime = seconds { report = opened.verify() }
        line("  with key (also opens every record)", rate(nb, keyedTime) + String(format: "  %.0f MiB/s", Double(fileSize(batchPath)) / 1_048_576 / keyedTime))
        precondition(report?.isValid == true)

        print("")
        print("Open for append (header + last commit; Argon2id set to its minimum)")
        var openTimes: [Int: Double] = [:]
        for size in [1_000, large] {
            let path = directory + "/open-\(size).sj"
            let made = try makeJournal(path)
            try fill(made, records: size, text: "a short check-in note")
            try made.append(JournalEntry(text: "last"))
            let repetitions = 50
            let time = try seconds {
                for _ in 0..<repetitions {
                    let journal = try Journal.open(at: path, passphrase: SecretBytes(utf8: passphraseText))
                    precondition(journal.recordCount == UInt64(size + 1))
                }
            } / Double(repetitions)
            openTimes[size] = time
            line("  \(size + 1) records (\(fileSize(path) / 1_048_576) MiB)", String(format: "%10.1f µs", time * 1e6))
        }
        line("  ratio \(large + 1) / 1001", String(format: "%10.2f x", openTimes[large]! / openTimes[1_000]!))

        print("")
        print("Streaming read, peak resident memory of a reader process")
        for size in [1_000, large] {
            let result = try childStreamMemory(path: directory + "/open-\(size).sj")
            line("  \(result.records) records", "\(result.peakKiB / 1024) MiB peak RSS")
        }
    }
}
