import Dispatch
import Foundation

/// Paths a command removes if it is stopped by SIGINT, SIGTERM or SIGHUP (Ctrl-C, `kill`,
/// a closed terminal, a reader gone from the pipe): the temporary file of an archive being
/// written, a staging layout, a destination directory the command created, a layout's
/// ingest directory. Without it, those stay behind; SIGKILL
/// cannot be caught, and what it leaves is swept by the next command that writes there
/// (`OutputFile`, `ImageCopier`: names carry the process ID, and a name whose process is
/// gone is removed).
public enum SignalCleanup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [Int: String] = [:]
    nonisolated(unsafe) private static var nextToken = 0
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

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

    /// Routes SIGINT, SIGTERM, SIGHUP and SIGPIPE to a handler that removes every
    /// registered path and exits with status 128 + the signal number, as the default
    /// action would report. Call once, at start-up.
    public static func install() {
        // A command ends through exit(3), which runs no deinitializers: what is still
        // registered then (a layout's own ingest directory) is removed here.
        atexit { SignalCleanup.removeRegistered() }
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                removeRegistered()
                exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Removes every registered path, longest first (what is inside a directory before it).
    static func removeRegistered() {
        lock.lock()
        let all = paths.values.sorted { $0.count > $1.count }
        lock.unlock()
        for p in all { try? FileManager.default.removeItem(atPath: p) }
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
