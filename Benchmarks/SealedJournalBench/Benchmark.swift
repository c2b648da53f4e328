// sealed-journal-bench: measures the library against the raw libsodium cost of the same
// per-record crypto. Run with `swift run -c release sealed-journal-bench` (or `make bench`).
//
//   sealed-journal-bench [--quick | --long] [--only SECTION]
//       all figures on journals of 100k records (--quick: 20k; --long: 1M, minutes, not part of
//       `make test`); SECTION is one of append, verify, read, export, cli, open, import, memory
//   sealed-journal-bench import JOURNAL INPUT FORMAT  (internal) import in a child, print records, seconds, peak RSS
//   sealed-journal-bench stream-memory PATH  (internal) stream every record, print peak RSS in KiB
import CSodium
import Foundation
@_spi(Internals) import SealedJournal

let passphraseText = "benchmark passphrase"
/// Cheap Argon2id so that open-time figures measure the file work, not the KDF.
let benchKDF = KDFPreset.custom(opsLimit: 1, memoryLimitBytes: 8192)

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Peak resident memory of this process in KiB: `VmHWM` from /proc/self/status (reset by exec,
/// unlike `getrusage`'s `ru_maxrss`, which a child inherits from the process that spawned it).
func peakResidentKiB() -> Int {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
        return value
    }
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

/// The format-v2 per-record crypto of an append, in a tight loop on raw libsodium: derive the
/// envelope and content keys (two keyed BLAKE2b-256 of label || LE64(sequence) || nonce), seal the
/// 72-byte envelope, hash the sealed envelope (SHA-256, the end of the content's associated data),
/// seal the padded plaintext with the same random nonce, compute the owner tag (keyed BLAKE2b-256
/// over "SJrecmac" || journal id || LE64(sequence) || the body before the tag), hash the frame as a
/// Merkle leaf, fold it into the tree's right edge, (once per commit) hash the root and sign a
/// checkpoint note, and write the frames (one pwrite per `signEvery` records) when `file` is given.
func rawCrypto(records: Int, plaintextBytes: Int, signEvery: Int, file: Int32? = nil) -> Double {
    var root = [UInt8](repeating: 0, count: 32)
    randombytes_buf(&root, 32)
    var seed = [UInt8](repeating: 7, count: 32)
    var publicKey = [UInt8](repeating: 0, count: 32)
    var secretKey = [UInt8](repeating: 0, count: 64)
    crypto_sign_seed_keypair(&publicKey, &secretKey, &seed)
    let plaintext = [UInt8](repeating: 0x61, count: plaintextBytes)
    let envelope = [UInt8](repeating: 0x65, count: 72)
    var envelopeKey = [UInt8](repeating: 0, count: 32)
    var contentKey = [UInt8](repeating: 0, count: 32)
    let bodyBytes = 24 + 88 + plaintextBytes + 16 + 32
    let frameBytes = bodyBytes + 9
    var batch = [UInt8](repeating: 0, count: frameBytes * signEvery)
    var message = [UInt8](repeating: 0, count: 40)
    var aad = [UInt8](repeating: 0, count: 28)
    var contentAAD = [UInt8](repeating: 0, count: 60)
    var tagPrefix = [UInt8](repeating: 0x53, count: 32)
    var tagState = [UInt8](repeating: 0, count: crypto_generichash_statebytes() + 64)
    var edge: [[UInt8]] = []
    var leafHash = [UInt8](repeating: 0, count: 32)
    var signature = [UInt8](repeating: 0, count: 64)
    var node = [UInt8](repeating: 1, count: 65)
    let note = Array("sealed-journal/00000000000000000000000000000000\n123456\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nheader 1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".utf8)
    var fileOffset = 0
    return seconds {
        for sequence in 0..<records {
            let slot = sequence % signEvery
            batch.withUnsafeMutableBytes { out in
                let frame = out.baseAddress! + slot * frameBytes
                let nonce = frame + 5
                randombytes_buf(nonce, 24)
                message.withUnsafeMutableBytes { m in
                    m.storeBytes(of: UInt64(sequence).littleEndian, toByteOffset: 8, as: UInt64.self)
                    memcpy(m.baseAddress! + 16, nonce, 24)
                    m[0] = 0x45
                    _ = crypto_generichash(&envelopeKey, 32, m.baseAddress!.assumingMemoryBound(to: UInt8.self), 40, root, 32)
                    m[0] = 0x43
                    _ = crypto_generichash(&contentKey, 32, m.baseAddress!.assumingMemoryBound(to: UInt8.self), 40, root, 32)
                }
                let n = UnsafePointer(nonce.assumingMemoryBound(to: UInt8.self))
                aad[27] = 1
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt((frame + 29).assumingMemoryBound(to: UInt8.self), nil, envelope, 72, aad, 28, nil, n, envelopeKey)
                aad[27] = 2
                contentAAD.withUnsafeMutableBufferPointer { c in
                    _ = memcpy(c.baseAddress!, aad, 28)
                    _ = crypto_hash_sha256(c.baseAddress! + 28, (frame + 29).assumingMemoryBound(to: UInt8.self), 88)
                }
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt((frame + 117).assumingMemoryBound(to: UInt8.self), nil, plaintext, UInt64(plaintextBytes), contentAAD, 60, nil, n, contentKey)
                tagPrefix.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(sequence).littleEndian, toByteOffset: 24, as: UInt64.self) }
                tagState.withUnsafeMutableBytes { st in
                    let state = OpaquePointer((st.baseAddress! + (64 - Int(bitPattern: st.baseAddress!) % 64) % 64))
                    crypto_generichash_init(state, root, 32, 32)
                    crypto_generichash_update(state, tagPrefix, 32)
                    crypto_generichash_update(state, (frame + 5).assumingMemoryBound(to: UInt8.self), UInt64(bodyBytes - 32))
                    crypto_generichash_final(state, (frame + 5 + bodyBytes - 32).assumingMemoryBound(to: UInt8.self), 32)
                }
                var state = crypto_hash_sha256_state()
                crypto_hash_sha256_init(&state)
                var zero: UInt8 = 0
                crypto_hash_sha256_update(&state, &zero, 1)
                crypto_hash_sha256_update(&state, frame.assumingMemoryBound(to: UInt8.self), UInt64(frameBytes))
                crypto_hash_sha256_final(&state, &leafHash)
            }
            var hash = leafHash
            var size = sequence
            while size & 1 == 1 {
                node.replaceSubrange(1..<33, with: edge.removeLast())
                node.replaceSubrange(33..<65, with: hash)
                crypto_hash_sha256(&hash, node, 65)
                size >>= 1
            }
            edge.append(hash)
            if (sequence + 1) % signEvery == 0 || sequence == records - 1 {
                var rootHash = edge.last!
                for h in edge.dropLast().reversed() {
                    node.replaceSubrange(1..<33, with: h)
                    node.replaceSubrange(33..<65, with: rootHash)
                    crypto_hash_sha256(&rootHash, node, 65)
                }
                crypto_sign_detached(&signature, nil, note, UInt64(note.count), secretKey)
                if let file {
                    let count = (slot + 1) * frameBytes
                    _ = pwrite(file, batch, count, fileOffset)
                    fileOffset += count
                }
            }
            aad[0] ^= 1
        }
    }
}

