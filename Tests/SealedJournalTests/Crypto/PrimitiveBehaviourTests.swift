import Foundation
import Testing
@testable import SealedJournal

@Suite("Primitive behaviour and parameter checks")
struct PrimitiveBehaviourTests {
    @Test("libsodium initialises and is at least 1.0.18")
    func libraryVersion() throws {
        let version = try SealedJournalLibrary.sodiumVersion()
        #expect(Sodium.isAtLeastMinimum(version))
        #expect(Sodium.isAtLeastMinimum("1.0.18"))
        #expect(Sodium.isAtLeastMinimum("1.0.20"))
        #expect(Sodium.isAtLeastMinimum("1.1"))
        #expect(!Sodium.isAtLeastMinimum("1.0.17"))
        #expect(!Sodium.isAtLeastMinimum("0.9.99"))
        #expect(!Sodium.isAtLeastMinimum("garbage"))
    }

    @Test("padding round-trips every length and rejects altered padding")
    func padding() throws {
        for length in 0..<300 {
            var bytes = [UInt8](repeating: 0x41, count: length)
            try Padding.pad(&bytes, blockSize: 64)
            #expect(bytes.count % 64 == 0 && bytes.count > length)
            try Padding.unpad(&bytes, blockSize: 64)
            #expect(bytes.count == length)
        }
        var bytes = [UInt8](repeating: 0x41, count: 10)
        try Padding.pad(&bytes, blockSize: 16)
        bytes[15] = 1
        #expect(throws: CryptoError.invalidPadding) { try Padding.unpad(&bytes, blockSize: 16) }
        var zeros = [UInt8](repeating: 0, count: 16)
        #expect(throws: CryptoError.invalidPadding) { try Padding.unpad(&zeros, blockSize: 16) }
    }

    @Test("KDF subkeys depend on id, context and key; bad sizes are refused")
    func kdf() throws {
        let master = try SecretBytes.random(count: 32)
        let context = KeyDerivation.Context("SJrecord")
        let a = try KeyDerivation.deriveSubkey(length: 32, id: 1, context: context, masterKey: master)
        let a2 = try KeyDerivation.deriveSubkey(length: 32, id: 1, context: context, masterKey: master)
        let b = try KeyDerivation.deriveSubkey(length: 32, id: 2, context: context, masterKey: master)
        let c = try KeyDerivation.deriveSubkey(length: 32, id: 1, context: KeyDerivation.Context("SJsignkc"), masterKey: master)
        #expect(a.constantTimeEquals(a2))
        #expect(!a.constantTimeEquals(b))
        #expect(!a.constantTimeEquals(c))
        #expect(throws: CryptoError.self) { try KeyDerivation.deriveSubkey(length: 8, id: 1, context: context, masterKey: master) }
        #expect(throws: CryptoError.invalidLength(what: "KDF master key", expected: 32, actual: 16)) {
            try KeyDerivation.deriveSubkey(length: 32, id: 1, context: context, masterKey: SecretBytes.random(count: 16))
        }
    }

    @Test("crypto_kdf matches its documented BLAKE2b construction (independent check)")
    func kdfConstruction() throws {
        // libsodium documents crypto_kdf_blake2b as keyed BLAKE2b with salt = LE64(id) || 0^8 and
        // personal = context || 0^8. Python's hashlib exposes salt/person; the value below was
        // produced by: hashlib.blake2b(b"", key=bytes(range(32)), salt=(5).to_bytes(8,'little')+bytes(8),
        //                              person=b"SJrecord"+bytes(8), digest_size=32).hexdigest()
        let master = try SecretBytes(copying: Array(0..<32))
        let subkey = try KeyDerivation.deriveSubkey(length: 32, id: 5, context: KeyDerivation.Context("SJrecord"), masterKey: master)
        let expected = try #require([UInt8](hex: "8556968483cf42ac852fdd64011269a3b6c266bd1666787d14106464b4c7f529"))
        #expect(subkey.constantTimeEquals(expected))
    }

    @Test("Argon2id refuses out-of-range parameters and bad salts with specific errors")
    func argon2Parameters() throws {
        let passphrase = try SecretBytes(utf8: "one day at a time")
        let salt = [UInt8](repeating: 7, count: 16)
        #expect(throws: CryptoError.invalidLength(what: "Argon2id salt", expected: 16, actual: 8)) {
            try Argon2id.deriveKey(outputByteCount: 32, passphrase: passphrase, salt: Array(salt.prefix(8)),
                                   parameters: .init(opsLimit: 1, memoryLimitBytes: 8192))
        }
        #expect(throws: CryptoError.self) {
            try Argon2id.deriveKey(outputByteCount: 32, passphrase: passphrase, salt: salt,
                                   parameters: .init(opsLimit: 0, memoryLimitBytes: 8192))
        }
        #expect(throws: CryptoError.self) {
            try Argon2id.deriveKey(outputByteCount: 32, passphrase: passphrase, salt: salt,
                                   parameters: .init(opsLimit: 1, memoryLimitBytes: 1024))
        }
        // Deterministic and passphrase-sensitive.
        let p = Argon2id.Parameters(opsLimit: 1, memoryLimitBytes: 8192)
        let k1 = try Argon2id.deriveKey(outputByteCount: 32, passphrase: passphrase, salt: salt, parameters: p)
        let k2 = try Argon2id.deriveKey(outputByteCount: 32, passphrase: passphrase, salt: salt, parameters: p)
        let k3 = try Argon2id.deriveKey(outputByteCount: 32, passphrase: SecretBytes(utf8: "one day at a timE"), salt: salt, parameters: p)
        #expect(k1.constantTimeEquals(k2))
        #expect(!k1.constantTimeEquals(k3))
        #expect(Argon2id.Parameters.moderate.memoryLimitBytes == 256 * 1_048_576)
        #expect(Argon2id.Parameters.interactive.opsLimit == 2)
        #expect(Argon2id.Parameters.sensitive.memoryLimitBytes == 1_073_741_824)
    }

    @Test("Argon2id memory refused by the system is a clear, specific error",
          .enabled(if: Self.kernelRefusesHugeAllocations, "vm.overcommit_memory=1 would let the allocation succeed"))
    func argon2OutOfMemory() throws {
        // libsodium's largest accepted memlimit (4 TiB on 64-bit) is far beyond this machine,
        // so Argon2id's allocation is refused by the kernel (heuristic overcommit).
        let huge = Argon2id.Parameters(opsLimit: 1, memoryLimitBytes: UInt64(4) << 40 - 1024)
        #expect(throws: CryptoError.passwordHashingOutOfMemory(memoryLimitBytes: huge.memoryLimitBytes)) {
            try Argon2id.deriveKey(outputByteCount: 32, passphrase: SecretBytes(utf8: "x"),
                                   salt: [UInt8](repeating: 1, count: 16), parameters: huge)
        }
        #expect(CryptoError.passwordHashingOutOfMemory(memoryLimitBytes: 1 << 30).description.contains("1024 MiB"))
    }

    static var kernelRefusesHugeAllocations: Bool {
        (try? String(contentsOfFile: "/proc/sys/vm/overcommit_memory", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) != "1"
    }
}
