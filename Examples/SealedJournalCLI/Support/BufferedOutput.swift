#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output through one 64 KiB buffer: records are collected and written with one
/// system call per 64 KiB instead of one per record, the speed of `read` on large journals.
///
/// What goes in is exactly what would have been written (text for a terminal is escaped by the
/// caller, see ``Terminal/output(_:)``); the buffer holds plaintext only until it is written, and
/// every byte is wiped (`explicit_bzero`) as soon as it has been written and when the buffer is
/// released, so at most 64 KiB of plaintext lives in it at any time. ``flush()`` at the end (and
/// before anything goes to standard error, so messages follow the data they describe).
///
/// Not thread-safe: one per command.
final class BufferedOutput {
    static let capacity = 64 << 10
    private let descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    init(descriptor: Int32 = 1) {
        self.descriptor = descriptor
        buffer = .allocate(byteCount: Self.capacity, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        explicit_bzero(buffer.baseAddress!, buffer.count)
        buffer.deallocate()
    }

    /// Appends the UTF-8 of `text`, writing the buffer out whenever it fills.
    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `bytes`, writing the buffer out whenever it fills (a piece larger than the buffer
    /// is written straight through once the buffer is empty).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count > buffer.count {
            try writeAll(bytes)
            return
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        (buffer.baseAddress! + used).copyMemory(from: base, byteCount: bytes.count)
        used += bytes.count
    }

    /// Writes out what the buffer holds and wipes it.
    func flush() throws {
        guard used > 0 else { return }
        defer {
            explicit_bzero(buffer.baseAddress!, used)
            used = 0
        }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = systemWrite(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError.cannotWriteOutput(String(cString: strerror(errno)))
            }
            done += count
        }
    }
}

/// `write(2)` (a top-level name, so the class's own `write` does not shadow it).
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