/// The format-v2 per-record work of a streaming read on raw libsodium, everything the format
/// requires of an owner's reader and nothing else: read the frames (one large read per MiB),
/// check the owner tag (keyed BLAKE2b-256 over "SJrecmac" || journal id || LE64(sequence) || the
/// body before the tag, compared in constant time), derive the content key (keyed BLAKE2b), hash
/// the sealed envelope (SHA-256, the end of the content's associated data), open the content
/// (AEAD) and unpad only the last padding step (256 bytes), over frames in the format's layout.
/// Not included (the library's own cost): parsing the plaintext fields, checking the payload is
/// UTF-8, copying it out, building the record value.
/// The raw per-record read work (owner tag, key, envelope SHA-256, AEAD open, bounded unpad)
/// over `records` real frames sealed once in `file`; `time()` reads them all once.
func rawOpen(records: Int, plaintextBytes: Int, file: Int32, runs: Int = 3) -> Double {
    let work = rawOpenWork(records: records, plaintextBytes: plaintextBytes, file: file)
    return median(runs, work)
}

/// Seals the frames (not timed) and returns the timed pass over them.
func rawOpenWork(records: Int, plaintextBytes: Int, file: Int32) -> () -> Void {
    var root = [UInt8](repeating: 0, count: 32)
    randombytes_buf(&root, 32)
    let bodyBytes = 24 + 88 + plaintextBytes + 16 + 32
    let frameBytes = bodyBytes + 9
    // Seal real frames first (not timed), so the opens authenticate.
    var sealed = [UInt8](repeating: 0, count: frameBytes * records)
    var message = [UInt8](repeating: 0x43, count: 40)
    var key = [UInt8](repeating: 0, count: 32)
    var aad = [UInt8](repeating: 0, count: 60)
    aad[27] = 2
    var tagPrefix = [UInt8](repeating: 0x53, count: 32)
    var tagState = [UInt8](repeating: 0, count: crypto_generichash_statebytes() + 64)
    var tag = [UInt8](repeating: 0, count: 32)
    func ownerTag(_ frame: UnsafeRawPointer, _ sequence: Int, into out: UnsafeMutablePointer<UInt8>) {
        tagPrefix.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(sequence).littleEndian, toByteOffset: 24, as: UInt64.self) }
        tagState.withUnsafeMutableBytes { st in
            let state = OpaquePointer((st.baseAddress! + (64 - Int(bitPattern: st.baseAddress!) % 64) % 64))
            crypto_generichash_init(state, root, 32, 32)
            crypto_generichash_update(state, tagPrefix, 32)
            crypto_generichash_update(state, (frame + 5).assumingMemoryBound(to: UInt8.self), UInt64(bodyBytes - 32))
            crypto_generichash_final(state, out, 32)
        }
    }
    var plaintext = [UInt8](repeating: 0x61, count: plaintextBytes)
    var paddedLength = 0
    _ = sodium_pad(&paddedLength, &plaintext, plaintextBytes - 256, 256, plaintextBytes)
    sealed.withUnsafeMutableBytes { out in
        for sequence in 0..<records {
            let frame = out.baseAddress! + sequence * frameBytes
            randombytes_buf(frame + 5, 24)
            message.withUnsafeMutableBytes { m in
                m.storeBytes(of: UInt64(sequence).littleEndian, toByteOffset: 8, as: UInt64.self)
                memcpy(m.baseAddress! + 16, frame + 5, 24)
            }
            crypto_generichash(&key, 32, message, 40, root, 32)
            aad.withUnsafeMutableBufferPointer { a in _ = crypto_hash_sha256(a.baseAddress! + 28, (frame + 29).assumingMemoryBound(to: UInt8.self), 88) }
            crypto_aead_xchacha20poly1305_ietf_encrypt((frame + 117).assumingMemoryBound(to: UInt8.self), nil, plaintext, UInt64(plaintextBytes), aad, 60, nil,
                                                       (frame + 5).assumingMemoryBound(to: UInt8.self), key)
            ownerTag(frame, sequence, into: (frame + 5 + bodyBytes - 32).assumingMemoryBound(to: UInt8.self))
        }
    }
    _ = pwrite(file, sealed, sealed.count, 0)
    sealed = []
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var opened = [UInt8](repeating: 0, count: plaintextBytes)
    let perBuffer = (1 << 20) / frameBytes
    return {
        var sequence = 0
        while sequence < records {
            let count = min(perBuffer, records - sequence)
            _ = pread(file, &buffer, count * frameBytes, off_t(sequence * frameBytes))
            buffer.withUnsafeBytes { raw in
                for index in 0..<count {
                    let frame = raw.baseAddress! + index * frameBytes
                    tag.withUnsafeMutableBufferPointer { ownerTag(frame, sequence + index, into: $0.baseAddress!) }
                    precondition(sodium_memcmp(tag, frame + 5 + bodyBytes - 32, 32) == 0, "raw owner tag failed")
                    message.withUnsafeMutableBytes { m in
                        m.storeBytes(of: UInt64(sequence + index).littleEndian, toByteOffset: 8, as: UInt64.self)
                        memcpy(m.baseAddress! + 16, frame + 5, 24)
                    }
                    crypto_generichash(&key, 32, message, 40, root, 32)
                    aad.withUnsafeMutableBufferPointer { a in _ = crypto_hash_sha256(a.baseAddress! + 28, (frame + 29).assumingMemoryBound(to: UInt8.self), 88) }
                    let ok = crypto_aead_xchacha20poly1305_ietf_decrypt(&opened, nil, nil, (frame + 117).assumingMemoryBound(to: UInt8.self), UInt64(plaintextBytes + 16),
                                                                         aad, 60, (frame + 5).assumingMemoryBound(to: UInt8.self), key)
                    precondition(ok == 0, "raw open failed")
                    var unpadded = 0
                    opened.withUnsafeMutableBufferPointer { p in
                        _ = sodium_unpad(&unpadded, p.baseAddress! + plaintextBytes - 256, 256, 256)
                    }
                }
            }
            sequence += count
        }
    }
}

