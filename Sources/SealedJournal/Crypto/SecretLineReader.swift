import CSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SecretBytes {
    /// Reads one line (up to a newline or end of input, without the line ending) from a file
    /// descriptor straight into guarded memory: the bytes never pass through a Swift `String`.
    /// Used for passphrases typed at a terminal or read from a passphrase file.
    ///
    /// - Throws: ``CryptoError/invalidParameter(what:)`` when the line is longer than
    ///   `maximumLength`; ``CryptoError/outOfMemory(bytes:)``.
    public init(readingLineFrom descriptor: Int32, maximumLength: Int = 4096) throws {
        try Sodium.ensureInitialized()
        guard let scratch = sodium_malloc(maximumLength) else { throw CryptoError.outOfMemory(bytes: maximumLength) }
        defer {
            sodium_memzero(scratch, maximumLength)
            sodium_free(scratch)
        }
        let bytes = scratch.assumingMemoryBound(to: UInt8.self)
        var length = 0
        var byte: UInt8 = 0
        while true {
            let n = read(descriptor, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == 0x0A { break }
            guard length < maximumLength else { throw CryptoError.invalidParameter(what: "line longer than \(maximumLength) bytes") }
            bytes[length] = byte
            length += 1
        }
        byte = 0
        if length > 0 && bytes[length - 1] == 0x0D { length -= 1 }  // CRLF
        let count = length
        try self.init(count: count) { out in
            if count > 0 { out.baseAddress!.copyMemory(from: scratch, byteCount: count) }
        }
    }
}
