import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// What lading writes, the peers accept: containerd imports and unpacks a saved
/// tarball, skopeo copies from it, umoci unpacks the store's images. These run in CI.
@Suite(.serialized) struct InteropTests {
    @Test func containerdImportsAndUnpacksSavedTarballs() throws {
        let ctrd = try PrivateContainerd()
        for input in ["v2.skopeo.docker.tar", "multi.containerd.docker.tar", "v2.skopeo.oci.tar", "layout-zstd"] {
            let (service, dir) = try makeStore()
            defer { dir.remove() }
            _ = try service.load(path: "\(corpus)/\(input)", options: .init(baseName: "example.com/team/app"))
            let names = try service.images().flatMap(\.names).map(\.description)
            let tar = dir.path + "/out.tar"
            try service.save(names, toFile: tar)
            // ctr import unpacks every image it imports into the snapshotter.
            let r = try ctrd.ctr(["images", "import", "--all-platforms", tar])
            #expect(r.status == 0, "\(input): \(r.err)")
            for n in names { #expect(r.out.contains("unpacking \(n) ("), "\(input) \(n): \(r.out)") }
            let check = try ctrd.ctr(["images", "check"])
            for n in names {
                let row = check.out.split(separator: "\n").first { $0.hasPrefix(n + " ") } ?? ""
                #expect(row.contains("complete") && row.hasSuffix("true"), "\(input) \(n): \(check.out)")
            }
            for n in names { try ctrd.ctr(["images", "rm", n]) }
        }
    }

    @Test func skopeoCopiesFromSavedTarballsAndReadsTheStore() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let tar = dir.path + "/out.tar"
        try service.save(["example.com/team/app:v2", "example.com/team/app:base"], toFile: tar)
        let r = try run(["skopeo", "copy", "-q", "docker-archive:\(tar):example.com/team/app:v2", "oci:\(dir.path)/copied:v2"])
        #expect(r.status == 0, "\(r.err)")
        // skopeo rewrites the config when it converts; the layers' diff IDs stay the image's.
        let idx = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/copied/index.json"))) as! [String: Any]
        let m = try #require((idx["manifests"] as? [[String: Any]])?.first?["digest"] as? String, "skopeo's index.json names no manifest")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/copied/blobs/sha256/\(m.dropFirst(7))"))) as! [String: Any]
        let cfgDigest = (manifest["config"] as! [String: Any])["digest"] as! String
        let cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/copied/blobs/sha256/\(cfgDigest.dropFirst(7))"))) as! [String: Any]
        let diffIDs = (cfg["rootfs"] as! [String: Any])["diff_ids"] as! [String]
        let v2 = try service.details(of: try service.resolve("example.com/team/app:v2"))
        #expect(diffIDs == v2.config.rootfs.diffIDs.map(\.description))
        #expect(diffIDs.count == 2)
    }

    @Test func skopeoReadsTheStoreDirectly() throws {
        // Images loaded from docker-save archives are stored with OCI manifests, which
        // skopeo's and umoci's `oci:` readers require.
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/v2.skopeo.docker.tar")
        let s = try run(["skopeo", "inspect", "--raw", "oci:\(service.layout.root):v2"])
        #expect(s.status == 0, "\(s.err)")
        #expect(s.out.contains(CorpusLoadTests.v2Config))
        let c = try run(["skopeo", "copy", "-q", "oci:\(service.layout.root):v2", "oci:\(dir.path)/copy:v2"])
        #expect(c.status == 0, "\(c.err)")
    }

    @Test func umociUnpacksTheStoresImages() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/v2.skopeo.docker.tar")
        let bundle = dir.path + "/bundle"
        let r = try run(["umoci", "unpack", "--image", "\(service.layout.root):v2", bundle])
        #expect(r.status == 0, "\(r.err)")
        let hello = try String(contentsOfFile: bundle + "/rootfs/opt/app/bin/hello", encoding: .utf8)
        #expect(hello == "hello\n")
        #expect(!FileManager.default.fileExists(atPath: bundle + "/rootfs/etc/issue.net"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: bundle + "/rootfs/opt/app/hello-link") == "../bin/hello")
    }

    @Test func umociUnpacksALayerOfSeveralGzipMembers() throws {
        // rootfs.tar is 2,007,040 bytes: lading's gzip writes it as two members (1 MiB
        // blocks). umoci checks the diff ID, so a reader that stopped after the first
        // member would fail here.
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        var o = ImportOptions(reference: "import.example/rootfs:members")
        o.compression = .gzip
        _ = try service.importTarball(path: "\(corpus)/rootfs.tar", options: o)
        let d = try service.details(of: try service.resolve("import.example/rootfs:members"))
        let blob = Array(try Data(contentsOf: URL(fileURLWithPath: service.layout.blobPath(try #require(d.manifest.layers.first).digest))))
        let isize = blob.suffix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(isize == 2_007_040 - (1 << 20), "the last member holds the second block")
        #expect(d.config.rootfs.diffIDs.map(\.description) == [ImportTests.rootfsDiffID])
        let bundle = dir.path + "/bundle"
        let r = try run(["umoci", "unpack", "--image", "\(service.layout.root):members", bundle])
        #expect(r.status == 0, "\(r.err)")
        #expect(try String(contentsOfFile: bundle + "/rootfs/etc/motd", encoding: .utf8) == "Welcome\n")
    }

    @Test func ladingReadsWhatThePeersWrite() throws {
        // skopeo writes docker-archive and oci-archive from the corpus layout; lading loads both.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let da = dir.path + "/da.tar", oa = dir.path + "/oa.tar"
        #expect(try run(["skopeo", "copy", "-q", "oci:\(corpus)/layout:base", "docker-archive:\(da):peer.example/base:1"]).status == 0)
        #expect(try run(["skopeo", "copy", "-q", "oci:\(corpus)/layout:base", "oci-archive:\(oa):peer.example/base:1"]).status == 0)
        let (service, sdir) = try makeStore()
        defer { sdir.remove() }
        #expect(try service.load(path: da).images.flatMap(\.names).map(\.description) == ["peer.example/base:1"])
        #expect(try service.load(path: oa).images.flatMap(\.names).map(\.description) == ["peer.example/base:1"])
    }
}
