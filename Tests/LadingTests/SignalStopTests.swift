import Foundation
import Lading
import Testing
import TestSupport

/// Real signals sent to the running binary. The cleanup handler used to be a dispatch
/// source, registered asynchronously after start-up with the signal ignored meanwhile:
/// a short command (tag, rmi, prune, save) stopped early died by the default action or,
/// waiting for the store's lock, never saw the signal and waited on.
@Suite struct SignalStopTests {
    static let image = "example.com/team/app:v2"

    static func store(_ dir: TemporaryDirectory) throws -> String {
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        #expect(try run([ladingBinary, "tag", "--store", store, image, "x:1"]).status == 0)
        return store
    }

    /// The store's files but its lock files (`.gc.lock` is created on first use).
    static func files(_ store: String) -> [String: String] { snapshot(store).filter { $0.key != ".gc.lock" } }

    /// A reader that goes away early: the write that raised SIGPIPE fails with EPIPE, and
    /// the command used to report that error and exit 1 in some runs (whichever thread
    /// ended the process first). Every run now exits 141 and prints nothing, as `cat` does,
    /// on one CPU and on all of them.
    @Test func aReaderGoneFromThePipeEndsEveryRunWith141() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.store(dir)
        for cpus in ["", "taskset -c 0 "] {
            for _ in 0..<10 {
                let r = try run(["bash", "-c", "\(cpus)\"$0\" save --store \"$1\" \"$2\" 2>\"$3\" | head -c 1000 >/dev/null; echo ${PIPESTATUS[0]}; cat \"$3\"",
                                 ladingBinary, store, Self.image, dir.path + "/err"])
                #expect(r.out == "141\n", "\(cpus)\(r.out)")
            }
        }
    }

    /// Each command is stopped as soon as it waits for the store's lock, held here.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func storeCommandsStoppedWhileWaitingForTheLock(_ sig: Int32) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.store(dir)
        let before = Self.files(store)
        for args in [["tag", Self.image, "y:1"], ["rmi", "x:1"], ["prune", "-a", "-f"], ["load", "-i", "\(corpus)/multi.containerd.docker.tar"]] {
            let lock = HeldLock(store)
            let p = try Started([ladingBinary] + args + ["--store", store])
            #expect(waitUntil(20) { HeldLock.isWaiting(p.pid) }, "\(args[0]) waits for the lock")
            kill(p.pid, sig)
            let status = p.wait(seconds: 20)
            lock.release()
            #expect(status == 128 + sig, "\(args[0]) stopped by signal \(sig): \(p.err)")
            #expect(p.err == "")
            #expect(Self.files(store) == before, "\(args[0])")
            #expect(ingestEntries(store) == [], "\(args[0])")
        }
    }

    /// Stopped right after it starts (before or after the handler is in place), a
    /// command never goes on waiting: it dies of the signal or exits with 128 + N.
    @Test func stoppedAtStartUpNeverWaitsOn() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.store(dir)
        let lock = HeldLock(store)
        defer { lock.release() }
        for delay: useconds_t in [0, 2_000, 5_000, 8_000, 12_000, 20_000, 40_000] {
            let p = try Started([ladingBinary, "tag", "--store", store, Self.image, "y:1"])
            usleep(delay)
            kill(p.pid, SIGTERM)
            _ = p.wait(seconds: 10)
            let died = p.process.terminationReason == .uncaughtSignal && p.process.terminationStatus == SIGTERM
            let exited = p.process.terminationReason == .exit && p.process.terminationStatus == 128 + SIGTERM
            #expect(died || exited, "after \(delay) µs: \(p.process.terminationReason) \(p.process.terminationStatus)")
        }
        #expect(ingestEntries(store) == [])
    }

    /// A signal the command was started with ignored (`nohup`, `trap '' HUP`) stays
    /// ignored: the command goes on once the lock is free.
    @Test func anInheritedIgnoredSignalStaysIgnored() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.store(dir)
        let lock = HeldLock(store)
        let p = try Started(["bash", "-c", "trap '' HUP; exec \"$0\" tag --store \"$1\" \"$2\" y:1", ladingBinary, store, Self.image])
        #expect(waitUntil(20) { HeldLock.isWaiting(p.pid) })
        kill(p.pid, SIGHUP)
        usleep(200_000)
        #expect(p.process.isRunning)
        lock.release()
        #expect(p.wait(seconds: 20) == 0, "\(p.err)")
        #expect(try run([ladingBinary, "inspect", "--store", store, "y:1"]).status == 0)
    }

    /// `save` to a pipe nobody reads, stopped while it waits to write.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func saveStoppedWhileThePipeIsFull(_ sig: Int32) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.store(dir)
        let pipe = Pipe()
        let p = try Started([ladingBinary, "save", "--store", store, Self.image], stdout: pipe.fileHandleForWriting)
        try pipe.fileHandleForWriting.close()
        #expect(waitUntil(20) { isBlockedOnPipeWrite(p.pid) })
        kill(p.pid, sig)
        #expect(p.wait(seconds: 20) == 128 + sig, "\(p.err)")
        #expect(p.err == "")
        try pipe.fileHandleForReading.close()
    }

    /// `save -o FILE` stopped halfway through (each write slowed down by strace) leaves
    /// neither FILE nor its temporary `.FILE.PID.tmp`.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func saveToAFileStoppedHalfway(_ sig: Int32) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.store(dir)
        let out = dir.path + "/out"
        #expect(try run(["mkdir", out]).status == 0)
        let p = try Started(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=write", "-e", "inject=write:delay_enter=200000",
                             ladingBinary, "save", "--store", store, "-o", out + "/image.tar", Self.image])
        var tmp: String?
        #expect(waitUntil(30) {
            tmp = (try? FileManager.default.contentsOfDirectory(atPath: out))?.first { $0.hasPrefix(".image.tar.") && $0.hasSuffix(".tmp") }
            return tmp.map { (try? FileManager.default.attributesOfItem(atPath: "\(out)/\($0)")[.size] as? Int) ?? 0 > 0 } ?? false
        }, "save is writing its temporary file")
        let pid = tmp.flatMap { Int32($0.dropFirst(".image.tar.".count).dropLast(".tmp".count)) }
        #expect(pid != nil)
        if let pid { kill(pid, sig) }
        // strace exits with the status of the program it ran.
        #expect(p.wait(seconds: 30) == 128 + sig, "\(p.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [])
    }
}
