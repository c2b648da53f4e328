import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An export file the user named, written all-or-nothing.
///
/// The bytes go to an unnamed file in the target's directory (`O_TMPFILE`, mode 0600), which
/// the kernel frees if the process dies, so Ctrl-C, a kill or a crash part-way leaves nothing.
/// ``finish()`` flushes it to disk and only then gives it its name: with `link` when the name
/// must be new (it fails if something appeared there meanwhile), or through a fresh temporary
/// name and `rename` when replacing (so the old file is swapped whole, and a symbolic link at
/// the name is replaced, never written through). Where the file system has no `O_TMPFILE`, a
/// named 0600 file `.NAME.XXXXXX.partial` is used instead and removed on failure, and on
/// SIGINT, SIGTERM and SIGHUP when ``removeUnfinishedFilesOnSignals()`` was called.
///
/// Replacing (`overwrite`) is refused when the existing name is not a regular file (a
/// symbolic link, a FIFO, a directory...) or is a regular file with other hard links: someone
/// may have planted it to make the export land somewhere else.
///
/// Not thread-safe; one export per instance.
public final class ExportFile {
    /// The name the file gets when it is complete.
    public let path: String
    private let descriptor: Int32
    private let overwrite: Bool
    /// The visible temporary name, when the file system has no `O_TMPFILE`.
    private let temporaryPath: String?
    private var finished = false
    /// Device, inode and change time of the finished file, so ``retract()`` removes only what this
    /// export named (an inode number alone can be reused by a file created after ours was removed).
    private var named: FileIdentity?