/// SHA-256 over every byte of `path` (the floor for keyless verify, which hashes every frame).
func rawSHA256(path: String) -> Double {
    let fd = open(path, O_RDONLY)
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var hash = [UInt8](repeating: 0, count: 32)
    return seconds {
        var state = crypto_hash_sha256_state()
        crypto_hash_sha256_init(&state)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            crypto_hash_sha256_update(&state, buffer, UInt64(count))
        }
        crypto_hash_sha256_final(&state, &hash)
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

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}

/// Peak RSS of a child process running `arguments` on this binary (internal sub-commands).
func child(_ arguments: [String]) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return output.split(whereSeparator: \.isWhitespace).map(String.init)
}

/// (internal) Imports `input` into a new journal at `path`; prints records, seconds, peak RSS KiB.
func importChild(path: String, input: String, format: String) throws {
    let journal = try makeJournal(path)
    guard let handle = FileHandle(forReadingAtPath: input), let format = JournalImport.Format(rawValue: format) else { return }
    var result: ImportProgress?
    let time = try seconds { result = try JournalImport.importRecords(from: .fileHandle(handle), format: format, into: journal) }
    print("\(result?.records ?? -1) \(time) \(peakResidentKiB())")
}

/// Writes `count` records of our NDJSON export (1 KiB entries) to `path`.
func writeNDJSON(_ path: String, count: Int, text: String) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var chunk = ""
    for index in 0..<count {
        let millis = 1_700_000_000_000 + Int64(index) * 60_000
        chunk += "{\"data\":{\"tags\":[\"bench\"],\"text\":\"\(text)\",\"title\":\"Day \(index)\"},\"kind\":\"entry\",\"recordedAt\":\"\(isoTime(millis))\",\"sequence\":\(index)}\n"
        if chunk.utf8.count > 1 << 20 { try handle.write(contentsOf: Data(chunk.utf8)); chunk = "" }
    }
    try handle.write(contentsOf: Data(chunk.utf8))
}

