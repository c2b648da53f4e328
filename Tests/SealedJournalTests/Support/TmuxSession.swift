import Foundation
import Testing

/// A private tmux server with one window at a time.
final class TmuxSession {
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    let socket = "sealed-journal-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    private var windows = 0

    init() throws {
        try tmux(["new-session", "-d", "-s", "main", "-x", "160", "-y", "50", "sleep 600"])
    }

    private var target: String { "main:\(windows)" }

    /// Runs `command` in a fresh window (with a clean environment: no passphrase variable).
    func start(_ command: String) throws {
        windows += 1
        try tmux(["new-window", "-t", "main:\(windows)", "env -u SEALED_JOURNAL_PASSPHRASE \(command); sleep 600"])
    }

    func type(_ text: String) {
        _ = try? tmux(["send-keys", "-t", target, "-l", text])
        _ = try? tmux(["send-keys", "-t", target, "Enter"])
    }

    /// The visible screen. Captured into a tmux buffer and saved to a file by the tmux server,
    /// so no pipe is involved.
    func screen() throws -> String {
        let file = NSTemporaryDirectory() + "/\(socket)-screen.txt"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try tmux(["capture-pane", "-t", target, "-b", "screen"])
        try tmux(["save-buffer", "-b", "screen", file])
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    /// Waits (up to 120 s: sanitizer builds under full parallel load are slow) until the screen shows `text`; returns the screen.
    @discardableResult
    func waitFor(_ text: String) throws -> String {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let current = try screen()
            if current.contains(text) { return current }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \"\(text)\"; screen:\n\(try screen())")
        throw CancellationError()
    }

    /// Sends one key by its tmux name (e.g. "C-c", "Enter").
    func key(_ name: String) {
        _ = try? tmux(["send-keys", "-t", target, name])
    }

    func close() { _ = try? tmux(["kill-server"]) }

    /// Runs tmux with `posix_spawn` and `waitpid`, through bash after closing every inherited
    /// descriptor above 2: the tmux server daemonises and would otherwise keep other tests' pipes
    /// open forever (their readers would never see end-of-file). (Foundation's `Process` is not
    /// used for the same reason: it waits on a descriptor the server would inherit.)
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let script = "for fd in $(ls /proc/$$/fd); do if [ \"$fd\" -gt 2 ]; then eval \"exec $fd>&-\"; fi; done; exec /usr/bin/tmux \"$@\""
        let argv = ["/bin/bash", "-c", script, "tmux", "-L", socket, "-f", "/dev/null"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ) == 0 else { throw CancellationError() }
        var exitStatus: Int32 = 0
        while waitpid(pid, &exitStatus, 0) < 0 && errno == EINTR {}
        return ""
    }
}
