import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// copy between every pair of formats and compressions, each result accepted by its
/// peer with diff IDs unchanged; verify on archives, the store and broken fixtures.
@Suite(.serialized) struct CopyTests {
    static let v2DiffIDs = [
        "sha256:285aa04819c4c1150ccf4a71cb4fd792942d366558dd2ba6b3badff1050ea9fe",
        "sha256:a8a0272c661e24eb0565ea7b1a50be38fa5da2ecbdd215f6ff41fd4ccb4be6c2",
    ]

    static func diffIDs(of address: String, in dir: String) throws -> [String] {
        let (s, d) = try makeStore()
        defer { d.remove() }
        try ImageCopier(storePath: s.layout.root).copy(from: try TransportAddress(parsing: address), to: .store(name: "check.example/x:1"))
        return try s.details(of: try s.resolve("check.example/x:1")).config.rootfs.diffIDs.map(\.description)
    }

    @Test func everyPairOfFormatsAndCompressions() throws {
        let ctrd = try PrivateContainerd()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sources = ["docker-archive:\(corpus)/v2.skopeo.docker.tar", "oci:\(corpus)/layout:v2", "oci-archive:\(corpus)/v2.skopeo.oci.tar", "oci:\(corpus)/layout-zstd:v2"]
        var n = 0
        for src in sources {
            for comp in [nil, MediaType.LayerCompression.gzip, .zstd, MediaType.LayerCompression.none] {
                var o = CopyOptions()
                o.compression = comp
                n += 1
                let copier = ImageCopier(storePath: dir.path + "/store")
                // oci: layout, read back by umoci and skopeo
                let lay = "\(dir.path)/lay\(n)"
                try copier.copy(from: try TransportAddress(parsing: src), to: .ociLayout(directory: lay, reference: "v2"), options: o)
                #expect(try run(["skopeo", "inspect", "--raw", "oci:\(lay):v2"]).status == 0, "\(src) \(String(describing: comp))")
                // umoci 0.4 reads gzip and plain layers only.
                let zstdResult = comp == .zstd || (comp == nil && src.contains("zstd"))
                if !zstdResult {
                    let u = try run(["umoci", "unpack", "--image", "\(lay):v2", "\(dir.path)/bundle\(n)"])
                    #expect(u.status == 0, "\(src) \(String(describing: comp)): \(u.err)")
                }
                #expect(try Self.diffIDs(of: "oci:\(lay):v2", in: dir.path) == Self.v2DiffIDs)
                // docker-archive and oci-archive, imported and unpacked by containerd
                for (kind, ext) in [("docker-archive", "d"), ("oci-archive", "o")] {
                    let tar = "\(dir.path)/out\(n)\(ext).tar"
                    try copier.copy(from: try TransportAddress(parsing: src), to: try TransportAddress(parsing: "\(kind):\(tar):example.com/copy/\(ext)\(n):v2"), options: o)
                    let r = try ctrd.ctr(["images", "import", "--all-platforms", tar])
                    #expect(r.status == 0 && r.out.contains("unpacking example.com/copy/\(ext)\(n):v2 ("), "\(src) → \(kind) \(String(describing: comp)): \(r.out) \(r.err)")
                    let s = try run(["skopeo", "inspect", "--raw", "\(kind):\(tar)"])
                    #expect(s.status == 0, "\(kind) \(s.err)")
                    #expect(try Self.diffIDs(of: "\(kind):\(tar)", in: dir.path) == Self.v2DiffIDs)
                }
            }
        }
    }

    @Test func keepCopiesBlobsByteForByte() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let copier = ImageCopier(storePath: dir.path + "/store")
        try copier.copy(from: try TransportAddress(parsing: "oci:\(corpus)/layout-zstd:v2"), to: .ociLayout(directory: dir.path + "/l", reference: "v2"))
        let theirs = try FileManager.default.contentsOfDirectory(atPath: "\(corpus)/layout-zstd/blobs/sha256").sorted()
        let mine = try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/l/blobs/sha256").sorted()
        #expect(mine == theirs)
    }

    @Test func recompressingIntoALayoutLeavesNoOrphans() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = CopyOptions()
        o.compression = .zstd
        try ImageCopier(storePath: dir.path + "/store").copy(from: try TransportAddress(parsing: "oci:\(corpus)/layout:v2"),
                                                             to: .ociLayout(directory: dir.path + "/l", reference: "v2"), options: o)
        let r = Verifier.verify(layout: try OCILayout(root: dir.path + "/l", create: false), target: "l")
        #expect(r.findings.isEmpty, "\(r.findings)")
        #expect(r.blobsChecked == 4)
    }

    @Test func addressParsing() throws {
        #expect(try TransportAddress(parsing: "docker-archive:/x/y.tar:example.com:5000/a:1") == .dockerArchive(path: "/x/y.tar", reference: "example.com:5000/a:1"))
        #expect(try TransportAddress(parsing: "oci:/nonexistent/dir:v2") == .ociLayout(directory: "/nonexistent/dir", reference: "v2"))
        #expect(try TransportAddress(parsing: "oci-archive:-") == .ociArchive(path: "-", reference: nil))
        #expect(try TransportAddress(parsing: "busybox") == .store(name: "busybox"))
        #expect(throws: LadingError.self) { try TransportAddress(parsing: "docker://busybox") }
    }
}

