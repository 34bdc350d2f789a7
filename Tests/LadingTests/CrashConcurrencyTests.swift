import Foundation
import ImageLayout
import Lading
import Testing
import TestSupport

/// SIGKILL at random points never leaves the store inconsistent; concurrent commands
/// never lose each other's updates.
@Suite(.serialized) struct CrashConcurrencyTests {
    @Test func killedCommandsLeaveTheStoreConsistent() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let store = service.layout.root
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let tree = dir.path + "/tree"
        try service.unpack("example.com/team/app:v2", into: tree)
        try "extra\n".write(toFile: tree + "/extra", atomically: false, encoding: .utf8)
        let before = try service.images().map { ($0.id, $0.names) }
        let commands: [[String]] = [
            ["load", "-q", "-i", "\(corpus)/v2.skopeo.oci.tar"],
            ["import", "\(corpus)/rootfs.tar.xz", "crash.example/imported:1"],
            ["commit", "example.com/team/app:v2", tree, "crash.example/committed:1"],
            ["prune", "-f"],
        ]
        for argv in commands { for a in argv { try Fixtures.requireAll(in: a) } }
        var rng = SeededRandom(state: 42)
        for i in 0..<24 {
            let argv = commands[i % commands.count]
            _ = try killLading(argv, store: store, after: UInt32.random(in: 0...80_000, using: &rng))
            let check = try ImageService(storePath: store)
            let report = Verifier.verify(layout: check.layout, target: "store")
            #expect(report.clean, "after killing \(argv[0]) (round \(i)): \(report.findings)")
            for (id, names) in before {
                for n in names { #expect(try check.resolve(n.description).id == id, "\(n) after \(argv[0])") }
            }
        }
        // The next command cleans what killed commands left behind.
        let after = try ImageService(storePath: store)
        _ = try after.prune(PruneOptions())
        #expect(ingestLeftovers(after).isEmpty)
        #expect(Verifier.verify(layout: after.layout, target: "store").findings.isEmpty)
    }

    /// A command's ingest directory exists a moment before its `.owner` is locked; a
    /// prune in that moment removed it under the command (seen as "cannot create a
    /// temporary blob … No such file or directory" from a load running beside prunes).
    @Test func anIngestDirectoryNotYetLockedIsLeftAlone() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let young = service.layout.ingestRoot + "/starting"
        let gone = service.layout.ingestRoot + "/killed"
        for p in [young, gone] { try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true) }
        #expect(FileManager.default.createFile(atPath: young + "/.owner", contents: Data()))
        #expect(FileManager.default.createFile(atPath: gone + "/.owner", contents: Data("4242\n".utf8)))
        #expect(service.layout.cleanAbandonedIngest() == 1)
        #expect(FileManager.default.fileExists(atPath: young))
        #expect(!FileManager.default.fileExists(atPath: gone))
    }

    @Test func fourProcessesAtOnce() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let store = service.layout.root
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let bin = "'\(ladingBinary)'"
        let s = "--store '\(store)'"
        let scripts = [
            "for i in 1 2 3 4 5 6; do \(bin) load \(s) -q -i '\(corpus)/multi.containerd.docker.tar' || exit 1; done",
            "for i in 1 2 3 4 5 6; do \(bin) tag \(s) example.com/team/app:v2 keep.example/p2:$i || exit 1; done",
            "for i in 1 2 3 4 5 6; do \(bin) tag \(s) example.com/team/app:base tmp.example/p3:$i && \(bin) rmi \(s) tmp.example/p3:$i >/dev/null || exit 1; done",
            "for i in 1 2 3 4 5 6; do \(bin) prune \(s) -f >/dev/null || exit 1; done",
        ]
        #expect(try runConcurrently(scripts) == [0, 0, 0, 0])
        let check = try ImageService(storePath: store)
        let names = try check.images().flatMap(\.names).map(\.description).sorted()
        #expect(names == ["example.com/team/app:base", "example.com/team/app:latest", "example.com/team/app:v2"]
            + (1...6).map { "keep.example/p2:\($0)" })
        let report = Verifier.verify(layout: check.layout, target: "store")
        #expect(report.findings.isEmpty, "\(report.findings)")
    }

    @Test func copyIntoTheStoreWhilePruneAndRmiDeleteBlobs() throws {
        // copy installs blobs before index.json names them; a prune in between used to
        // delete them, leaving an image whose blobs were gone.
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let store = service.layout.root
        let bin = "'\(ladingBinary)'"
        let s = "--store '\(store)'"
        let scripts = [
            "for i in 1 2 3 4 5 6 7 8; do LADING_TEST_PAUSE_BEFORE_NAMING=0.1 \(bin) copy \(s) 'docker-archive:\(corpus)/v2.skopeo.docker.tar' copy.example/c:$i || exit 1; "
                + "[ $i = 8 ] || \(bin) rmi \(s) copy.example/c:$i >/dev/null || exit 1; done",
            "for i in $(seq 1 40); do \(bin) prune \(s) -f >/dev/null || exit 1; done",
        ]
        #expect(try runConcurrently(scripts) == [0, 0])
        let check = try ImageService(storePath: store)
        #expect(try check.images().flatMap(\.names).map(\.description) == ["copy.example/c:8"])
        let report = Verifier.verify(layout: check.layout, target: "store")
        #expect(report.findings.isEmpty, "\(report.findings)")
    }
}

/// Runs each shell script in its own process, all at once; their exit statuses. A
/// fixture a script names that is missing is a thrown error naming it.
private func runConcurrently(_ scripts: [String]) throws -> [Int32] {
    for s in scripts { try Fixtures.requireAll(in: s) }
    let procs = try scripts.map { script -> Process in
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }
    for p in procs { p.waitUntilExit() }
    return procs.map(\.terminationStatus)
}
