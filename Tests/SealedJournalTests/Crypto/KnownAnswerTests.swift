import Testing
@testable import SealedJournal

/// Published vectors (RFCs, FIPS, the XChaCha draft), shipped as JSON resources and
/// cross-checked by scripts/check-crypto-vectors.py against independent implementations.
@Suite("Known-answer tests")
struct KnownAnswerTests {
    @Test("Ed25519, RFC 8032 tests 1-3")
    func ed25519() throws {
        for c in try TestVectors.cases("crypto-vectors", "ed25519") {
            let key = try Ed25519.SigningKey(seed: SecretBytes(copying: c.hex("seed")))
            #expect(key.publicKey == (try c.hex("publicKey")), "\(c.name)")
            let signature = key.signature(for: try c.hex("message"))
            #expect(signature == (try c.hex("signature")), "\(c.name)")
            #expect(Ed25519.isValidSignature(signature, for: try c.hex("message"), publicKey: key.publicKey))
            var forged = signature
            forged[0] ^= 1
            #expect(!Ed25519.isValidSignature(forged, for: try c.hex("message"), publicKey: key.publicKey))
            #expect(!Ed25519.isValidSignature(signature, for: try c.hex("message") + [0], publicKey: key.publicKey))
        }
    }

    @Test("BLAKE2b-512(\"abc\"), RFC 7693")
    func blake2b() throws {
        for c in try TestVectors.cases("crypto-vectors", "blake2b") {
            #expect(try BLAKE2b.hash(c.hex("message"), outputByteCount: c.int("outputByteCount")) == (try c.hex("digest")))
        }
    }

    @Test("SHA-256, FIPS 180 examples, one-shot and incremental")
    func sha256() throws {
        for c in try TestVectors.cases("crypto-vectors", "sha256") {
            let message = try c.hex("message")
            #expect(try SHA256.hash(message) == (try c.hex("digest")), "\(c.name)")
            var hasher = SHA256()
            for byte in message { hasher.update(byte: byte) }
            #expect(hasher.finalize() == (try c.hex("digest")), "\(c.name) incremental")
        }
    }

    @Test("HMAC-SHA256, RFC 4231 (including keys longer than the block)")
    func hmac() throws {
        for c in try TestVectors.cases("crypto-vectors", "hmacSHA256") {
            let mac = try HMACSHA256.authenticationCode(for: c.hex("message"), key: c.hex("key"))
            #expect(mac == (try c.hex("mac")), "\(c.name)")
            let secretKey = try SecretBytes(copying: c.hex("key"))
            #expect(try HMACSHA256.isValid(c.hex("mac"), for: c.hex("message"), key: secretKey))
            #expect(try !HMACSHA256.isValid(c.hex("mac"), for: c.hex("message") + [1], key: secretKey))
        }
    }

    @Test("HKDF-SHA256, RFC 5869 cases 1-3")
    func hkdf() throws {
        for c in try TestVectors.cases("crypto-vectors", "hkdfSHA256") {
            let ikm = try SecretBytes(copying: c.hex("ikm"))
            let prk = try HKDF.extract(salt: c.hex("salt"), inputKeyMaterial: ikm)
            #expect(prk.constantTimeEquals(try c.hex("prk")), "\(c.name) PRK")
            let okm = try HKDF.deriveKey(inputKeyMaterial: ikm, salt: c.hex("salt"), info: c.hex("info"), length: c.int("length"))
            #expect(okm.constantTimeEquals(try c.hex("okm")), "\(c.name) OKM")
        }
        #expect(throws: CryptoError.self) {
            try HKDF.expand(pseudorandomKey: SecretBytes.random(count: 32), info: [], length: 255 * 32 + 1)
        }
    }

    @Test("XChaCha20-Poly1305, draft-irtf-cfrg-xchacha A.3.1")
    func xchacha() throws {
        for c in try TestVectors.cases("crypto-vectors", "xchacha20Poly1305") {
            let key = try SecretBytes(copying: c.hex("key"))
            let sealed = try key.withUnsafeBytes { k in
                try c.hex("plaintext").withUnsafeBytes { p in
                    try c.hex("aad").withUnsafeBytes { a in
                        try XChaCha20Poly1305.sealCombined(p, key: k, nonce: c.hex("nonce"), associatedData: a)
                    }
                }
            }
            #expect(sealed == (try c.hex("nonce") + c.hex("ciphertext") + c.hex("tag")))
            #expect(try XChaCha20Poly1305.open(sealed, key: key, associatedData: c.hex("aad")) == (try c.hex("plaintext")))
        }
    }

    @Test("ChaCha20-Poly1305, RFC 8439 section 2.8.2")
    func chacha() throws {
        for c in try TestVectors.cases("crypto-vectors", "chacha20Poly1305") {
            let key = try SecretBytes(copying: c.hex("key"))
            let sealed = try ChaCha20Poly1305.seal(c.hex("plaintext"), key: key, nonce: c.hex("nonce"), associatedData: c.hex("aad"))
            #expect(sealed == (try c.hex("ciphertext") + c.hex("tag")))
            #expect(try ChaCha20Poly1305.open(sealed, key: key, nonce: c.hex("nonce"), associatedData: c.hex("aad")) == (try c.hex("plaintext")))
        }
    }

    @Test("X25519, RFC 7748 section 6.1")
    func x25519() throws {
        for c in try TestVectors.cases("crypto-vectors", "x25519") {
            let alice = try X25519.PrivateKey(rawRepresentation: SecretBytes(copying: c.hex("alicePrivate")))
            let bob = try X25519.PrivateKey(rawRepresentation: SecretBytes(copying: c.hex("bobPrivate")))
            #expect(alice.publicKey == (try c.hex("alicePublic")))
            #expect(bob.publicKey == (try c.hex("bobPublic")))
            #expect(try alice.sharedSecret(with: bob.publicKey).constantTimeEquals(c.hex("shared")))
            #expect(try bob.sharedSecret(with: alice.publicKey).constantTimeEquals(c.hex("shared")))
        }
    }

    @Test("Argon2id, vectors from the reference implementation (argon2-cffi)")
    func argon2id() throws {
        for c in try TestVectors.cases("argon2id-vectors", "argon2id") {
            let key = try Argon2id.deriveKey(
                outputByteCount: c.hex("key").count, passphrase: SecretBytes(copying: c.hex("passphrase")),
                salt: c.hex("salt"),
                parameters: .init(opsLimit: UInt64(c.int("opsLimit")), memoryLimitBytes: UInt64(c.int("memoryLimitBytes"))))
            #expect(key.constantTimeEquals(try c.hex("key")), "\(c.name)")
        }
    }
}
