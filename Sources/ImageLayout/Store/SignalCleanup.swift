@preconcurrency import Glibc
import Foundation

/// Paths a command removes if it is stopped by SIGINT, SIGTERM, SIGHUP or SIGPIPE (Ctrl-C,
/// `kill`, a closed terminal, a reader gone from the pipe): the temporary file of an
/// archive being written, a staging layout, a destination directory the command created,
/// a layout's ingest directory, a new `index.json` being written. Without it, those stay
/// behind; SIGKILL cannot be caught, and what it leaves is swept by the next command that
/// writes there (`OutputFile`, `ImageCopier`: names carry the process ID, and a name whose
/// process is gone is removed).
public enum SignalCleanup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [Int: String] = [:]
    nonisolated(unsafe) private static var nextToken = 0
    /// Written to standard error when a signal stops the process (`setStopText`).
    nonisolated(unsafe) private static var stopText: [UInt8] = []
    /// The write end of the pipe the signal handler reports on (-1 before `install`).
    nonisolated(unsafe) private static var reportFD: Int32 = -1
    /// The signal the handler received (0: none), set before it reports on the pipe.
    nonisolated(unsafe) private static var received: Int32 = 0

    /// For a command about to report an error and exit: when a stopping signal arrived
    /// (a reader gone from the pipe raised SIGPIPE, and the write that raised it failed
    /// with EPIPE, which the error reports), waits for the cleanup to end the process
    /// with 128 + that signal, as it would have without the error. Every run that loses
    /// its reader then exits 141 and prints nothing; without it the error's `exit(1)`
    /// raced the cleanup's. Returns at once when no signal arrived.
    public static func waitIfStopping() {
        guard reportFD >= 0, received != 0 else { return }
        while true { pause() }
    }

    /// Removes `path` (a file or a directory tree) if a signal stops the process before
    /// `unregister` is called with the returned token.
    public static func register(_ path: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextToken += 1
        paths[nextToken] = path
        return nextToken
    }

    public static func unregister(_ token: Int) {
        lock.lock()
        paths[token] = nil
        lock.unlock()
    }

    /// Sets what is written to standard error, first, when a signal stops the process:
    /// a newline while a progress line is drawn (so the shell's prompt starts on a line
    /// of its own), nothing (`""`) otherwise.
    public static func setStopText(_ text: String) {
        lock.lock()
        stopText = Array(text.utf8)
        lock.unlock()
    }

    /// The signals that stop a command with its registered paths removed.
    public static let stopping = [SIGINT, SIGTERM, SIGHUP, SIGPIPE]

    /// Routes SIGINT, SIGTERM, SIGHUP and SIGPIPE to a handler that removes every
    /// registered path and exits with status 128 + the signal number, as the default
    /// action would report; a signal the process was started with ignored (`nohup`, a
    /// background job's SIGINT) stays ignored. SIGXFSZ is ignored, so that a write past
    /// `ulimit -f` fails with EFBIG and is reported as any write error. Call once, at
    /// start-up, before any thread is started.
    ///
    /// The handler is in place when this returns (a `sigaction`, no asynchronous
    /// registration): it only writes the signal number to a pipe, which a thread of
    /// its own reads to do the removal and the exit.
    public static func install() {
        signal(SIGXFSZ, SIG_IGN)
        guard reportFD < 0 else { return }
        // A command ends through exit(3), which runs no deinitializers: what is still
        // registered then (a layout's own ingest directory) is removed here.
        atexit { SignalCleanup.removeRegistered() }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        reportFD = fds[1]
        let readFD = fds[0]
        let watcher = Thread {
            var sig: UInt8 = 0
            while read(readFD, &sig, 1) != 1 {}
            stop(Int32(sig))
        }
        watcher.name = "signal cleanup"
        watcher.start()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            var b = UInt8(truncatingIfNeeded: sig)
            SignalCleanup.received = sig
            let saved = errno
            _ = write(SignalCleanup.reportFD, &b, 1)
            errno = saved
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in stopping {
            var old = sigaction()
            sigaction(sig, nil, &old)
            if unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            sigaction(sig, &action, nil)
            sigaddset(&unblock, sig)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Removes every registered path (longest first: a file before the directory
    /// holding it) and exits with 128 + `sig`.
    private static func stop(_ sig: Int32) -> Never {
        // The lock stays held: a thread ending the process meanwhile (exit(3) after the
        // write that raised SIGPIPE failed) waits in `removeRegistered` until `_exit`.
        lock.lock()
        if !stopText.isEmpty { _ = stopText.withUnsafeBytes { write(2, $0.baseAddress, $0.count) } }
        for p in paths.values.sorted(by: { $0.count > $1.count }) { FileOps.removeTree(p) }
        // What was printed so far (the images a load has loaded) reaches a redirected
        // standard output, unless another thread holds it: then nothing waits on it.
        if ftrylockfile(stdout) == 0 {
            fflush_unlocked(stdout)
            funlockfile(stdout)
        }
        // `_exit`: other threads are still running; tearing down from here could block on
        // their locks.
        _exit(128 + sig)
    }

    /// Removes every registered path, longest first (what is inside a directory before it).
    /// Under the lock, so that two threads never remove the same tree at once.
    static func removeRegistered() {
        lock.lock()
        defer { lock.unlock() }
        for p in paths.values.sorted(by: { $0.count > $1.count }) { FileOps.removeTree(p) }
        paths = [:]
    }

    /// Whether the process `pid` still exists.
    public static func isAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    /// Removes the entries of `dir` that `owner` says belong to a process that is gone:
    /// it returns that process's ID for a name of the kind, nil for other names.
    public static func sweep(_ dir: String, owner: (String) -> Int32?) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? [] {
            guard let pid = owner(name), !isAlive(pid) else { continue }
            try? FileManager.default.removeItem(atPath: "\(dir.isEmpty ? "." : dir)/\(name)")
        }
    }
}
