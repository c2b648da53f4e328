import Foundation

/// Someone an age export is encrypted to.
public enum AgeRecipient: Sendable {
    /// An age X25519 recipient (`age1...`, from `age-keygen`).
    case x25519(publicKey: [UInt8])
    /// A passphrase (age's scrypt recipient). It must be the only recipient of a file.
    case scrypt(passphrase: SecretBytes, workFactor: Int)

    /// Parses an `age1...` recipient string.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` naming the problem.
    public init(parsing text: String) throws(JournalError) {
        guard let (hrp, data) = Bech32.decode(text), hrp == "age" else {
            throw .invalidField(field: "recipient", reason: "\(text.prefix(12))… is not an age1… X25519 recipient")
        }
        guard data.count == 32 else { throw .invalidField(field: "recipient", reason: "an age recipient holds 32 bytes") }
        self = .x25519(publicKey: data)
    }

    /// The `age1...` form (or "passphrase" for scrypt), for disclosure records.
    public var displayName: String {
        switch self {
        case let .x25519(key): return Bech32.encode(hrp: "age", data: key)
        case .scrypt: return "passphrase (age scrypt)"
        }
    }
}

/// Encrypts a stream to age v1 (C2SP age): X25519 and scrypt recipient stanzas, HMAC-SHA-256
/// header MAC, and a STREAM payload of 64 KiB ChaCha20-Poly1305 chunks; optionally ASCII-armored.
/// Decrypt with the stock tool: `age -d -i key.txt file.age`.
///
/// Plaintext is held only in a 64 KiB in-memory buffer that is wiped as it goes; nothing touches disk.
public final class AgeEncryptor {
    static let chunkSize = 64 * 1024
    private let output: (Data) throws -> Void
    private var payloadKey: SecretBytes
    private var buffer: [UInt8] = []
    private var counter: UInt64 = 0
    private var finished = false
    private var armor: ArmorWriter?
    /// Plaintext bytes whose sealed chunks have wholly reached `output` (armor lines included):
    /// what a reader of the output so far could decrypt. A partial disclosure counts these.
    private(set) var plaintextDelivered = 0
    /// Encrypted bytes (header, nonce, sealed chunks) handed to `output` so far, before armoring.
    private var rawDelivered = 0
    /// Encrypted bytes made so far (delivered or waiting in the armor's last line).
    private var rawMade = 0
    /// Sealed chunks not yet wholly delivered: where their encrypted bytes end, and the plaintext they hold up to.
    private var undelivered: [(rawEnd: Int, plaintextEnd: Int)] = []
    /// Plaintext bytes sealed so far.
    private var plaintextSealed = 0

    /// Writes the header at once; then call ``write(_:)-(Sequence<UInt8>)`` (or ``write(_:)-(String)``)
    /// for the plaintext and ``finish()``.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` for no recipients or scrypt mixed with others.
    public init(recipients: [AgeRecipient], armored: Bool = false, output: @escaping (Data) throws -> Void) throws {
        guard !recipients.isEmpty else { throw JournalError.invalidField(field: "recipients", reason: "at least one recipient is needed") }
        let scryptCount = recipients.filter { if case .scrypt = $0 { return true } else { return false } }.count
        guard scryptCount == 0 || recipients.count == 1 else {
            throw JournalError.invalidField(field: "recipients", reason: "a passphrase recipient must be the only recipient")
        }
        self.output = output
        // The whole chunk is reserved now: the plaintext buffer never grows (a grown buffer would
        // leave its old, unwiped storage behind).
        buffer.reserveCapacity(AgeEncryptor.chunkSize)
        if armored { armor = ArmorWriter() }
        let fileKey = try SecretBytes.random(count: 16)
        var header = "age-encryption.org/v1\n"
        for recipient in recipients { header += try AgeEncryptor.stanza(for: recipient, fileKey: fileKey) }
        header += "---"
        let macKey = try HKDF.deriveKey(inputKeyMaterial: fileKey, salt: [], info: Array("header".utf8), length: 32)
        let mac = try HMACSHA256.authenticationCode(for: Array(header.utf8), key: macKey)
        header += " " + AgeEncryptor.base64(mac) + "\n"
        let nonce = try RandomBytes.generate(count: 16)
        payloadKey = try HKDF.deriveKey(inputKeyMaterial: fileKey, salt: nonce, info: Array("payload".utf8), length: 32)
        try emit(Array(header.utf8) + nonce)
    }

    /// Adds plaintext.
    public func write(_ bytes: some Sequence<UInt8>) throws {
        precondition(!finished, "write after finish")
        let done: Void? = try bytes.withContiguousStorageIfAvailable { try append(UnsafeRawBufferPointer($0)) }
        if done == nil {
            var copy = Array(bytes)
            defer { copy.withUnsafeMutableBytes { Sodium.wipe($0) } }
            try copy.withUnsafeBytes { try append($0) }
        }
    }

