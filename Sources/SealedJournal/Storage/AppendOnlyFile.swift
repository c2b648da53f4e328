#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A journal file on disk: positioned reads and writes, fsync, truncation and an exclusive
/// writer lock. Knows nothing of what the bytes mean.
///
/// `@unchecked Sendable`: the descriptor is immutable after `init`; `pread`/`pwrite` take an
/// explicit offset and are safe to call from several threads; the journal serialises writers
/// with its own mutex plus `flock`, and `close` happens once, in `deinit`.
final class AppendOnlyFile: @unchecked Sendable {
    let path: String
    let isWritable: Bool
    private let descriptor: Int32

    private init(path: String, descriptor: Int32, isWritable: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.isWritable = isWritable
    }

    deinit { close(descriptor) }

    /// Creates a new file with mode 0600 whatever the umask; fails if the path exists.
    static func create(path: String) throws -> AppendOnlyFile {
        AppendOnlyFile(path: path, descriptor: try PrivateFile.createExclusively(path: path), isWritable: true)
    }

    /// Opens an existing file for reading, or reading and appending. Anything but a regular
    /// file (a FIFO, a directory, a device) is refused at once, without blocking.
    static func open(path: String, writable: Bool) throws -> AppendOnlyFile {
        let fd = try PrivateFile.openRegular(path: path, access: writable ? O_RDWR : O_RDONLY)
        return AppendOnlyFile(path: path, descriptor: fd, isWritable: writable)
    }

    /// The file's current size (`fstat`).
    func size() throws -> UInt64 {
        var info = stat()
        try SystemCall.run("stat", path: path) { fstat(descriptor, &info) }
        return UInt64(info.st_size)
    }

    /// `true` while `path` still names this open file (same device and inode): a rekey replaces
    /// the file, and a writer holding the old one must not append to an unlinked inode.
    func isStillLinked(at path: String) throws -> Bool {
        var open = stat(), named = stat()
        try SystemCall.run("stat", path: self.path) { fstat(descriptor, &open) }
        guard stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// The file's permission bits.
    func permissions() throws -> UInt32 {
        var info = stat()
        try SystemCall.run("stat", path: path) { fstat(descriptor, &info) }
        return UInt32(info.st_mode) & 0o777
    }

    /// Reads exactly `count` bytes at `offset`, or fewer if the file ends first.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = try buffer.withUnsafeMutableBytes { raw -> Int in
            var done = 0
            while done < count {
                let n = try SystemCall.run("read", path: path) {
                    pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                }
                if n == 0 { break }
                done += n
            }
            return done
        }
        if got < count { buffer.removeLast(count - got) }
        return buffer
    }

    /// Reads up to `buffer.count` bytes at `offset` into `buffer` (fewer only where the file
    /// ends); returns how many. For readers that reuse one buffer instead of allocating per read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = try SystemCall.run("read", path: path) {
                pread(descriptor, base + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `bytes` at `offset` (looping over short writes).
    func write(_ bytes: [UInt8], at offset: UInt64) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Writes all of `raw` at `offset` (looping over short writes).
    func write(_ raw: UnsafeRawBufferPointer, at offset: UInt64) throws {
        var limit = raw.count
        var injected: Int32?
        switch StorageFaults.action(path: path, .write(offset: offset, count: raw.count)) {
        case .proceed: break
        case let .fail(code): throw SystemError(operation: "write", path: path, code: code)
        case let .shortWrite(count, code): limit = min(count, raw.count); injected = code
        }
        guard let base = raw.baseAddress else { return }
        var done = 0
        while done < limit {
            let n = try SystemCall.run("write", path: path) {
                pwrite(descriptor, base + done, limit - done, off_t(offset) + off_t(done))
            }
            if n == 0 { throw SystemError(operation: "write", path: path, code: EIO) }
            done += n
        }
        if let injected { throw SystemError(operation: "write", path: path, code: injected) }
    }

    /// Flushes written data to stable storage (`fdatasync` on Linux, `F_FULLFSYNC` on Darwin).
    func sync() throws {
        if case let .fail(code) = StorageFaults.action(path: path, .sync) {
            throw SystemError(operation: "fsync", path: path, code: code)
        }
        #if canImport(Darwin)
        if fcntl(descriptor, F_FULLFSYNC) == 0 { return }
        try SystemCall.run("fsync", path: path) { fsync(descriptor) }
        #else
        try SystemCall.run("fsync", path: path) { fdatasync(descriptor) }
        #endif
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: UInt64) throws {
        if case let .fail(code) = StorageFaults.action(path: path, .truncate(size: size)) {
            throw SystemError(operation: "truncate", path: path, code: code)
        }
        try SystemCall.run("truncate", path: path) { ftruncate(descriptor, off_t(size)) }
    }

    /// Takes the exclusive writer lock (`flock`), waiting for another writer to finish.
    func lockExclusive() throws {
        try SystemCall.run("lock", path: path) { flock(descriptor, LOCK_EX) }
    }

    func unlock() {
        _ = flock(descriptor, LOCK_UN)
    }

    /// Runs `body` holding the exclusive writer lock; releases it even when `body` throws.
    func withExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        try lockExclusive()
        defer { unlock() }
        return try body()
    }

    /// Makes a newly created file's directory entry durable.
    /// The directory that holds `path` ("." for a bare name) and the name in it. Not
    /// `NSString.deletingLastPathComponent`: swift-corelibs-foundation traps on a one-character
    /// relative path ("X").
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        return (slash == path.startIndex ? "/" : String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    static func syncDirectory(containing path: String) throws {
        let directory = split(path).directory
        let fd = try SystemCall.run("open", path: directory) { Glibc_open(directory, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try SystemCall.run("fsync", path: directory) { fsync(fd) }
    }
}

/// `open(2)`, named apart from `AppendOnlyFile.open` which shadows it inside the class.
private func Glibc_open(_ path: String, _ flags: Int32) -> Int32 {
    open(path, flags)
}
