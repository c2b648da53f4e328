import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations a witness's state needs: bounded reads, crash-safe replacement
/// (write a new file, fsync, rename over, fsync the directory) and an exclusive lock file.
/// Files are created mode 0600 and directories 0700, whatever the umask.
enum WitnessFiles {
    /// Largest state file read (a registry entry or key file is well under 16 KiB).
    static let maximumReadByteCount = 64 << 10

    static func systemError(_ operation: String, _ path: String, _ code: Int32 = errno) -> WitnessError {
        .io(SystemError(operation: operation, path: path, code: code))
    }

    /// The file's bytes, or `nil` when it does not exist.
    static func read(_ path: String, limit: Int = maximumReadByteCount) throws(WitnessError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw systemError("open", path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError("read", path)
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            guard bytes.count <= limit else { throw .damagedState(path: path, reason: "larger than \(limit) bytes") }
        }
    }

    /// Creates `path` (mode 0700) unless it exists as a directory.
    static func makeDirectory(_ path: String) throws(WitnessError) {
        if mkdir(path, 0o700) != 0 {
            let code = errno
            var info = stat()
            guard code == EEXIST, stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { throw systemError("mkdir", path, code) }
        } else {
            chmod(path, 0o700)
        }
    }

    /// Writes `bytes` to a new file `path`; fails if it exists. Fsyncs the file and its directory.
    static func create(_ path: String, _ bytes: [UInt8]) throws(WitnessError) {
        try writeNew(path, bytes)
        try syncDirectory(of: path)
    }

    /// Replaces `path` with `bytes` so that a crash at any moment leaves either the old or the
    /// new content, never a mix, and the new content is durable when this returns.
    static func replace(_ path: String, _ bytes: [UInt8]) throws(WitnessError) {
        let temporary = path + ".tmp-" + Hex.encode((try? RandomBytes.generate(count: 8)) ?? [UInt8](repeating: 0, count: 8))
        try writeNew(temporary, bytes)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw systemError("rename", path, code)
        }
        try syncDirectory(of: path)
    }

    private static func writeNew(_ path: String, _ bytes: [UInt8]) throws(WitnessError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw systemError("create", path) }
        var failure: WitnessError?
        if fchmod(fd, 0o600) != 0 { failure = systemError("chmod", path) }
        var done = 0
        while failure == nil, done < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = systemError("write", path)
            } else {
                done += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = systemError("fsync", path) }
        close(fd)
        if let failure {
            unlink(path)
            throw failure
        }
    }

    static func syncDirectory(of path: String) throws(WitnessError) {
        let directory = AppendOnlyFile.split(path).directory
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw systemError("open", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw systemError("fsync", directory) }
    }

    /// Runs `body` holding an exclusive `flock` on `lockPath` (created if needed). Other
    /// processes, and other threads of this one (each call opens its own descriptor), wait.
    static func withExclusiveLock<T>(_ lockPath: String, _ body: () throws(WitnessError) -> T) throws(WitnessError) -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw systemError("open", lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw systemError("flock", lockPath) }
        }
        return try body()
    }
}

/// `read(2)` and `write(2)`, named apart from `WitnessFiles.read`, which shadows them inside the enum.
private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(descriptor, buffer, count) }
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, buffer, count) }
