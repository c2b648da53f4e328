import Foundation
import Testing
@testable import SealedJournal

/// Our age output must decrypt byte for byte with the stock `age` tool (Debian package `age`).
@Suite("age export interoperates with stock age", .enabled(if: StockAge.isAvailable, "the age tool is not installed (make test installs it)"))
struct AgeInteropTests {
    static let sizes = [0, 1, 1000, 65_535, 65_536, 65_537, 3 * 65_536, 200_000]

    @Test("X25519 recipients: empty, small and multi-chunk payloads, binary and armored", arguments: sizes, [false, true])
    func x25519(size: Int, armored: Bool) throws {
        let dir = try TemporaryDirectory()
        let identity = try StockAge.keygen(dir.file("key.txt"))
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let encrypted = try StockAge.encrypt(plaintext, to: [try AgeRecipient(parsing: identity.recipient)], armored: armored)
        if armored { #expect(String(decoding: encrypted.prefix(34), as: UTF8.self) == "-----BEGIN AGE ENCRYPTED FILE-----") }
        try writeFileBytes(encrypted, to: dir.file("out.age"))
        let decrypted = try StockAge.run(["-d", "-i", dir.file("key.txt"), dir.file("out.age")])
        #expect(decrypted.status == 0, "\(decrypted.stderr)")
        #expect(decrypted.stdout == plaintext, "size \(size)")
    }

    @Test("armor: the padded base64 of the binary file in 64-column lines, whatever the write sizes; stock age reads a 1 MiB one")
    func armorLines() throws {
        // The reference: padded base64 of the whole ciphertext cut every 64 characters (what
        // the armor must equal however the ciphertext arrived).
        func reference(_ binary: [UInt8]) -> String {
            let text = Data(binary).base64EncodedString()
            var lines: [String] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 64, limitedBy: text.endIndex) ?? text.endIndex
                lines.append(String(text[index..<next]))
                index = next
            }
            return "-----BEGIN AGE ENCRYPTED FILE-----\n" + lines.map { $0 + "\n" }.joined() + "-----END AGE ENCRYPTED FILE-----\n"
        }
        for (size, piece) in [(0, 1), (1, 1), (47, 5), (48, 48), (65_536, 1_000), (65_537, 4_096), (200_000, 65_536), (1 << 20, 7_919)] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            // The same file key, stanza and nonce for both runs: the same deterministic randomness.
            let armored = try DeterministicRandomness.withSeed("armor \(size)") { try encrypt(plaintext, armored: true, piece: piece) }
            let binary = try DeterministicRandomness.withSeed("armor \(size)") { try encrypt(plaintext, armored: false, piece: piece) }
            #expect(String(decoding: armored, as: UTF8.self) == reference(binary), "size \(size), writes of \(piece)")
        }
        let dir = try TemporaryDirectory()
        let identity = try StockAge.keygen(dir.file("key.txt"))
        let plaintext = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let encrypted = try StockAge.encrypt(plaintext, to: [try AgeRecipient(parsing: identity.recipient)], armored: true)
        try writeFileBytes(encrypted, to: dir.file("out.age"))
        #expect(try StockAge.run(["-d", "-i", dir.file("key.txt"), dir.file("out.age")]).stdout == plaintext)

        func encrypt(_ plaintext: [UInt8], armored: Bool, piece: Int) throws -> [UInt8] {
            var output: [UInt8] = []
            let recipient = AgeRecipient.x25519(publicKey: [UInt8](repeating: 9, count: 32))
            let encryptor = try AgeEncryptor(recipients: [recipient], armored: armored) { output.append(contentsOf: $0) }
            var offset = 0
            while offset < plaintext.count {
                try encryptor.write(plaintext[offset..<min(plaintext.count, offset + piece)])
                offset += piece
            }
            try encryptor.finish()
            return output
        }
    }

    @Test("several recipients can each decrypt; a stranger cannot; tampering is detected")
    func severalRecipients() throws {
        let dir = try TemporaryDirectory()
        let alice = try StockAge.keygen(dir.file("alice.txt"))
        let bob = try StockAge.keygen(dir.file("bob.txt"))
        _ = try StockAge.keygen(dir.file("eve.txt"))
        let plaintext = Array("weekly check-ins for Dr. Lee\n".utf8)
        let encrypted = try StockAge.encrypt(plaintext, to: [try AgeRecipient(parsing: alice.recipient), try AgeRecipient(parsing: bob.recipient)])
        try writeFileBytes(encrypted, to: dir.file("out.age"))
        for key in ["alice.txt", "bob.txt"] {
            #expect(try StockAge.run(["-d", "-i", dir.file(key), dir.file("out.age")]).stdout == plaintext)
        }
        #expect(try StockAge.run(["-d", "-i", dir.file("eve.txt"), dir.file("out.age")]).status != 0)
        var tampered = encrypted
        tampered[tampered.count - 5] ^= 1
        try writeFileBytes(tampered, to: dir.file("bad.age"))
        #expect(try StockAge.run(["-d", "-i", dir.file("alice.txt"), dir.file("bad.age")]).status != 0)
    }

    @Test("recipient strings are checked: checksum, prefix, length")
    func recipientParsing() throws {
        let dir = try TemporaryDirectory()
        let identity = try StockAge.keygen(dir.file("key.txt"))
        let parsed = try AgeRecipient(parsing: identity.recipient)
        #expect(parsed.displayName == identity.recipient)
        var typo = Array(identity.recipient)
        typo[10] = typo[10] == "q" ? "p" : "q"
        #expect(throws: JournalError.self) { try AgeRecipient(parsing: String(typo)) }
        #expect(throws: JournalError.self) { try AgeRecipient(parsing: "age1") }
        #expect(throws: JournalError.self) { try AgeRecipient(parsing: "AGE-SECRET-KEY-1QQQ") }
        #expect(throws: JournalError.self) { try AgeRecipient(parsing: Bech32.encode(hrp: "age", data: [1, 2, 3])) }
        #expect(throws: JournalError.self) { try AgeEncryptor(recipients: [], output: { _ in }) }
        #expect(throws: JournalError.self) {
            try AgeEncryptor(recipients: [parsed, .scrypt(passphrase: SecretBytes(utf8: "x"), workFactor: 10)], output: { _ in })
        }
    }
}

/// Runs the stock `age` and `age-keygen` binaries.
enum StockAge {
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/age") }

    struct Identity { let recipient: String }

    static func keygen(_ path: String) throws -> Identity {
        let result = try run(["-o", path], executable: "/usr/bin/age-keygen")
        #expect(result.status == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("# public key: ") })
        return Identity(recipient: String(line.dropFirst("# public key: ".count)))
    }

    static func encrypt(_ plaintext: [UInt8], to recipients: [AgeRecipient], armored: Bool = false) throws -> [UInt8] {
        var output = Data()
        let encryptor = try AgeEncryptor(recipients: recipients, armored: armored) { output.append($0) }
        // Feed in uneven pieces to exercise buffering.
        var index = 0
        var step = 1
        while index < plaintext.count {
            let end = min(plaintext.count, index + step)
            try encryptor.write(plaintext[index..<end])
            index = end
            step = step * 3 % 70_001 + 1
        }
        try encryptor.finish()
        return [UInt8](output)
    }

    static func run(_ arguments: [String], executable: String = "/usr/bin/age") throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errors = DataBox()
        let reader = Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errors.done { usleep(1000) }
        return (process.terminationStatus, [UInt8](data), String(decoding: errors.data, as: UTF8.self))
    }
}