    /// Fills the one-chunk buffer and seals it each time it is full and more plaintext follows (the
    /// last chunk is sealed by ``finish()``), so a large write costs O(size), never O(size²).
    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if buffer.count == AgeEncryptor.chunkSize { try sealChunk(count: AgeEncryptor.chunkSize, last: false) }
            let take = min(AgeEncryptor.chunkSize - buffer.count, bytes.count - offset)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
        }
    }

    /// Encrypts the UTF-8 bytes of `text` (buffered into 64 KiB chunks; nothing reaches `output` in
    /// plaintext).
    /// - Throws: whatever `output` throws; a ``CryptoError`` if sealing fails.
    public func write(_ text: String) throws { try write(text.utf8) }

    /// Seals the final chunk (and closes the armor).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try sealChunk(count: buffer.count, last: true)
        if armor != nil {
            let (text, covered) = armor!.finish()
            try output(text)
            delivered(covered)
        }
    }

    private func sealChunk(count: Int, last: Bool) throws {
        var nonce = [UInt8](repeating: 0, count: 12)
        for i in 0..<8 { nonce[10 - i] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(i))) }
        nonce[11] = last ? 1 : 0
        let sealed = try buffer.withUnsafeBytes { raw in
            try ChaCha20Poly1305.seal(UnsafeRawBufferPointer(rebasing: raw[0..<count]), key: payloadKey, nonce: nonce)
        }
        // Every seal takes the whole buffer (a full chunk, or the rest at finish): wipe it, keep its storage.
        buffer.withUnsafeMutableBytes { Sodium.wipe(UnsafeMutableRawBufferPointer(rebasing: $0[..<count])) }
        buffer.removeAll(keepingCapacity: true)
        counter += 1
        plaintextSealed += count
        undelivered.append((rawMade + sealed.count, plaintextSealed))
        try emit(sealed)
    }

    private func emit(_ bytes: [UInt8]) throws {
        rawMade += bytes.count
        if armor != nil {
            let (text, covered) = armor!.add(bytes)
            if !text.isEmpty { try output(text) }
            delivered(covered)
        } else {
            try output(Data(bytes))
            delivered(bytes.count)
        }
    }

    /// Notes `count` more encrypted bytes as having reached `output`.
    private func delivered(_ count: Int) {
        rawDelivered += count
        while let first = undelivered.first, first.rawEnd <= rawDelivered {
            plaintextDelivered = first.plaintextEnd
            undelivered.removeFirst()
        }
    }

    deinit {
        buffer.withUnsafeMutableBytes { Sodium.wipe($0) }
    }

    static func stanza(for recipient: AgeRecipient, fileKey: SecretBytes) throws -> String {
        let zeroNonce = [UInt8](repeating: 0, count: 12)
        switch recipient {
        case let .x25519(publicKey):
            let ephemeral = try X25519.PrivateKey.generate()
            let shared = try ephemeral.sharedSecret(with: publicKey)
            let wrapKey = try HKDF.deriveKey(inputKeyMaterial: shared, salt: ephemeral.publicKey + publicKey,
                                             info: Array("age-encryption.org/v1/X25519".utf8), length: 32)
            let body = try fileKey.withUnsafeBytes { try ChaCha20Poly1305.seal($0, key: wrapKey, nonce: zeroNonce) }
            return "-> X25519 \(base64(ephemeral.publicKey))\n" + wrapped(base64(body))
        case let .scrypt(passphrase, workFactor):
            let salt = try RandomBytes.generate(count: 16)
            let wrapKey = try Scrypt.deriveKey(passphrase: passphrase, salt: Array("age-encryption.org/v1/scrypt".utf8) + salt, workFactor: workFactor)
            let body = try fileKey.withUnsafeBytes { try ChaCha20Poly1305.seal($0, key: wrapKey, nonce: zeroNonce) }
            return "-> scrypt \(base64(salt)) \(workFactor)\n" + wrapped(base64(body))
        }
    }

    /// Canonical unpadded base64 (RFC 4648 section 4 without `=`).
    static func base64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Stanza body lines: 64 columns, ending with a line shorter than 64 (possibly empty).
    static func wrapped(_ text: String) -> String {
        String(decoding: lines(Array(text.utf8), endingShort: true), as: UTF8.self)
    }

    /// `text` (ASCII) in lines of 64 columns, each ending with a newline; with `endingShort`, a
    /// last line shorter than 64 always follows (empty when the text fills its last line).
    /// Linear in the length: armored exports pass every 64 KiB chunk through here.
    static func lines(_ text: [UInt8], endingShort: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 64 + 1)
        var start = 0
        while text.count - start >= 64 {
            out.append(contentsOf: text[start..<(start + 64)])
            out.append(UInt8(ascii: "\n"))
            start += 64
        }
        if endingShort || start < text.count {
            out.append(contentsOf: text[start...])
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

/// ASCII armor: `-----BEGIN AGE ENCRYPTED FILE-----`, padded base64 in 64-column lines, `-----END ...`.
struct ArmorWriter {
    private var pending: [UInt8] = []
    private var started = false

    // Made each time: a static Data constant is reported by LeakSanitizer (its storage is
    // allocated once and never freed).
    private static var begin: Data { Data("-----BEGIN AGE ENCRYPTED FILE-----\n".utf8) }
    private static var end: Data { Data("-----END AGE ENCRYPTED FILE-----\n".utf8) }

    /// The armor text for `bytes` so far (whole lines only), and how many encrypted bytes it covers.
    mutating func add(_ bytes: [UInt8]) -> (text: Data, covered: Int) {
        pending += bytes
        var text = started ? Data() : ArmorWriter.begin
        started = true
        let whole = pending.count / 48 * 48
        if whole > 0 {
            text.append(contentsOf: lines(pending[0..<whole]))
            pending.removeFirst(whole)
        }
        return (text, whole)
    }

    /// The rest of the armor, and how many encrypted bytes it covers.
    mutating func finish() -> (text: Data, covered: Int) {
        var text = started ? Data() : ArmorWriter.begin
        let rest = pending.count
        if !pending.isEmpty { text.append(contentsOf: lines(pending[...])) }
        pending = []
        text.append(ArmorWriter.end)
        return (text, rest)
    }

    /// Padded base64 of `bytes` in 64-column lines (48 bytes a line), the last one shorter when
    /// the bytes do not fill it; no empty line.
    private func lines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        AgeEncryptor.lines(Array(Data(bytes).base64EncodedData()), endingShort: false)
    }
}