@Suite struct VerifyTests {
    @Test(arguments: ["\(corpus)/v2.skopeo.docker.tar", "docker-archive:\(corpus)/multi.containerd.docker.tar", "oci-archive:\(corpus)/v2.skopeo.oci.tar",
                      "oci:\(corpus)/layout", "oci:\(corpus)/layout-zstd", "\(corpus)/v2.containerd.docker.tar"])
    func corpusIsClean(_ target: String) throws {
        try Fixtures.requireAll(in: target)
        let r = Verifier.verify(target: target, storePath: "/nonexistent")
        #expect(r.clean, "\(r.findings)")
        #expect(r.findings.isEmpty)
        #expect(r.blobsChecked >= 4)
    }

    @Test func storeIsCleanAfterEveryCommand() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        func check(_ step: String) {
            let r = Verifier.verify(layout: s.layout, target: "store")
            #expect(r.findings.isEmpty, "\(step): \(r.findings)")
        }
        _ = try s.load(path: "\(corpus)/multi.containerd.docker.tar"); check("load")
        _ = try s.importTarball(path: "\(corpus)/rootfs.tar.xz", options: ImportOptions(reference: "imp:1")); check("import")
        _ = try s.squash("example.com/team/app:v2", parent: "1", options: BuildOptions(reference: "sq:1")); check("squash")
        try s.tag("sq:1", "sq:2"); check("tag")
        _ = try s.remove("example.com/team/app:base"); check("rmi")
        _ = try s.prune(PruneOptions()); check("prune")
    }

    enum Expect: Sendable { case clean, finding(String) }

    @Test(arguments: [
        ("imgutil/busybox-sparse", "(index.json manifests[0] > layers[0]): layer blob is missing"),
        ("containers-image/oci-layout/delete_image_multiple_images", "media type application/vnd.oci.image.layer.v1.tar+gzip names gzip but the bytes are none"),
        ("containers-image/oci-layout/delete_image_multiple_images", "(index.json manifests[6] > config): blob is 584 bytes, descriptor says 585"),
        ("containers-image/oci-layout/delete_image_shared_blobs_dir", "(index.json manifests[0]): blob is missing"),
        ("go-containerregistry/layout/test_gc_index", "orphan blob (114 bytes) not reachable from index.json"),
        ("sarus/saved_image_malicious.tar", "has 9 layers but its config lists 10 diff IDs"),
        ("trivy/test_bad_index_json.oci", "index.json: not valid JSON"),
        ("go-containerregistry/tarball/null_manifest.tar", "manifest.json is null"),
        ("oras-go/hello-world.tar", "partial index: manifest for linux/arm/v5 is absent"),
    ])
    func brokenFixturesReportTheirFinding(_ fixture: String, _ message: String) throws {
        try Fixtures.require("\(publicData)/\(fixture)")
        let r = Verifier.verify(target: "\(publicData)/\(fixture)", storePath: "/nonexistent")
        #expect(r.findings.contains { $0.description.contains(message) }, "\(r.findings.map(\.description))")
    }

    @Test func exitCodesAndJUnit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ok = try run([ladingBinary, "verify", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(ok.status == 0)
        #expect(ok.out == "\(corpus)/v2.skopeo.docker.tar: OK (4 blobs checked)\n")
        let bad = try run([ladingBinary, "verify", "--junit", dir.path + "/j.xml", "\(publicData)/imgutil/busybox-sparse"])
        #expect(bad.status == 1)
        let xml = try String(contentsOfFile: dir.path + "/j.xml", encoding: .utf8)
        #expect(xml.contains("failures=\"1\""))
        #expect(xml.contains("layer blob is missing"))
        let usage = try run([ladingBinary, "verify", "--format", "xml", "x"])
        #expect(usage.status == 64 || usage.status == 2, "\(usage.status)")
    }
}
