import Foundation
import TestSupport

/// A program started by a test, its output going to files (nothing to drain), to be
/// stopped or waited for with a deadline.
final class Started {
    let process = Process()
    private let dir: TemporaryDirectory
    var pid: Int32 { process.processIdentifier }

    /// - Parameters:
    ///   - stdout: where standard output goes (a file of its own when nil).
    ///   - stdin: standard input (/dev/null when nil).
    init(_ argv: [String], stdout: Any? = nil, stdin: Any? = nil) throws {
        dir = try TemporaryDirectory("lading-started")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        _ = FileManager.default.createFile(atPath: dir.path + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: dir.path + "/err", contents: nil)
        process.standardOutput = stdout ?? FileHandle(forWritingAtPath: dir.path + "/out")
        process.standardError = FileHandle(forWritingAtPath: dir.path + "/err")
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() }
        dir.remove()
    }

    var err: String { (try? String(contentsOfFile: dir.path + "/err", encoding: .utf8)) ?? "" }
    var out: String { (try? String(contentsOfFile: dir.path + "/out", encoding: .utf8)) ?? "" }

    /// Waits for the exit, killing the program (SIGKILL) past `seconds`.
    /// - Returns: the exit status, or nil when it had to be killed (or died of a signal).
    func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }
}

/// Polls `condition` every 2 ms for up to `seconds`.
func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

/// Holds a store's `.lock` (exclusively) until released, as a command writing
/// `index.json` does.
final class HeldLock {
    private var fd: Int32
    init(_ store: String) {
        fd = open(store + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        _ = flock(fd, LOCK_EX)
    }
    deinit { release() }
    func release() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// Whether process `pid` is blocked waiting for an flock (`/proc/locks` lists
    /// waiters with `->`).
    static func isWaiting(_ pid: Int32) -> Bool {
        let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
        return locks.split(separator: "\n").contains { $0.contains("-> FLOCK") && $0.split(separator: " ").contains { $0 == "\(pid)" } }
    }
}

/// Whether a thread of process `pid` is blocked writing into a full pipe.
func isBlockedOnPipeWrite(_ pid: Int32) -> Bool {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.contains { t in
        ((try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/wchan", encoding: .utf8)) ?? "").contains("pipe_write")
    }
}

/// A tmpfs mounted on a new directory for a test (tests run as root): a full or a
/// read-only file system for real. `unmount()` in the test's cleanup.
struct TmpfsMount {
    let path: String
    init(size: String, at path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let r = try run(["mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard r.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mount: \(r.err)"]) }
        self.path = path
    }
    func remountReadOnly() throws {
        let r = try run(["mount", "-o", "remount,ro", path])
        guard r.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "remount: \(r.err)"]) }
    }
    func unmount() { _ = try? run(["umount", "-l", path]) }
}

/// What is in `store/.ingest` (nothing once a command ended, stopped or failed).
func ingestEntries(_ store: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: store + "/.ingest")) ?? []
}

/// A tar of one file of `bytes` random bytes (incompressible), at `path`.
func writeRandomTar(_ path: String, bytes: Int, seed: UInt64 = 1) throws {
    var rng = SeededRandom(state: seed)
    var content: [UInt8] = []
    content.reserveCapacity(bytes + 8)
    while content.count < bytes { withUnsafeBytes(of: rng.next()) { content.append(contentsOf: $0) } }
    content.removeLast(content.count - bytes)
    try TarBuilder().file("data.bin", bytes: content).write(to: path)
}
