import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// docker's image-management rules: rmi, children, prune, du, history.
@Suite struct ManagementTests {
    static let baseID = "sha256:8a38695edb836f0dcaed26308119eef4999dcda95cc78c98ddb05bf04682d706"
    static let v2ID = "sha256:291324df1c87c2c9886672b2e883ea43a7709468d856cd1638d88309a150053a"

    func loaded() throws -> (ImageService, TemporaryDirectory) {
        let (s, d) = try makeStore()
        _ = try s.load(path: "\(corpus)/multi.containerd.docker.tar")
        return (s, d)
    }

    @Test func childrenAreImagesWhoseLayersExtend() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        #expect(try s.children(of: "example.com/team/app:base").map(\.id.description) == [Self.v2ID])
        #expect(try s.children(of: "example.com/team/app:v2").isEmpty)
    }

    @Test func rmiOfTheLastNameOfAParentKeepsItUnnamed() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        #expect(try s.remove("example.com/team/app:base") == ["Untagged: example.com/team/app:base"])
        let img = try s.resolve(Self.baseID)
        #expect(img.names.isEmpty)
        #expect(throws: LadingError.self) { try s.remove(Self.baseID) }
        do { _ = try s.remove(String(Self.baseID.dropFirst(7).prefix(12))) } catch {
            #expect("\(error)" == "conflict: unable to delete 8a38695edb83 (must be forced) - image has dependent child images")
        }
        // The child's last names go: the child, then its unnamed parent.
        #expect(try s.remove("example.com/team/app:latest") == ["Untagged: example.com/team/app:latest"])
        #expect(try s.remove("example.com/team/app:v2") == ["Untagged: example.com/team/app:v2", "Deleted: \(Self.v2ID)", "Deleted: \(Self.baseID)"])
        #expect(try s.images().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.layout.root + "/blobs/sha256").isEmpty)
    }

    @Test func noPruneKeepsTheParent() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        _ = try s.remove("example.com/team/app:base")
        _ = try s.remove("example.com/team/app:latest")
        #expect(try s.remove("example.com/team/app:v2", noPrune: true) == ["Untagged: example.com/team/app:v2", "Deleted: \(Self.v2ID)"])
        #expect(try s.images().map(\.id.description) == [Self.baseID])
    }

    @Test func rmiByIDAcrossRepositoriesNeedsForce() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        try s.tag("example.com/team/app:v2", "other.example/app:x")
        do {
            _ = try s.remove(Self.v2ID)
            Issue.record("removed")
        } catch {
            #expect("\(error)" == "conflict: unable to delete 291324df1c87 (must be forced) - image is referenced in multiple repositories")
        }
        let out = try s.remove(Self.v2ID, force: true)
        #expect(out == ["Untagged: example.com/team/app:latest", "Untagged: example.com/team/app:v2", "Untagged: other.example/app:x", "Deleted: \(Self.v2ID)"])
        #expect(try s.images().map(\.id.description) == [Self.baseID])
    }

    @Test func pruneDanglingThenAllWithFilters() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        _ = try s.remove("example.com/team/app:base")
        var dry = PruneOptions()
        dry.dryRun = true
        let before = snapshot(s.layout.root)
        let preview = try s.prune(dry)
        #expect(preview.deletedImages.map(\.description) == [Self.baseID])
        #expect(snapshot(s.layout.root) == before, "a dry run changes nothing")
        let r = try s.prune(PruneOptions())
        #expect(r.deletedImages.map(\.description) == [Self.baseID])
        // Only the base config and manifest go; the base layer is v2's too.
        #expect(r.deletedBlobs.map(\.0.description).sorted() == [Self.baseID, "sha256:f43fd8db70d63ccdb5cfda1e0491dc1c27f50a279e78f737a2605b6e39df49f1"])
        #expect(r.reclaimed == 422 + 506)
        var keepLabelled = PruneOptions()
        keepLabelled.all = true
        keepLabelled.notLabels = [("org.example.version", "2")]
        #expect(try s.prune(keepLabelled).deletedImages.isEmpty)
        var all = PruneOptions()
        all.all = true
        all.labels = [("org.example.version", "2")]
        let gone = try s.prune(all)
        #expect(gone.untagged == ["example.com/team/app:latest", "example.com/team/app:v2"])
        #expect(try s.images().isEmpty)
    }

    @Test func pruneRemovesOrphanBlobsOfTheGCFixture() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let copy = dir.path + "/layout"
        try FileManager.default.copyItem(atPath: "\(publicData)/go-containerregistry/layout/test_gc_index", toPath: copy)
        let s = try ImageService(storePath: copy)
        // Its three images have bare tags (ref.name 1, 3, 4): named for skopeo and umoci
        // (`oci:DIR:1`), so not dangling; `-a` takes them.
        #expect(try s.prune(PruneOptions()).deletedImages.isEmpty)
        var all = PruneOptions()
        all.all = true
        let r = try s.prune(all)
        #expect(r.deletedImages.count == 3)
        // Reachability alone, with the images kept: exactly the orphan goes.
        let dir2 = try TemporaryDirectory()
        defer { dir2.remove() }
        try FileManager.default.copyItem(atPath: "\(publicData)/go-containerregistry/layout/test_gc_index", toPath: dir2.path + "/l")
        let s3 = try ImageService(storePath: dir2.path + "/l")
        var none = PruneOptions()
        none.labels = [("no-such-label", nil)]
        #expect(try s3.prune(none).deletedBlobs.map(\.0.description) == ["sha256:492b89b9dd3cda4596f94916d17f6901455fb8bd7f4c5a2a90df8d39c90f48a0"])
    }

    @Test func diskUsageCountsSharedBlobsOnce() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        let u = try s.diskUsage()
        #expect(u.images.count == 2)
        let base = u.images.first { $0.image.id.description == Self.baseID }!
        let v2 = u.images.first { $0.image.id.description == Self.v2ID }!
        #expect(base.size == 1_997_312 + 506 + 422)
        #expect(base.sharedSize == 1_997_312)
        #expect(v2.uniqueSize == 10_752 + 842 + 579)
        #expect(u.totalSize == base.size + v2.uniqueSize)
        #expect(u.layersSize == 1_997_312 + 10_752)
        #expect(u.reclaimable == 0)
    }

    @Test func historyMatchesEntriesToLayers() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        let (_, rows) = try s.history(of: "example.com/team/app:v2")
        #expect(rows.map(\.createdBy) == ["umoci config", "umoci repack", "umoci config", "umoci repack"])
        #expect(rows.map(\.size) == [0, 10_752, 0, 1_997_312])
        #expect(rows.map(\.comment) == ["", "", "base rootfs", ""])
    }

    @Test func peersStillReadTheStoreAfterTagRmiPrune() throws {
        let (s, d) = try loaded()
        defer { d.remove() }
        _ = try s.load(path: "\(corpus)/v2.skopeo.docker.tar")
        try s.tag("example.com/team/app:v2", "example.com/team/app:keep")
        _ = try s.remove("example.com/team/app:base")
        _ = try s.prune(PruneOptions())
        let r = try run(["skopeo", "inspect", "--raw", "oci:\(s.layout.root):keep"])
        #expect(r.status == 0, "\(r.err)")
        let u = try run(["umoci", "unpack", "--image", "\(s.layout.root):keep", d.path + "/bundle"])
        #expect(u.status == 0, "\(u.err)")
    }

    @Test func multiPlatformIndexPicksTheHostManifest() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        _ = try s.load(path: "\(publicData)/stereoscope/multiplatform_oci_dir")
        let img = try s.resolve("multi-platform:latest")
        #expect(MediaType.isIndex(img.descriptor.mediaType))
        let details = try s.details(of: img)
        #expect(details.config.architecture == Platform.host.architecture)
        #expect(details.config.os == "linux")
    }
}

