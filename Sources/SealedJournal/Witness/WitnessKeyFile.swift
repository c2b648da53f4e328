import Foundation

/// The witness's Ed25519 key pair at rest, sealed with a passphrase the way a journal key slot is
/// (FORMAT.md 12.1): a random 32-byte seed wrapped with XChaCha20-Poly1305 under an Argon2id key.
///
///     sealed-journal-witness-key/v1\n
///     vkey <verifier key: name+key id+base64(0x04 || public key)>\n
///     argon2id <opslimit> <memlimit in bytes> <salt, base64>\n
///     sealed <base64(nonce (24) || ciphertext of the seed (32) || tag (16))>\n
///
/// The associated data is the first three lines exactly, so the name, the public key and the
/// Argon2id parameters cannot be changed without the unwrap failing. After unwrapping, the
/// public key derived from the seed must equal the one in the `vkey` line.
enum WitnessKeyFile {
    static let magic = "sealed-journal-witness-key/v1"

    /// Seals a fresh key pair for `name`. Cost: one Argon2id run.
    static func create(name: String, passphrase: SecretBytes, kdf: KDFPreset) throws(WitnessError) -> (text: String, key: Ed25519.SigningKey) {
        let parameters = kdf.parameters
        guard KeySlot.isAcceptable(opsLimit: parameters.opsLimit, memoryLimitBytes: parameters.memoryLimitBytes) else {
            throw .crypto("Argon2id parameters outside the accepted limits")
        }
        do {
            let seed = try SecretBytes.random(count: Ed25519.seedByteCount)
            let key = try Ed25519.SigningKey(seed: seed)
            let identity: WitnessPublicKey
            do { identity = try WitnessPublicKey(name: name, publicKey: key.publicKey) } catch {
                throw WitnessError.malformedRequest(reason: "witness name: \(error)")
            }
            let salt = try RandomBytes.generate(count: Argon2id.saltByteCount)
            let head = "\(magic)\nvkey \(identity.verifierKey)\nargon2id \(parameters.opsLimit) \(parameters.memoryLimitBytes) \(Data(salt).base64EncodedString())\n"
            let normalized = try PassphrasePolicy.normalizedForKeyDerivation(passphrase)
            let wrappingKey = try Argon2id.deriveKey(outputByteCount: 32, passphrase: normalized, salt: salt, parameters: parameters)
            let sealed = try seed.withUnsafeBytes { s in
                try Array(head.utf8).withUnsafeBytes { a in try XChaCha20Poly1305.seal(s, key: wrappingKey, associatedData: a) }
            }
            return (head + "sealed \(Data(sealed).base64EncodedString())\n", key)
        } catch let error as WitnessError {
            throw error
        } catch {
            throw .crypto("could not create the witness key (\(error))")
        }
    }

    /// The public identity in a key file (no passphrase needed).
    static func identity(_ text: String, path: String) throws(WitnessError) -> WitnessPublicKey {
        try parse(text, path: path).identity
    }

    /// Opens the key file with `passphrase`. Cost: one Argon2id run (bounded as for journals).
    static func open(_ text: String, path: String, passphrase: SecretBytes) throws(WitnessError) -> (identity: WitnessPublicKey, key: Ed25519.SigningKey) {
        let parsed = try parse(text, path: path)
        let seed: SecretBytes
        do {
            let normalized = try PassphrasePolicy.normalizedForKeyDerivation(passphrase)
            let wrappingKey = try Argon2id.deriveKey(outputByteCount: 32, passphrase: normalized, salt: parsed.salt, parameters: parsed.parameters)
            guard let opened = try? XChaCha20Poly1305.openSecret(parsed.sealed, key: wrappingKey, associatedData: Array(parsed.head.utf8)) else {
                throw WitnessError.wrongPassphrase
            }
            seed = opened
        } catch let error as WitnessError {
            throw error
        } catch {
            throw .crypto("could not derive the witness key (\(error))")
        }
        guard seed.count == Ed25519.seedByteCount, let key = try? Ed25519.SigningKey(seed: seed) else {
            throw .damagedState(path: path, reason: "the sealed seed has the wrong length")
        }
        guard key.publicKey == parsed.identity.publicKey else {
            throw .damagedState(path: path, reason: "the sealed key does not match the public key in the file")
        }
        return (parsed.identity, key)
    }

    private struct Parsed {
        let head: String
        let identity: WitnessPublicKey
        let parameters: Argon2id.Parameters
        let salt: [UInt8]
        let sealed: [UInt8]
    }

    private static func parse(_ text: String, path: String) throws(WitnessError) -> Parsed {
        func damaged(_ reason: String) -> WitnessError { .damagedState(path: path, reason: reason) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 5, lines[0] == magic, lines[4].isEmpty else { throw damaged("not a witness key file") }
        guard lines[1].hasPrefix("vkey "), let identity = try? WitnessPublicKey(verifierKey: String(lines[1].dropFirst(5))) else {
            throw damaged("bad vkey line")
        }
        let kdf = lines[2].split(separator: " ", omittingEmptySubsequences: false)
        guard kdf.count == 4, kdf[0] == "argon2id", let ops = UInt64(kdf[1]), let memory = UInt64(kdf[2]),
              let salt = Data(base64Encoded: String(kdf[3])), salt.count == Argon2id.saltByteCount else {
            throw damaged("bad argon2id line")
        }
        guard KeySlot.isAcceptable(opsLimit: ops, memoryLimitBytes: memory) else { throw damaged("Argon2id parameters outside the accepted limits") }
        guard lines[3].hasPrefix("sealed "), let sealed = Data(base64Encoded: String(lines[3].dropFirst(7))),
              sealed.count == XChaCha20Poly1305.nonceByteCount + Ed25519.seedByteCount + 16 else {
            throw damaged("bad sealed line")
        }
        let head = lines[0...2].joined(separator: "\n") + "\n"
        return Parsed(head: head, identity: identity, parameters: .init(opsLimit: ops, memoryLimitBytes: memory),
                      salt: [UInt8](salt), sealed: [UInt8](sealed))
    }
}