    struct FileIdentity: Equatable {
        let device: UInt64, inode: UInt64, changeSeconds: Int, changeNanoseconds: Int, size: Int64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            changeSeconds = Int(info.st_ctim.tv_sec)
            changeNanoseconds = Int(info.st_ctim.tv_nsec)
            size = Int64(info.st_size)
        }
    }

    /// Starts an export to `path`. Without `overwrite`, an existing name is an error now (and
    /// again at ``finish()`` if one appears meanwhile).
    /// - Throws: ``JournalError/alreadyExists(path:)``; ``JournalError/invalidField(field:reason:)``
    ///   (field `output`) when the name is a link, FIFO, directory, or a file with other hard
    ///   links; ``JournalError/io(_:)``.
    public convenience init(path: String, overwrite: Bool) throws(JournalError) {
        try self.init(path: path, overwrite: overwrite, unnamed: true)
    }

    /// `unnamed: false` forces the named-temporary-file fallback (tests use it to cover the
    /// code path taken on file systems without `O_TMPFILE`).
    init(path: String, overwrite: Bool, unnamed allowUnnamed: Bool) throws(JournalError) {
        self.path = path
        self.overwrite = overwrite
        try Self.checkTarget(path, overwrite: overwrite)
        let directory = Self.directory(of: path)
        #if os(Linux)
        let unnamed = allowUnnamed ? openFile(directory, openUnnamedFile | O_WRONLY | O_CLOEXEC, 0o600) : -1
        if !allowUnnamed { errno = EOPNOTSUPP }
        #else
        let unnamed: Int32 = -1
        errno = EOPNOTSUPP
        #endif
        if unnamed >= 0 {
            guard fchmod(unnamed, 0o600) == 0 else {
                let code = errno
                close(unnamed)
                throw .io(SystemError(operation: "chmod", path: path, code: code))
            }
            descriptor = unnamed
            temporaryPath = nil
        } else {
            let code = errno
            if code != EOPNOTSUPP && code != EISDIR && code != EINVAL && code != ENOENT {
                throw .io(SystemError(operation: "create", path: path, code: code))
            }
            let (fd, name) = try Self.createNamedTemporary(for: path)
            descriptor = fd
            temporaryPath = name
            UnfinishedFiles.register(name)
        }
    }

    /// Appends `text` (UTF-8).
    public func write(_ text: String) throws(JournalError) {
        try write(Data(text.utf8))
    }

    /// Appends `data`.
    public func write(_ data: Data) throws(JournalError) {
        let result: Int32 = data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = posixWrite(descriptor, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return 0
        }
        if result != 0 { throw .io(SystemError(operation: "write", path: path, code: result)) }
    }

    /// Flushes to disk, then gives the file its name (see the type's documentation). Until
    /// this returns, a failure leaves no file at `path` (and, when replacing, the old file).
    /// - Throws: as ``init(path:overwrite:)``, plus ``JournalError/io(_:)`` for `fsync`/`link`/`rename`.
    public func finish() throws(JournalError) {
        guard !finished else { return }
        finished = true
        do throws(JournalError) {
            if fsync(descriptor) != 0 { throw JournalError.io(SystemError(operation: "fsync", path: path, code: errno)) }
            try Self.checkTarget(path, overwrite: overwrite)
            if let temporaryPath {
                if overwrite {
                    try Self.run("rename", path) { rename(temporaryPath, path) }
                } else {
                    try Self.linkNew(from: temporaryPath, to: path)
                    unlink(temporaryPath)
                }
            } else {
                let source = "/proc/self/fd/\(descriptor)"
                if overwrite {
                    var name = ""
                    try Self.withFreshName(for: path) { candidate in
                        name = candidate
                        return linkat(AT_FDCWD, source, AT_FDCWD, candidate, AT_SYMLINK_FOLLOW)
                    }
                    do {
                        try Self.run("rename", path) { rename(name, path) }
                    } catch {
                        unlink(name)
                        throw error
                    }
                } else {
                    try Self.linkNew(from: source, to: path, follow: true)
                }
            }
            var written = stat()
            if fstat(descriptor, &written) == 0 { named = FileIdentity(written) }
            // Make the new name durable; the data already is.
            let directory = Self.directory(of: path)
            let dirFD = openFile(directory, O_RDONLY | O_CLOEXEC, 0)
            if dirFD >= 0 {
                _ = fsync(dirFD)
                close(dirFD)
            }
            close(descriptor)
            if let temporaryPath { UnfinishedFiles.unregister(temporaryPath) }
        } catch {
            close(descriptor)
            if let temporaryPath {
                unlink(temporaryPath)
                UnfinishedFiles.unregister(temporaryPath)
            }
            throw error
        }
    }

    /// Takes the export back after ``finish()``, when what had to follow it failed (for a
    /// disclosure: recording it in the journal): removes the name if it still points at the file
    /// this export wrote (never another file put there since), and makes the removal durable.
    /// Before ``finish()`` it is ``discard()``. A file that `overwrite` replaced is not restored.
    public func retract() {
        guard finished else { return discard() }
        guard let named else { return }
        self.named = nil
        var current = stat()
        guard stat(path, &current) == 0, FileIdentity(current) == named else { return }
        unlink(path)
        let dirFD = openFile(Self.directory(of: path), O_RDONLY | O_CLOEXEC, 0)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Abandons the export: nothing is left at `path` (an existing file being replaced stays).
    public func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        if let temporaryPath {
            unlink(temporaryPath)
            UnfinishedFiles.unregister(temporaryPath)
        }
    }

    deinit { discard() }

    /// Makes ``ExportFile`` remove its named temporary files (used only where the file system
    /// has no `O_TMPFILE`) when the process gets SIGINT, SIGTERM or SIGHUP, then die of the
    /// signal as it would have. Also unblocks those signals on the calling thread, in case the
    /// parent started the process with them blocked. Call once at program start, on the main
    /// thread; the example CLI does.
    /// - Returns: whether every handler was installed (when not, an interrupted export can leave
    ///   its unfinished file behind, as after `kill -9`).
    @discardableResult
    public static func removeUnfinishedFilesOnSignals() -> Bool {
        UnfinishedFiles.installSignalHandlers()
    }

    // MARK: - Checks and names

    /// Refuses a name that exists (without `overwrite`), or that is not a regular file with a
    /// single link (with it). Never follows a symbolic link.
    static func checkTarget(_ path: String, overwrite: Bool) throws(JournalError) {
        let found: stat?
        do { found = try PrivateFile.inspect(path: path) } catch let error as SystemError { throw .io(error) } catch { throw .io(SystemError(operation: "stat", path: path, code: EIO)) }
        guard let info = found else { return }
        guard overwrite else { throw .alreadyExists(path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .invalidField(field: "output", reason: "\(path) is \(PrivateFile.typeName(info.st_mode)), not a regular file; refusing to replace it")
        }
        guard info.st_nlink == 1 else {
            throw .invalidField(field: "output", reason: "\(path) has \(info.st_nlink) hard links (another name shares its contents); refusing to replace it")
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func createNamedTemporary(for path: String) throws(JournalError) -> (Int32, String) {
        var result: (Int32, String)?
        try withFreshName(for: path) { candidate in
            do {
                let fd = try PrivateFile.createExclusively(path: candidate, access: O_WRONLY)
                result = (fd, candidate)
                return 0
            } catch let error as SystemError {
                errno = error.code
                return -1
            } catch {
                errno = EIO
                return -1
            }
        }
        guard let result else { throw .io(SystemError(operation: "create", path: path, code: EIO)) }
        return result
    }

    /// Tries `attempt` with fresh `.NAME.XXXXXX.partial` names in the same directory until one
    /// does not exist yet (`EEXIST` means try another).
    private static func withFreshName(for path: String, _ attempt: (String) -> Int32) throws(JournalError) {
        let directory = directory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? "export"
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = (directory == "." && !path.hasPrefix("./") ? "" : directory + "/") + ".\(base).\(suffix).partial"
            if attempt(candidate) == 0 { return }
            let code = errno
            if code != EEXIST { throw .io(SystemError(operation: "create", path: path, code: code)) }
        }
        throw .io(SystemError(operation: "create", path: path, code: EEXIST))
    }

    private static func linkNew(from source: String, to path: String, follow: Bool = false) throws(JournalError) {
        if linkat(AT_FDCWD, source, AT_FDCWD, path, follow ? AT_SYMLINK_FOLLOW : 0) == 0 { return }
        let code = errno
        if code == EEXIST { throw .alreadyExists(path: path) }
        throw .io(SystemError(operation: "link", path: path, code: code))
    }

    private static func run(_ operation: String, _ path: String, _ body: () -> Int32) throws(JournalError) {
        if body() != 0 { throw .io(SystemError(operation: operation, path: path, code: errno)) }
    }
}

#if os(Linux)
/// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`; the C macro is not imported into Swift). The value
/// of `__O_TMPFILE` is 020000000 on x86-64, ARM and every architecture but alpha, parisc and sparc.
private let openUnnamedFile: Int32 = 0o20_000_000 | O_DIRECTORY
#endif

/// `write(2)`, named apart from `ExportFile.write` which shadows it inside the class.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// Named temporary export files to remove if a signal ends the process. A fixed table of C
/// strings, so the signal handler only reads memory and calls `unlink`, `sigaction` and `raise`.
enum UnfinishedFiles {
    private static let capacity = 16
    private nonisolated(unsafe) static let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 16)
        table.initialize(repeating: nil, count: 16)
        return table
    }()
    private static let lock = NSLock()

    static func register(_ path: String) {
        lock.withLock {
            for slot in 0..<capacity where table[slot] == nil {
                table[slot] = strdup(path)
                return
            }
        }
    }

    static func unregister(_ path: String) {
        lock.withLock {
            for slot in 0..<capacity {
                if let entry = table[slot], String(cString: entry) == path {
                    table[slot] = nil
                    free(entry)
                }
            }
        }
    }

    /// Returns whether the handlers are in place (when not, an interrupted export can leave its
    /// unfinished file behind, as after `kill -9`).
    @discardableResult
    static func installSignalHandlers() -> Bool {
        _ = table  // allocate before any handler can run
        return SignalHandlers.install(unfinishedFilesHandler, for: [SIGINT, SIGTERM, SIGHUP])
    }

    fileprivate static func removeAll() {
        for slot in 0..<capacity {
            if let entry = table[slot] { unlink(entry) }
        }
    }
}

private func unfinishedFilesHandler(_ signal: Int32) {
    UnfinishedFiles.removeAll()
    var action = sigaction()
    sigemptyset(&action.sa_mask)
    sigaction(signal, &action, nil)
    raise(signal)
}
