import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plaintext export file the user named: created mode 0600 (whatever the umask), never
/// overwriting unless asked, and removed if the export fails, so no partial plaintext is left.
public final class ExportFile {
    public let path: String
    private let descriptor: Int32
    private var finished = false

    /// Creates `path`. Without `overwrite`, an existing file is an error.
    /// - Throws: ``JournalError/alreadyExists(path:)``, ``JournalError/io(_:)``.
    public init(path: String, overwrite: Bool) throws(JournalError) {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw .alreadyExists(path: path) }
            throw .io(SystemError(operation: "create", path: path, code: code))
        }
        descriptor = fd
        guard fchmod(fd, 0o600) == 0 else {
            let code = errno
            close(fd)
            unlink(path)
            throw .io(SystemError(operation: "chmod", path: path, code: code))
        }
    }

    /// Appends `text` (UTF-8).
    public func write(_ text: String) throws(JournalError) {
        try write(Data(text.utf8))
    }

    /// Appends `data`.
    public func write(_ data: Data) throws(JournalError) {
        let bytes = [UInt8](data)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .io(SystemError(operation: "write", path: path, code: code))
            }
            done += n
        }
    }

    /// Flushes to disk and closes. Until this returns, a failure removes the file.
    public func finish() throws(JournalError) {
        guard !finished else { return }
        finished = true
        if fsync(descriptor) != 0 {
            let code = errno
            close(descriptor)
            unlink(path)
            throw .io(SystemError(operation: "fsync", path: path, code: code))
        }
        close(descriptor)
    }

    /// Abandons the export: closes and deletes the partial file.
    public func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(path)
    }

    deinit { discard() }
}

/// `write(2)`, named apart from `ExportFile.write` which shadows it inside the class.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
