import Testing
@testable import SealedJournal

@Suite("Authenticated encryption rejects every alteration")
struct TamperTests {
    let message = Array("I called my sponsor tonight instead of drinking.".utf8)
    let aad = Array("journal-id|seq=7|kind=1".utf8)

    @Test("every single-bit flip of an XChaCha20-Poly1305 message fails to open")
    func xchachaBitFlips() throws {
        let key = try SecretBytes.random(count: 32)
        let sealed = try XChaCha20Poly1305.seal(message, key: key, associatedData: aad)
        #expect(sealed.count == message.count + XChaCha20Poly1305.overhead)
        #expect(try XChaCha20Poly1305.open(sealed, key: key, associatedData: aad) == message)
        var failures = 0
        for bit in 0..<(sealed.count * 8) {
            var altered = sealed
            altered[bit / 8] ^= UInt8(1 << (bit % 8))
            do {
                _ = try XChaCha20Poly1305.open(altered, key: key, associatedData: aad)
            } catch CryptoError.authenticationFailed {
                failures += 1
            }
        }
        #expect(failures == sealed.count * 8)
    }

    @Test("wrong associated data, wrong key and truncation fail to open")
    func xchachaWrongContext() throws {
        let key = try SecretBytes.random(count: 32)
        let sealed = try XChaCha20Poly1305.seal(message, key: key, associatedData: aad)
        #expect(throws: CryptoError.authenticationFailed) {
            try XChaCha20Poly1305.open(sealed, key: key, associatedData: aad + [0])
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try XChaCha20Poly1305.open(sealed, key: key, associatedData: [])
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try XChaCha20Poly1305.open(sealed, key: try SecretBytes.random(count: 32), associatedData: aad)
        }
        for length in [0, 1, 23, 24, 39, sealed.count - 1] {
            #expect(throws: CryptoError.authenticationFailed) {
                try XChaCha20Poly1305.open(Array(sealed.prefix(length)), key: key, associatedData: aad)
            }
        }
        #expect(throws: CryptoError.invalidLength(what: "XChaCha20-Poly1305 key", expected: 32, actual: 16)) {
            try XChaCha20Poly1305.open(sealed, key: try SecretBytes.random(count: 16), associatedData: aad)
        }
    }

    @Test("two seals of the same message never share a nonce or ciphertext")
    func freshNonces() throws {
        let key = try SecretBytes.random(count: 32)
        var nonces = Set<[UInt8]>()
        for _ in 0..<1000 {
            let sealed = try XChaCha20Poly1305.seal(message, key: key, associatedData: aad)
            nonces.insert(Array(sealed.prefix(24)))
        }
        #expect(nonces.count == 1000)
    }

    @Test("every single-bit flip of a ChaCha20-Poly1305 message fails; wrong AAD fails")
    func chachaBitFlips() throws {
        let key = try SecretBytes.random(count: 32)
        let nonce = [UInt8](repeating: 0, count: 11) + [1]
        let sealed = try ChaCha20Poly1305.seal(message, key: key, nonce: nonce, associatedData: aad)
        for bit in 0..<(sealed.count * 8) {
            var altered = sealed
            altered[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(throws: CryptoError.authenticationFailed) {
                try ChaCha20Poly1305.open(altered, key: key, nonce: nonce, associatedData: aad)
            }
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try ChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: [])
        }
        #expect(try ChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: aad) == message)
        let empty = try ChaCha20Poly1305.seal([UInt8](), key: key, nonce: nonce)
        #expect(try ChaCha20Poly1305.open(empty, key: key, nonce: nonce).isEmpty)
    }

    @Test("sealed boxes open only with the recipient's key and reject flips")
    func sealedBoxes() throws {
        let recipient = try X25519.PrivateKey.generate()
        let other = try X25519.PrivateKey.generate()
        let box = try X25519.sealedBox(message, to: recipient.publicKey)
        #expect(try X25519.openSealedBox(box, with: recipient) == message)
        #expect(throws: CryptoError.authenticationFailed) { try X25519.openSealedBox(box, with: other) }
        for index in stride(from: 0, to: box.count, by: 7) {
            var altered = box
            altered[index] ^= 0x40
            #expect(throws: CryptoError.authenticationFailed) { try X25519.openSealedBox(altered, with: recipient) }
        }
        #expect(throws: CryptoError.invalidPublicKey) {
            try recipient.sharedSecret(with: [UInt8](repeating: 0, count: 32))
        }
    }
}
