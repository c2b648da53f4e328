internal import CSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a process that holds decrypted journal content from leaking it through the operating
/// system: no core dumps, no debugger or `/proc/PID/mem` reads by other processes of the same
/// user, and no crash report that prints memory.
///
/// Call ``apply(replacingCrashReports:)`` once, first thing in `main`, before any passphrase or
/// record is in memory. The example CLI does. It costs three system calls.
///
/// What each step does (Linux; on other systems the steps that do not exist report `false`):
/// - `setrlimit(RLIMIT_CORE, 0)`: a crash writes no core file (which would hold the plaintext
///   and keys in memory). The limit is inherited by child processes (an `$EDITOR`).
/// - `prctl(PR_SET_DUMPABLE, 0)`: the kernel refuses `ptrace` attach and reads of
///   `/proc/PID/mem`, `/proc/PID/environ` and similar files to every process without
///   `CAP_SYS_PTRACE`, including processes of the same user, and no core is dumped even if a
///   limit is raised. (`/proc/PID/cmdline` stays readable by everyone: never put content in
///   arguments.)
/// - Crash reports: the Swift runtime's backtracer (on by default on Linux since Swift 5.9)
///   prints, on a crash, every register and the 16 bytes of memory each register points to,
///   which can be record plaintext. It reads its settings (`SWIFT_BACKTRACE`) when the process
///   starts, so setting the variable from `main` is too late. Instead, this replaces the handlers
///   of the crash signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS) with one
///   that writes a fixed line naming the signal and then dies of it with the default action
///   (no core, see above). Only when `replacingCrashReports` is true.
public enum ProcessHardening {
    /// What ``apply(replacingCrashReports:)`` achieved.
    public struct Status: Sendable, Equatable {
        /// The core-file size limit is now 0 (soft and hard).
        public var coreDumpsDisabled: Bool
        /// The process is no longer dumpable (no `ptrace` attach, no `/proc/PID/mem` for others).
        public var notDumpable: Bool
        /// The crash signals now print a fixed line instead of a backtrace with register memory.
        public var crashReportsReplaced: Bool
    }

    /// Applies all the protections described on ``ProcessHardening``. Never throws: a step that
    /// fails (or does not exist on this system) is reported as `false` in the result.
    @discardableResult
    public static func apply(replacingCrashReports: Bool = true) -> Status {
        Status(coreDumpsDisabled: disableCoreDumps(), notDumpable: makeNotDumpable(),
               crashReportsReplaced: replacingCrashReports ? replaceCrashReports() : false)
    }

    /// Sets the core-file size limit to 0 (soft and hard; it cannot be raised again without
    /// privilege). Returns whether it took effect.
    @discardableResult
    public static func disableCoreDumps() -> Bool {
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        #if os(Linux)
        return setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit) == 0
        #else
        return setrlimit(RLIMIT_CORE, &limit) == 0
        #endif
    }

    /// Marks the process not dumpable (`PR_SET_DUMPABLE` 0). Returns whether it took effect
    /// (`false` on systems without `prctl`).
    @discardableResult
    public static func makeNotDumpable() -> Bool {
        #if os(Linux)
        return sealed_journal_set_dumpable(0) == 0 && sealed_journal_get_dumpable() == 0
        #else
        return false
        #endif
    }

    /// Whether the process is currently not dumpable (`false` where this cannot be known).
    public static var isNotDumpable: Bool {
        #if os(Linux)
        return sealed_journal_get_dumpable() == 0
        #else
        return false
        #endif
    }

    /// Replaces the crash-signal handlers (the Swift backtracer's) with one that writes
    /// `sealed-journal crashed (signal N); no memory was printed or dumped` to standard error
    /// and dies of the signal. Returns whether every handler was installed.
    @discardableResult
    public static func replaceCrashReports() -> Bool {
        if crashMessage == nil {
            let bytes = Array(crashMessageText.utf8)
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
            _ = buffer.initialize(from: bytes)
            crashMessage = buffer
        }
        return SignalHandlers.install(crashHandler, for: crashSignals)
    }

    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS]
}

/// The crash line, allocated once before any handler can run, so the handler never allocates.
private nonisolated(unsafe) var crashMessage: UnsafeMutableBufferPointer<UInt8>? = nil
private let crashMessageText = "sealed-journal: crashed (signal 00); no memory was printed or dumped\n"

/// Async-signal-safe: only `write`, `signal` and `raise` on memory allocated in advance.
private func crashHandler(_ signal: Int32) {
    if let buffer = crashMessage {
        // "signal 00" -> "signal 11", in place.
        let digits = buffer.count - 37
        buffer[digits] = 0x30 + UInt8(truncatingIfNeeded: (signal / 10) % 10)
        buffer[digits + 1] = 0x30 + UInt8(truncatingIfNeeded: signal % 10)
        _ = write(2, buffer.baseAddress, buffer.count)
    }
    _ = resetToDefault(signal)
    _ = raise(signal)
}

private func resetToDefault(_ signal: Int32) -> Bool {
    var action = sigaction()
    sigemptyset(&action.sa_mask)
    return sigaction(signal, &action, nil) == 0
}

/// The one place that installs signal handlers (the crash handler above, and the handler that
/// removes unfinished export files on an interrupt).
enum SignalHandlers {
    /// Installs `handler` for each of `signals` as a one-shot handler (`SA_RESETHAND`: the next
    /// delivery gets the default action, so the handler can re-raise), then unblocks the signals
    /// for this thread: a parent may have left them blocked (a mask survives fork and exec), and
    /// then the handler would never run. Returns whether every call succeeded.
    @discardableResult
    static func install(_ handler: @escaping @convention(c) (Int32) -> Void, for signals: [Int32]) -> Bool {
        var installed = true
        for signal in signals {
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_handler = handler
            #else
            action.__sigaction_u.__sa_handler = handler
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            if sigaction(signal, &action, nil) != 0 { installed = false }
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        if pthread_sigmask(SIG_UNBLOCK, &unblock, nil) != 0 { installed = false }
        return installed
    }
}
