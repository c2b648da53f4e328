import Foundation
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

/// Writing an entry in the user's editor: the text lives, for as long as the editor runs, in a
/// mode-600 file inside a fresh mode-700 directory, preferably in memory ($XDG_RUNTIME_DIR or
/// /dev/shm). Afterwards every file in that directory (the editor may leave its own) is
/// overwritten with zeros, flushed and removed, and the directory too.
enum EditorSession {
    static func edit() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw CLIError.noInput("--edit needs $VISUAL or $EDITOR to name your editor (e.g. EDITOR=nano)")
        }
        let directory = try makePrivateDirectory(environment: environment)
        defer { removeOverwriting(directory) }
        let path = directory + "/entry.txt"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CLIError.cannotRead(path, String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        close(fd)
        let status = try runEditor(editor, path: path)
        guard status == 0 else { throw CLIError.noInput("the editor exited with status \(status); nothing was written") }
        return try ContentFile.typedText(try ContentFile.read(path), from: "the text saved by the editor")
    }

    private static func makePrivateDirectory(environment: [String: String]) throws -> String {
        var candidates: [String] = []
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { candidates.append(runtime) }
        candidates.append("/dev/shm")
        candidates.append(environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        for base in candidates {
            var template = Array((base + "/sealed-journal-edit.XXXXXX").utf8CString)
            if let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) {
                let path = String(cString: made)
                chmod(path, 0o700)
                return path
            }
        }
        throw CLIError.noInput("cannot create a private directory for the editor")
    }

    /// Runs `sh -c '$EDITOR "$1"' sh PATH` on the terminal and waits for it.
    private static func runEditor(_ editor: String, path: String) throws -> Int32 {
        let argv = ["/bin/sh", "-c", editor + " \"$1\"", "sh", path]
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &cArguments, environ)
        guard spawned == 0 else { throw CLIError.noInput("cannot start the editor: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Overwrites every regular file in `directory` with zeros, flushes, removes it, then the directory.
    private static func removeOverwriting(_ directory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            let path = directory + "/" + name
            let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                var info = stat()
                if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 {
                    let zeros = [UInt8](repeating: 0, count: 65536)
                    var left = Int(info.st_size)
                    while left > 0 {
                        let n = write(fd, zeros, min(left, zeros.count))
                        if n <= 0 { break }
                        left -= n
                    }
                    fsync(fd)
                }
                close(fd)
            }
            unlink(path)
        }
        rmdir(directory)
    }
}