/// Writes `count` jrnl `--export json` entries to `path`.
func writeJrnl(_ path: String, count: Int, text: String) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var chunk = "{\"tags\": {\"@bench\": \(count)}, \"entries\": [\n"
    for index in 0..<count {
        let day = 1 + index % 28, month = 1 + (index / 28) % 12, year = 2000 + index / 336
        chunk += (index == 0 ? "" : ",\n") + "{\"title\": \"Day \(index)\", \"body\": \"\(text)\\n\", \"date\": \"\(String(format: "%04d-%02d-%02d", year, month, day))\", \"time\": \"21:15\", \"tags\": [\"@bench\"], \"starred\": false}"
        if chunk.utf8.count > 1 << 20 { try handle.write(contentsOf: Data(chunk.utf8)); chunk = "" }
    }
    chunk += "\n]}\n"
    try handle.write(contentsOf: Data(chunk.utf8))
}

func isoTime(_ milliseconds: Int64) -> String {
    let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

/// Median of `runs` timings of `body`.
func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs { times.append(try seconds(body)) }
    return times.sorted()[times.count / 2]
}

func ratio(_ raw: Double, _ library: Double) -> String { String(format: "  = %.2fx of raw", raw / library) }

/// Runs the CLI binary next to this one with stdout to /dev/null three times; returns the median
/// seconds (nil if absent or if it fails).
func runCLI(_ arguments: [String]) throws -> Double? {
    var times: [Double] = []
    for _ in 0..<3 {
        guard let time = try runCLIOnce(arguments) else { return nil }
        times.append(time)
    }
    return times.sorted()[1]
}

/// CPU time the hypervisor gave to other guests (`steal` in /proc/stat), as a share of all CPU
/// time since the last call: on this shared machine, the usual cause of a slow phase. `nil`
/// where /proc/stat does not exist.
enum CPUSteal {
    nonisolated(unsafe) static var last: (steal: UInt64, total: UInt64)?

    static func sample() -> (steal: UInt64, total: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let first = text.split(separator: "\n").first else { return nil }
        let fields = first.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return nil }
        return (fields[7], fields.reduce(0, +))
    }

    /// The share since the previous call (or since the bench started), then starts a new interval.
    static func shareSinceLast() -> Double? {
        let now = sample()
        defer { last = now }
        guard let now, let last, now.total > last.total else { return nil }
        return Double(now.steal - last.steal) / Double(now.total - last.total)
    }
}

/// Ends the section before (with the CPU steal during it) and starts the next one with `title`.
func section(_ title: String) {
    endSection()
    print("")
    print(title)
}

/// Prints the CPU steal during the section that just ended.
func endSection() {
    if CPUSteal.last != nil, let share = CPUSteal.shareSinceLast() {
        print(String(format: "  (CPU steal during this section: %.0f%% of the machine's CPU time)", share * 100))
    } else {
        _ = CPUSteal.shareSinceLast()
    }
}

func runCLIOnce(_ arguments: [String]) throws -> Double? {
    let cli = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sealed-journal").path
    guard FileManager.default.isExecutableFile(atPath: cli) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: cli)
    process.arguments = arguments
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    let time = try seconds {
        try process.run()
        process.waitUntilExit()
    }
    return process.terminationStatus == 0 ? time : nil
}

