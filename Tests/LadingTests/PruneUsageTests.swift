import Foundation
import Lading
import Testing
import TestSupport

/// `prune --dry-run` speaks of what it would do; `du` counts as reclaimable what `prune`
/// would free, dangling images' blobs included.
@Suite struct PruneUsageTests {
    static let v2ID = "sha256:291324df1c87c2c9886672b2e883ea43a7709468d856cd1638d88309a150053a"
    static let baseID = "sha256:8a38695edb836f0dcaed26308119eef4999dcda95cc78c98ddb05bf04682d706"

    /// The multi-image corpus with `base` untagged: its image is left dangling.
    func storeWithADanglingImage(_ dir: TemporaryDirectory) throws -> String {
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/multi.containerd.docker.tar"]).status == 0)
        #expect(try run([ladingBinary, "rmi", "--store", store, "example.com/team/app:base"]).out == "Untagged: example.com/team/app:base\n")
        return store
    }

    @Test func dryRunWording() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try storeWithADanglingImage(dir)
        let before = snapshot(store)
        let dry = try run([ladingBinary, "prune", "--store", store, "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.out == """
            Would delete images:
            would delete: \(Self.baseID)

            would delete blob: \(Self.baseID)
            would delete blob: sha256:f43fd8db70d63ccdb5cfda1e0491dc1c27f50a279e78f737a2605b6e39df49f1
            Total reclaimable space: 928B

            """)
        let all = try run([ladingBinary, "prune", "--store", store, "--dry-run", "-a"])
        #expect(all.out.hasPrefix("""
            Would delete images:
            would untag: example.com/team/app:latest
            would untag: example.com/team/app:v2
            would delete: \(Self.v2ID)
            would delete: \(Self.baseID)

            """))
        #expect(all.out.hasSuffix("Total reclaimable space: 2.01MB\n"))
        #expect(snapshot(store) == before)
        let real = try run([ladingBinary, "prune", "--store", store, "-f"])
        #expect(real.out == """
            Deleted Images:
            deleted: \(Self.baseID)

            deleted blob: \(Self.baseID)
            deleted blob: sha256:f43fd8db70d63ccdb5cfda1e0491dc1c27f50a279e78f737a2605b6e39df49f1
            Total reclaimed space: 928B

            """)
    }

    @Test func diskUsageCountsDanglingImagesAsReclaimable() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try storeWithADanglingImage(dir)
        let du = try run([ladingBinary, "du", "--store", store])
        #expect(du.status == 0)
        #expect(du.out.hasSuffix("\nTotal: 2 images, 2.01MB (layers 2.01MB), reclaimable 928B\n"))
        let json = try run([ladingBinary, "du", "--store", store, "--format", "json"])
        let obj = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        #expect(obj["ReclaimableBytes"] as? Int == 928)
        #expect(obj["Reclaimable"] as? String == "928B")
        let service = try ImageService(storePath: store)
        var dry = PruneOptions()
        dry.dryRun = true
        #expect(try service.diskUsage().reclaimable == service.prune(dry).reclaimed)
        #expect(try run([ladingBinary, "prune", "--store", store, "-f"]).status == 0)
        #expect(try service.diskUsage().reclaimable == 0)
    }
}
