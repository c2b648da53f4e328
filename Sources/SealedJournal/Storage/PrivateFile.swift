#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place files are created and opened by path: new files are mode 0600 whatever the
/// umask and never follow a symbolic link; a file opened as a journal must be a regular file.
enum PrivateFile {
    /// Creates `path` exclusively (`O_CREAT | O_EXCL | O_NOFOLLOW`), mode 0600 whatever the umask.
    /// Removes it again if the mode cannot be set.
    static func createExclusively(path: String, access: Int32 = O_RDWR) throws -> Int32 {
        let fd = try SystemCall.run("create", path: path) { openFile(path, access | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        do {
            try SystemCall.run("chmod", path: path) { fchmod(fd, 0o600) }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        return fd
    }

    /// Opens an existing file that must be a regular file. A named pipe (which would block the
    /// open), a directory, a device or a socket is refused before anything is read: the open is
    /// non-blocking, checked with `fstat`, then switched back to blocking.
    /// - Throws: ``SystemError`` (`EISDIR` for a directory, `EINVAL` with the operation
    ///   "open a regular file" for anything else that is not a regular file).
    static func openRegular(path: String, access: Int32) throws -> Int32 {
        let fd = try SystemCall.run("open", path: path) { openFile(path, access | O_CLOEXEC | O_NONBLOCK, 0) }
        var info = stat()
        do {
            try SystemCall.run("stat", path: path) { fstat(fd, &info) }
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR { throw SystemError(operation: "open", path: path, code: EISDIR) }
            guard type == S_IFREG else { throw SystemError(operation: "open a regular file", path: path, code: EINVAL) }
            let flags = try SystemCall.run("fcntl", path: path) { fcntl(fd, F_GETFL) }
            try SystemCall.run("fcntl", path: path) { fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// What is at `path`, without following a final symbolic link; nil when nothing is there.
    static func inspect(path: String) throws -> stat? {
        var info = stat()
        if lstat(path, &info) == 0 { return info }
        let code = errno
        if code == ENOENT { return nil }
        throw SystemError(operation: "stat", path: path, code: code)
    }

    /// A short human name for a file type (`st_mode & S_IFMT`).
    static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a regular file"
        }
    }
}

/// `open(2)` under a name no type method shadows.
func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