@main
struct SealedJournalBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        if arguments.count == 3 && arguments[1] == "stream-memory" {
            try streamMemory(path: arguments[2])
            return
        }
        if arguments.count == 5 && arguments[1] == "import" {
            try importChild(path: arguments[2], input: arguments[3], format: arguments[4])
            return
        }
        let quick = arguments.contains("--quick")
        let long = arguments.contains("--long")
        let only = arguments.firstIndex(of: "--only").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        func want(_ section: String) -> Bool { only == nil || only == section }
        guard sodium_init() >= 0 else { fatalError("libsodium unavailable") }
        let directory = NSTemporaryDirectory() + "/sealed-journal-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let entryText = String(repeating: "a", count: 1024 - 11)   // JSON {"text":"..."} = 1024 bytes
        let plaintextBytes = 1280                                  // its padded record plaintext
        let large = long ? 1_000_000 : quick ? 20_000 : 100_000
        var load = [Double](repeating: 0, count: 3)
        getloadavg(&load, 3)

        print("SealedJournal benchmark (libsodium \(String(cString: sodium_version_string())), \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(String(format: "%.2f %.2f %.2f", load[0], load[1], load[2])), \(long ? "--long" : quick ? "--quick" : "default"))")
        let nb = long ? 1_000_000 : quick ? 20_000 : 100_000
        let rawFile = open(directory + "/raw.bin", O_CREAT | O_RDWR | O_TRUNC, 0o600)
        defer { close(rawFile) }
        var journal: Journal
        if want("append") {
            section("Append, 1 KiB entries (raw = format-v2 record crypto on libsodium: 2 keyed BLAKE2b, 2 AEAD seals, envelope SHA-256, owner tag, leaf hash, fold)")
            let n = quick ? 2_000 : 10_000
            let rawSingle = rawCrypto(records: n, plaintextBytes: plaintextBytes, signEvery: 1)
            line("  raw, a signature each", rate(n, rawSingle))
            journal = try makeJournal(directory + "/single.sj")
            let single = try seconds { for _ in 0..<n { try journal.append(JournalEntry(text: entryText)) } }
            line("  library append, no-sync (one commit each)", rate(n, single) + ratio(rawSingle, single))

            let perCommit = CommitBounds.maximumRecordBytes / (plaintextBytes + 169) + 1
            // Medians of three, interleaved with the library's runs, so a busy machine slows both alike.
            var rawBatchTimes: [Double] = [], rawBoundedTimes: [Double] = [], batchTimes: [Double] = []
            for _ in 0..<3 {
                rawBatchTimes.append(rawCrypto(records: nb, plaintextBytes: plaintextBytes, signEvery: 1000, file: rawFile))
                rawBoundedTimes.append(rawCrypto(records: nb, plaintextBytes: plaintextBytes, signEvery: perCommit, file: rawFile))
                journal = try makeJournal(directory + "/batch.sj")
                batchTimes.append(try seconds { try fill(journal, records: nb, text: entryText, batch: 1000) })
            }
            let rawBatch = rawBatchTimes.sorted()[1], rawBounded = rawBoundedTimes.sorted()[1], batch = batchTimes.sorted()[1]
            line("  raw + write, a signature per 1000", rate(nb, rawBatch))
            line("  raw + write, a signature per \(perCommit) (the commit bound)", rate(nb, rawBounded))
            line("  library appendBatch of 1000, no-sync", rate(nb, batch) + ratio(rawBatch, batch) + String(format: " (%.2fx of the commit-bound raw)", rawBounded / batch))

            let nd = quick ? 100 : 500
            journal = try makeJournal(directory + "/durable.sj", durability: .synchronous)
            let durable = try seconds { for _ in 0..<nd { try journal.append(JournalEntry(text: entryText)) } }
            line("  library append, durable (fsync each)", rate(nd, durable))
        } else if only != "open" && only != "import" && only != "memory" {
            journal = try makeJournal(directory + "/batch.sj")
            try fill(journal, records: nb, text: entryText, batch: 1000)
        }
        let batchPath = directory + "/batch.sj"
        let batchMiB = Double(fileSize(batchPath)) / 1_048_576
        let sections = ["verify", "read", "export", "cli"]
        let opened = try sections.contains(where: want) ? Journal.open(at: batchPath, passphrase: SecretBytes(utf8: passphraseText), mode: .readOnly) : nil
        if want("verify") {
            section("Verify (\(nb) records of 1 KiB, \(Int(batchMiB)) MiB)")
            // Medians of three, interleaved, so a busy machine slows both alike.
            var report: VerificationReport?
            var rawTimes: [Double] = [], verifyTimes: [Double] = []
            for _ in 0..<3 {
                rawTimes.append(rawSHA256(path: batchPath))
                verifyTimes.append(seconds { report = Journal.verify(at: batchPath) })
                precondition(report?.isValid == true, "benchmark journal does not verify")
            }
            let rawHash = rawTimes.sorted()[1], verifyTime = verifyTimes.sorted()[1]
            line("  raw SHA-256 over the file", String(format: "%10.0f MiB/s", batchMiB / rawHash))
            line("  without key (frames, tree, signatures)", rate(nb, verifyTime) + String(format: "  %.0f MiB/s", batchMiB / verifyTime) + ratio(rawHash, verifyTime))
            precondition(report?.isValid == true, "benchmark journal does not verify")
            let keyedTime = seconds { report = opened?.verify() }
            line("  with key (also opens every record)", rate(nb, keyedTime) + String(format: "  %.0f MiB/s", batchMiB / keyedTime))
            precondition(report?.isValid == true)
        }
        if want("read") {
            section("Streaming read (\(nb) records of 1 KiB)")
            let rawRead = rawOpen(records: nb, plaintextBytes: plaintextBytes, file: rawFile)
            line("  raw: read + owner tag + derive key + envelope SHA-256 + AEAD open + bounded unpad", rate(nb, rawRead))
            var payloadBytes = 0
            let libraryRead = try median(3) {
                payloadBytes = 0
                try opened?.forEachRecord { payloadBytes += $0.payload.count }
            }
            line("  library forEachRecord", rate(nb, libraryRead) + String(format: "  = %.2fx the raw cost", libraryRead / rawRead))
        }
        var outputBytes = nb * 1115
        /// What the format itself costs an export of these records on this machine: opening
        /// every record (the raw read) and SHA-256 over every output byte (the disclosure's
        /// digest, one serial stream), spread over the cores at best; a read needs the opening
        /// only. JSON encoding is not in it. Measured right before each figure compared with
        /// it (this shared machine's speed changes by up to 2x within a run).
        var openWork: (() -> Void)?
        var outputSample: [UInt8] = []
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        func floorTimes() -> (export: Double, read: Double) {
            if openWork == nil { openWork = rawOpenWork(records: nb, plaintextBytes: plaintextBytes, file: rawFile) }
            if outputSample.count != outputBytes { outputSample = [UInt8](repeating: 0x61, count: outputBytes) }
            let open = seconds(openWork!)
            var digest = [UInt8](repeating: 0, count: 32)
            let hash = seconds {
                var state = crypto_hash_sha256_state()
                crypto_hash_sha256_init(&state)
                outputSample.withUnsafeBufferPointer { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let count = min(64 << 10, bytes.count - offset)
                        crypto_hash_sha256_update(&state, bytes.baseAddress! + offset, UInt64(count))
                        offset += count
                    }
                }
                crypto_hash_sha256_final(&state, &digest)
            }
            return (max(hash, (hash + open) / cores), open / cores)
        }
        func mbps(_ time: Double) -> String { String(format: "%.0f MB/s", Double(outputBytes) / time / 1e6) }
        /// A CLI run's median time and its median speed relative to the floor measured just before each run.
        func pairedCLI(_ arguments: [String], floor: @escaping () -> Double) throws -> (time: Double, ratio: Double, floor: Double)? {
            var runs: [(time: Double, floor: Double)] = []
            for _ in 0..<3 {
                let before = floor()
                guard let time = try runCLIOnce(arguments) else { return nil }
                runs.append((time, before))
            }
            let ratios = runs.map { $0.floor / $0.time }.sorted()
            return (runs.map(\.time).sorted()[1], ratios[1], runs.map(\.floor).sorted()[1])
        }
        if want("export") {
            section("Export (\(nb) records of 1 KiB; output discarded)")
            let writer = try Journal.open(at: batchPath, passphrase: SecretBytes(utf8: passphraseText))
            var secret = [UInt8](repeating: 0, count: 32), publicKey = [UInt8](repeating: 0, count: 32)
            randombytes_buf(&secret, 32)
            crypto_scalarmult_base(&publicKey, secret)
            let recipient = AgeRecipient.x25519(publicKey: publicKey)
            func export(encrypted: Bool) throws -> Double {
                try seconds {
                    if !encrypted { outputBytes = 0 }
                    _ = try writer.disclose(OwnerExport.Records(format: .ndjson), to: DisclosureRequest(recipient: "bench", purpose: "bench"),
                                            output: DisclosureOutput(recipients: encrypted ? [recipient] : [], write: { if !encrypted { outputBytes += $0.count } }))
                }
            }
            // The machine's speed drifts (up to 2x within a run), so each plaintext export is
            // measured next to its floor and next to an age-encrypted export of the same records,
            // in alternating order, and each ratio is the median of the pairs' own ratios.
            var exportRuns: [(time: Double, floor: Double, encrypted: Double)] = []
            for pair in 0..<5 {
                let floor = floorTimes().export
                var plain = 0.0, encrypted = 0.0
                if pair % 2 == 0 {
                    plain = try export(encrypted: false)
                    encrypted = try export(encrypted: true)
                } else {
                    encrypted = try export(encrypted: true)
                    plain = try export(encrypted: false)
                }
                exportRuns.append((plain, floor, encrypted))
            }
            func middle(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            let plainExport = middle(exportRuns.map(\.time))
            line("  library ndjson export", rate(nb, plainExport) + "  " + mbps(plainExport))
            line("  export floor (open + SHA-256 of output, \(Int(cores)) cores)", String(repeating: " ", count: max(0, 10 - mbps(middle(exportRuns.map(\.floor))).count + 5)) + mbps(middle(exportRuns.map(\.floor)))
                 + String(format: "  (the export: %.2fx of its speed, median of 5 pairs)", middle(exportRuns.map { $0.floor / $0.time })))
            let ageRatios = exportRuns.map { $0.encrypted / $0.time }
            line("  library ndjson export, age-encrypted", rate(nb, middle(exportRuns.map(\.encrypted)))
                 + String(format: "  = %.2fx the plaintext export (median of 5 pairs; %.2f-%.2fx)", middle(ageRatios), ageRatios.min()!, ageRatios.max()!))
            let plain = [UInt8](repeating: 0x61, count: 64 << 20)
            let encryptorTime = try median(3) {
                let encryptor = try AgeEncryptor(recipients: [recipient], output: { _ in })
                var offset = 0
                while offset < plain.count {
                    try encryptor.write(plain[offset..<min(plain.count, offset + 1100)])
                    offset += 1100
                }
                try encryptor.finish()
            }
            line("  AgeEncryptor alone, 64 MiB in 1100-byte writes", String(format: "%10.0f MB/s", Double(plain.count) / encryptorTime / 1e6))
            let armoredTime = try median(3) {
                let encryptor = try AgeEncryptor(recipients: [recipient], armored: true, output: { _ in })
                var offset = 0
                while offset < plain.count {
                    try encryptor.write(plain[offset..<min(plain.count, offset + 1100)])
                    offset += 1100
                }
                try encryptor.finish()
            }
            line("  AgeEncryptor, ASCII armor (--armor), same writes", String(format: "%10.0f MB/s", Double(plain.count) / armoredTime / 1e6)
                 + String(format: "  (%.2fx the binary output's time)", armoredTime / encryptorTime))
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/age") {
                let source = directory + "/plain.bin"
                _ = FileManager.default.createFile(atPath: source, contents: Data(plain))
                let process = { () throws -> Void in
                    let age = Process()
                    age.executableURL = URL(fileURLWithPath: "/usr/bin/age")
                    age.arguments = ["-r", recipient.displayName, "-o", "/dev/null", source]
                    try age.run()
                    age.waitUntilExit()
                }
                let ageTime = try median(3, process)
                line("  stock age, same 64 MiB file", String(format: "%10.0f MB/s", Double(plain.count) / ageTime / 1e6)
                     + String(format: "  (AgeEncryptor = %.2fx of age)", ageTime / encryptorTime))
            }
        }
        let passphraseFile = directory + "/passphrase"
        _ = FileManager.default.createFile(atPath: passphraseFile, contents: Data((passphraseText + "\n").utf8), attributes: [.posixPermissions: 0o600])
        if want("cli"), let readJSON = try pairedCLI(["read", batchPath, "--format", "json", "--passphrase-file", passphraseFile], floor: { floorTimes().read }) {
            section("CLI (release binary, output to /dev/null, median of 3, whole process; ~\(outputBytes / nb) bytes of JSON per record;")
            print("floors measured right before each run, as in Export)")
            line("  read --format json", rate(nb, readJSON.time) + "  " + mbps(readJSON.time)
                 + String(format: "  (%.2fx of the read floor, ", readJSON.ratio) + mbps(readJSON.floor) + ")")
            if let readText = try runCLI(["read", batchPath, "--passphrase-file", passphraseFile]) {
                line("  read (text)", rate(nb, readText) + String(format: "  = %.2fx the JSON read", readText / readJSON.time))
            }
            if let export = try pairedCLI(["export", batchPath, "--format", "ndjson", "--passphrase-file", passphraseFile], floor: { floorTimes().export }) {
                line("  export --format ndjson", rate(nb, export.time) + "  " + mbps(export.time)
                     + String(format: "  (%.2fx of the export floor, ", export.ratio) + mbps(export.floor) + ")")
            }
            if let info = try runCLI(["info", batchPath]) { line("  info (whole process)", String(format: "%10.1f ms", info * 1e3)) }
            if let newest = try runCLI(["read", batchPath, "-n", "5", "--passphrase-file", passphraseFile]) {
                line("  read -n 5 (whole process)", String(format: "%10.1f ms", newest * 1e3))
            }
        }

        let importSource = directory + "/import.ndjson"
        if want("open") || want("import") { try writeNDJSON(importSource, count: large, text: "a short check-in note") }
        if want("open") {
            section("Open (header + last commit; Argon2id set to its minimum, which dominates: see 'locate' rows)")
            var openTimes: [String: Double] = [:]
            for (label, size, imported) in [("1001 records", 1_000, false), ("\(large + 1) records", large, false), ("\(large) imported", large, true)] {
                let path = directory + "/open-\(size)-\(imported).sj"
                let made = try makeJournal(path)
                if imported {
                    _ = try JournalImport.importRecords(from: .fileHandle(try FileHandle(forReadingFrom: URL(fileURLWithPath: importSource))), format: .ndjson, into: made)
                } else {
                    try fill(made, records: size, text: "a short check-in note")
                    try made.append(JournalEntry(text: "last"))
                }
                let repetitions = 50
                for mode in [OpenMode.readWrite, .readOnly] {
                    let time = try median(repetitions) { _ = try Journal.open(at: path, passphrase: SecretBytes(utf8: passphraseText), mode: mode) }
                    openTimes["\(label) \(mode)"] = time
                    line("  \(label) (\(fileSize(path) / 1_048_576) MiB), \(mode == .readWrite ? "read-write" : "read-only")", String(format: "%10.1f µs", time * 1e6))
                }
                let infoTime = try median(repetitions) { _ = try Journal.info(at: path) }
                line("  \(label), Journal.info (no key: header + locate)", String(format: "%10.1f µs", infoTime * 1e6))
                openTimes["\(label) info"] = infoTime
                // The newest five (`read -n 5`): read backwards from the last commit, so the
                // same at any size.
                let reader = try Journal.open(at: path, passphrase: SecretBytes(utf8: passphraseText), mode: .readOnly)
                let newestTime = try median(repetitions) { _ = try reader.lastRecords(5) }
                line("  \(label), lastRecords(5) on an open journal", String(format: "%10.1f µs", newestTime * 1e6))
            }
        }
        if want("import") {
            section("Import (\(large) records, streaming, in a child process; median of 3 runs, the largest peak RSS)")
            // This shared machine's speed changes by up to 2x: a figure to read the rates against.
            let sample = [UInt8](repeating: 0x61, count: 64 << 20)
            var digest = [UInt8](repeating: 0, count: 32)
            let hashTime = median(3) { _ = crypto_hash_sha256(&digest, sample, UInt64(sample.count)) }
            line("  (machine speed now: raw SHA-256)", String(format: "%10.0f MB/s", Double(sample.count) / hashTime / 1e6))
            let jrnlSource = directory + "/import.json"
            let ndjsonBig = directory + "/import-1k.ndjson"
            try writeNDJSON(ndjsonBig, count: large, text: String(repeating: "b", count: 1000))
            try writeJrnl(jrnlSource, count: large, text: String(repeating: "c", count: 1000))
            for (label, source, format) in [("ndjson, short entries", importSource, "ndjson"), ("ndjson, 1 KiB entries", ndjsonBig, "ndjson"),
                                            ("jrnl-json, 1 KiB entries", jrnlSource, "jrnl-json")] {
                var runs: [(records: Int, time: Double, kib: Int)] = []
                for _ in 0..<3 {
                    let result = try child(["import", directory + "/imported.sj", source, format])
                    try? FileManager.default.removeItem(atPath: directory + "/imported.sj")
                    guard result.count == 3, let records = Int(result[0]), let time = Double(result[1]), let kib = Int(result[2]) else { continue }
                    runs.append((records, time, kib))
                }
                guard runs.count == 3 else { continue }
                let median = runs.sorted { $0.time < $1.time }[1]
                line("  \(label) (\(fileSize(source) / 1_048_576) MiB input)", rate(median.records, median.time) + "  peak RSS \(runs.map(\.kib).max()! / 1024) MiB")
            }
            // What a user waits for: the whole `sealed-journal import` process, which checks the
            // file completely first, then imports it with an fsync per commit (the library rows
            // above import without sync), unlocking with this bench's cheap KDF.
            let passphraseFile = directory + "/import-passphrase"
            _ = FileManager.default.createFile(atPath: passphraseFile, contents: Data((passphraseText + "\n").utf8), attributes: [.posixPermissions: 0o600])
            for (label, source, format) in [("ndjson, 1 KiB entries", ndjsonBig, "ndjson"), ("jrnl-json, 1 KiB entries", jrnlSource, "jrnl-json")] {
                var times: [Double] = []
                for _ in 0..<3 {
                    let target = directory + "/imported-cli.sj"
                    _ = try makeJournal(target)
                    if let time = try runCLIOnce(["import", target, source, "--from", format, "--passphrase-file", passphraseFile, "--quiet"]) { times.append(time) }
                    try? FileManager.default.removeItem(atPath: target)
                }
                guard times.count == 3 else { continue }
                line("  CLI import (check + fsync), \(label)", rate(large, times.sorted()[1]))
            }
        }
        if want("memory") {
            section("Streaming read, peak resident memory of a reader process")
            for (size, path) in [(1_000, directory + "/open-1000-false.sj"), (large, directory + "/open-\(large)-false.sj")] {
                if !FileManager.default.fileExists(atPath: path) { try fill(try makeJournal(path), records: size, text: "a short check-in note") }
                let result = try child(["stream-memory", path])
                line("  \(result.first ?? "?") records", "\((Int(result.last ?? "") ?? 0) / 1024) MiB peak RSS")
            }
        }
        endSection()
    }
}