/// `--platform` on load, inspect and save.
@Suite struct PlatformSelectionTests {
    let fixture = "\(publicData)/stereoscope/multiplatform_oci_dir"

    @Test func loadOnePlatformKeepsASparseIndex() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        _ = try s.load(path: fixture, options: .init(platform: try Platform.parse("linux/arm64", host: .host)))
        s.platform = try Platform.parse("linux/arm64", host: .host)
        #expect(try s.details(of: try s.resolve("multi-platform")).config.architecture == "arm64")
        s.platform = try Platform.parse("linux/amd64", host: .host)
        do {
            _ = try s.details(of: try s.resolve("multi-platform"))
            Issue.record("found amd64")
        } catch {
            #expect("\(error)".hasSuffix("has no manifest for linux/amd64 (present: linux/arm64)"))
        }
    }

    @Test func askingForAnAbsentPlatformIsAnError() throws {
        try Fixtures.require(fixture)
        let (s, d) = try makeStore()
        defer { d.remove() }
        let before = snapshot(s.layout.root)
        do {
            _ = try s.load(path: fixture, options: .init(platform: try Platform.parse("linux/s390x", host: .host)))
            Issue.record("loaded")
        } catch {
            #expect("\(error)".hasSuffix("has no manifest for linux/s390x"))
        }
        #expect(snapshot(s.layout.root) == before)
    }

    @Test func aSinglePlatformImageOfAnotherPlatformIsRefused() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        let arm = try Platform.parse("linux/arm64", host: .host)
        for input in ["v2.skopeo.docker.tar", "v2.skopeo.oci.tar"] { try Fixtures.require("\(corpus)/\(input)") }
        for (input, message) in [
            ("v2.skopeo.docker.tar", "v2.skopeo.docker.tar: manifest.json entry 0 is linux/amd64, not linux/arm64"),
            ("v2.skopeo.oci.tar", "v2.skopeo.oci.tar: image sha256:c72678f805ee1363ae6f4d68530b67834188e419de97d8c8a5441b4ea1743e42 is linux/amd64, not linux/arm64"),
        ] {
            do {
                _ = try s.load(path: "\(corpus)/\(input)", options: .init(platform: arm))
                Issue.record("loaded \(input)")
            } catch {
                #expect("\(error)".hasSuffix(message), "\(error)")
            }
        }
        #expect(try s.images().isEmpty)
        _ = try s.load(path: "\(corpus)/v2.skopeo.oci.tar", options: .init(platform: try Platform.parse("linux/amd64", host: .host)))
        #expect(try s.images().count == 1)
    }

    @Test func saveOnePlatformWritesItsManifest() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        _ = try s.load(path: fixture)
        s.platform = try Platform.parse("linux/arm64", host: .host)
        let arm = try s.details(of: try s.resolve("multi-platform")).manifestDigest
        try s.save(["multi-platform"], toFile: d.path + "/arm.tar")
        let (t, d2) = try makeStore()
        defer { d2.remove() }
        let r = try t.load(path: d.path + "/arm.tar")
        #expect(r.images.map(\.id) == [arm])
        #expect(try t.details(of: try t.resolve("multi-platform")).config.architecture == "arm64")
    }
}
