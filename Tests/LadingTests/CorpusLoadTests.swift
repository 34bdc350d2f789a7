import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// The real images in the shared corpus, written by umoci, skopeo and containerd.
@Suite struct CorpusLoadTests {
    static let v2Config = "sha256:48c773f31d84d9c5c53fab0edcec0e30f2ae2535e5e21f99e827362c115a4e99"

    struct Case: Sendable, CustomStringConvertible {
        var input: String
        var names: [String]
        var baseName: String? = nil
        var description: String { input }
    }

    static let cases: [Case] = [
        Case(input: "v2.skopeo.docker.tar", names: ["example.com/team/app:v2"]),
        Case(input: "v2.containerd.docker.tar", names: ["example.com/team/app:v2"]),
        Case(input: "multi.containerd.docker.tar", names: ["example.com/team/app:base", "example.com/team/app:latest", "example.com/team/app:v2"]),
        Case(input: "v2.skopeo.oci.tar", names: ["example.com/team/app:v2"], baseName: "example.com/team/app"),
        Case(input: "layout", names: ["example.com/team/app:base", "example.com/team/app:v2"], baseName: "example.com/team/app"),
        Case(input: "layout-zstd", names: ["example.com/team/app:v2"], baseName: "example.com/team/app"),
    ]

    @Test(arguments: cases)
    func loadsWithNamesAndTheV2Config(_ c: Case) throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let result = try service.load(path: "\(corpus)/\(c.input)", options: .init(baseName: c.baseName))
        let names = result.images.flatMap(\.names).map(\.description).sorted()
        #expect(names == c.names)
        let v2 = try service.details(of: try service.resolve("example.com/team/app:v2"))
        #expect(v2.configDigest.description == CorpusLoadTests.v2Config)
        #expect(v2.config.rootfs.diffIDs.count == 2)
        #expect(v2.config.config?.workingDir == "/opt/app")
        #expect(ingestLeftovers(service).isEmpty)
    }

    @Test func bareTagsLoadUnnamedWithoutABaseName() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let r = try service.load(path: "\(corpus)/layout")
        #expect(r.images.count == 2)
        #expect(r.images.allSatisfy { $0.names.isEmpty })
        #expect(try service.images().count == 2)
    }

    @Test func roundTripKeepsManifestAndConfigDigests() throws {
        for input in ["v2.skopeo.docker.tar", "multi.containerd.docker.tar", "v2.skopeo.oci.tar", "layout-zstd"] {
            let (a, dirA) = try makeStore()
            defer { dirA.remove() }
            _ = try a.load(path: "\(corpus)/\(input)", options: .init(baseName: "example.com/team/app"))
            let before = try a.images().map { ($0.id, $0.names) }
            let names = before.flatMap(\.1).map(\.description)
            let tar = dirA.path + "/saved.tar"
            try a.save(names, toFile: tar)
            let (b, dirB) = try makeStore()
            defer { dirB.remove() }
            _ = try b.load(path: tar)
            for (id, ns) in before {
                for n in ns {
                    let img = try b.resolve(n.description)
                    #expect(img.id == id, "\(input) \(n)")
                    #expect(try b.details(of: img).configDigest == a.details(of: try a.resolve(n.description)).configDigest)
                }
            }
            // Saving twice gives the same bytes.
            let tar2 = dirA.path + "/saved2.tar"
            try a.save(names, toFile: tar2)
            #expect(FileManager.default.contentsEqual(atPath: tar, andPath: tar2))
        }
    }

    @Test func compressedOuterTarballs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (tool, ext) in [("gzip", "gz"), ("zstd", "zst"), ("xz", "xz")] {
            let out = "\(dir.path)/v2.tar.\(ext)"
            try run(["sh", "-c", "\(tool) -c < \(corpus)/v2.skopeo.docker.tar > \(out)"])
            let (service, sdir) = try makeStore()
            defer { sdir.remove() }
            let r = try service.load(path: out)
            #expect(r.images.flatMap(\.names).map(\.description) == ["example.com/team/app:v2"], "\(tool)")
        }
    }

    @Test func storeIsAnOCILayoutThatTagAndRmiKeepConsistent() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        try service.tag("example.com/team/app:v2", "mirror.local/app:copy")
        #expect(try service.resolve("mirror.local/app:copy").id == service.resolve("example.com/team/app:v2").id)
        #expect(try service.remove("mirror.local/app:copy") == ["Untagged: mirror.local/app:copy"])
        // base has a child (v2 is built on it): its last name goes, the image stays unnamed.
        let base = try service.resolve("example.com/team/app:base")
        #expect(try service.remove("example.com/team/app:base") == ["Untagged: example.com/team/app:base"])
        #expect(try service.resolve(base.id.description).names.isEmpty)
        // By ID with names in one repository: every name goes, then the image, then its unnamed parent.
        let v2 = try service.details(of: try service.resolve("example.com/team/app:v2"))
        let id = v2.image.id
        let out = try service.remove(String(id.encoded.prefix(12)))
        #expect(out == ["Untagged: example.com/team/app:latest", "Untagged: example.com/team/app:v2", "Deleted: \(id)", "Deleted: \(base.id)"])
        #expect(try service.images().isEmpty)
        let left = try FileManager.default.contentsOfDirectory(atPath: service.layout.root + "/blobs/sha256")
        #expect(left.isEmpty)
    }
}
