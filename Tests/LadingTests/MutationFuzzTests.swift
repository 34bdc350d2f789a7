import Foundation
import Lading
import Testing
import TestSupport

/// A mutation fuzzer over real archives: bit flips, truncations, zeroed and duplicated
/// blocks of `docker save` and OCI tarballs. Every input either loads (and then
/// verifies clean) or fails with an error; the store is unchanged after a failure.
/// CI runs a fixed number of seeded rounds; `LADING_FUZZ_ROUNDS` runs more, and any
/// input that breaks these rules is kept in `testdata/hostile/` as a regression.
@Suite struct MutationFuzzTests {
    static let seeds = ["v2.skopeo.docker.tar", "v2.containerd.docker.tar", "v2.skopeo.oci.tar"]

    static func mutate(_ input: [UInt8], rng: inout SeededRandom) -> [UInt8] {
        var b = input
        switch rng.next() % 5 {
        case 0:
            for _ in 0..<(1 + rng.next() % 8) {
                let i = Int(rng.next() % UInt64(b.count))
                b[i] ^= UInt8(1 << (rng.next() % 8))
            }
        case 1: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
        case 2:
            // Damage a header block (tar headers sit on 512-byte boundaries).
            let block = Int(rng.next() % UInt64(b.count / 512)) * 512
            for i in block..<min(block + 512, b.count) where rng.next() % 3 == 0 { b[i] = UInt8(truncatingIfNeeded: rng.next()) }
        case 3:
            let block = Int(rng.next() % UInt64(b.count / 512)) * 512
            for i in block..<min(block + 512, b.count) { b[i] = 0 }
        default:
            let from = Int(rng.next() % UInt64(b.count / 512)) * 512, to = Int(rng.next() % UInt64(b.count / 512)) * 512
            for i in 0..<512 where from + i < b.count && to + i < b.count { b[to + i] = b[from + i] }
        }
        return b
    }

    @Test func mutatedArchivesLoadOrFailCleanly() throws {
        let rounds = Int(ProcessInfo.processInfo.environment["LADING_FUZZ_ROUNDS"] ?? "") ?? 60
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let inputs = try Self.seeds.map { Array(try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/\($0)"))) }
        let regressions = (try? FileManager.default.contentsOfDirectory(atPath: "\(Fixtures.testdata)/hostile")) ?? []
        var rng = SeededRandom(state: 7)
        var cases: [(String, [UInt8])] = try regressions.sorted().map { ($0, Array(try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.testdata)/hostile/\($0)")))) }
        for r in 0..<rounds {
            let k = Int(rng.next() % UInt64(inputs.count))
            cases.append(("round \(r) of \(Self.seeds[k])", Self.mutate(inputs[k], rng: &rng)))
        }
        for (name, bytes) in cases {
            let path = dir.path + "/input.tar"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let before = snapshot(service.layout.root)
            do {
                _ = try service.load(path: path)
                let r = Verifier.verify(layout: service.layout, target: "store")
                #expect(r.clean, "\(name) loaded but the store does not verify: \(r.findings)")
            } catch {
                #expect(!"\(error)".isEmpty)
                #expect(snapshot(service.layout.root) == before, "\(name) failed and changed the store: \(error)")
            }
            #expect(ingestLeftovers(service).isEmpty, "\(name)")
        }
    }
}
