import Foundation
import ImageLayout
import Lading
import Testing
import TestSupport

/// SIGKILL at random moments over the commands that add and remove names and blobs:
/// after every kill, `verify` finds the store consistent (every name has its blobs).
@Suite(.serialized) struct KillLoopTests {
    @Test func twoHundredKillsLeaveVerifyClean() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let store = service.layout.root
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let rounds: [(Int) -> [String]] = [
            { _ in ["load", "-q", "-i", "\(corpus)/multi.containerd.docker.tar"] },
            { i in ["tag", "example.com/team/app:v2", "kill.example/t:\(i)"] },
            { i in ["rmi", "kill.example/t:\(i - 2)"] },
            { i in ["import", "\(corpus)/rootfs.tar.gz", "kill.example/i:\(i)"] },
            { i in ["rmi", "-f", "kill.example/i:\(i - 1)"] },
            { _ in ["prune", "-f"] },
            { i in ["rmi", "example.com/team/app:\(i % 2 == 0 ? "base" : "latest")"] },
            { i in i % 3 == 0 ? ["prune", "-a", "-f"] : ["tag", "example.com/team/app:v2", "example.com/team/app:base"] },
        ]
        var rng = SeededRandom(state: 7)
        var killed = 0
        for i in 0..<200 {
            let argv = rounds[i % rounds.count](i)
            if try killLading(argv, store: store, after: UInt32.random(in: 0...25_000, using: &rng)) { killed += 1 }
            let report = Verifier.verify(layout: try OCILayout(root: store, create: false), target: "store")
            #expect(report.clean, "after killing \(argv) (round \(i)): \(report.findings.filter { $0.severity == .error })")
            if !report.clean { break }
        }
        // Kills landed at all sorts of moments, not only before or after each command.
        #expect(killed > 50, "only \(killed) of 200 commands were killed while running")
        let after = try ImageService(storePath: store)
        _ = try after.prune(PruneOptions())
        #expect(ingestLeftovers(after).isEmpty)
        #expect(Verifier.verify(layout: after.layout, target: "store").findings.isEmpty)
    }
}
