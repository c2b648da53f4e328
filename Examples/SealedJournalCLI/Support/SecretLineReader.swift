import SealedJournal
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SecretBytes {
    /// Reads one line (up to a newline or end of input, without the line ending) from a file
    /// descriptor straight into guarded memory: the bytes never pass through a Swift `String`
    /// or an unguarded buffer. Used for passphrases typed at a terminal or read from a file.
    ///
    /// - Throws: ``CryptoError/invalidParameter(what:)`` when the line is longer than
    ///   `maximumLength`; ``CryptoError/outOfMemory(bytes:)``.
    init(readingLineFrom descriptor: Int32, maximumLength: Int = 4096) throws(CryptoError) {
        var length = 0
        // The whole line is read into a guarded buffer of the largest allowed size, then the
        // line (only) is copied into a guarded buffer of its own size; both are wiped when freed.
        let scratch = try SecretBytes(unsafeUninitializedCount: maximumLength) { buffer throws(CryptoError) in
            var byte: UInt8 = 0
            defer { byte = 0 }
            while true {
                let n = read(descriptor, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                // A read error is not the end of the line: a prefix must never become the secret.
                if n < 0 { throw .invalidParameter(what: "the secret could not be read (errno \(errno))") }
                if n == 0 || byte == 0x0A { break }
                guard length < maximumLength else { throw .invalidParameter(what: "line longer than \(maximumLength) bytes") }
                buffer[length] = byte
                length += 1
            }
            if length > 0 && buffer[length - 1] == 0x0D { length -= 1 }  // CRLF
        }
        let count = length
        try self.init(unsafeUninitializedCount: count) { out in
            scratch.withUnsafeBytes { line in
                if count > 0 { out.baseAddress!.copyMemory(from: line.baseAddress!, byteCount: count) }
            }
        }
    }
}
