import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// copy keeps bare-tag names, removes a destination it created when it fails, and
/// copies one manifest for `--platform`.
@Suite struct CopyNamesAndCleanupTests {
    static func refNames(_ indexJSON: Data) throws -> [String] {
        let index = try JSON.decode(ImageIndex.self, from: Array(indexJSON), what: "index.json")
        return index.manifests.compactMap { $0.annotations?[AnnotationKey.refName] }.sorted()
    }

    @Test func aWholeLayoutKeepsItsBareTags() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let copier = ImageCopier(storePath: dir.path + "/store")
        try copier.copy(from: try TransportAddress(parsing: "oci:\(corpus)/layout"), to: try TransportAddress(parsing: "oci:\(dir.path)/l"))
        #expect(try Self.refNames(Data(contentsOf: URL(fileURLWithPath: dir.path + "/l/index.json"))) == ["base", "v2"])
        #expect(try run(["skopeo", "inspect", "--raw", "oci:\(dir.path)/l:v2"]).status == 0)
        // Recompressed alike.
        var o = CopyOptions()
        o.compression = .zstd
        try copier.copy(from: try TransportAddress(parsing: "oci:\(corpus)/layout"), to: try TransportAddress(parsing: "oci:\(dir.path)/z"), options: o)
        #expect(try Self.refNames(Data(contentsOf: URL(fileURLWithPath: dir.path + "/z/index.json"))) == ["base", "v2"])
    }

    @Test func aDockerArchiveKeepsBareTagsInIndexJSONOnly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tar = dir.path + "/out.tar"
        try ImageCopier(storePath: dir.path + "/store").copy(from: try TransportAddress(parsing: "oci:\(corpus)/layout"),
                                                             to: try TransportAddress(parsing: "docker-archive:\(tar)"))
        let index = try run(["tar", "-xOf", tar, "index.json"])
        #expect(try Self.refNames(Data(index.out.utf8)) == ["base", "v2"])
        let manifest = try run(["tar", "-xOf", tar, "manifest.json"])
        let entries = try JSON.decode([DockerSaveManifestEntry].self, from: Array(manifest.out.utf8), what: "manifest.json")
        #expect(entries.count == 2 && entries.allSatisfy { $0.repoTags == nil }, "\(manifest.out)")
        // `"RepoTags":null`, as docker save writes for an unnamed image (classic and
        // containerd store alike); skopeo reads each entry and containerd, reading
        // manifest.json (without oci-layout), imports both.
        #expect(manifest.out.components(separatedBy: #""RepoTags":null"#).count == 3, "\(manifest.out)")
        for i in 0..<2 {
            let s = try run(["skopeo", "inspect", "--raw", "docker-archive:\(tar):@\(i)"])
            #expect(s.status == 0, "\(s.err)")
        }
        let plain = dir.path + "/plain"
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        #expect(try run(["tar", "-xf", tar, "-C", plain]).status == 0)
        try FileManager.default.removeItem(atPath: plain + "/oci-layout")
        try FileManager.default.removeItem(atPath: plain + "/index.json")
        #expect(try run(["tar", "-cf", dir.path + "/plain.tar", "-C", plain, "manifest.json", "blobs"]).status == 0)
        let ctrd = try PrivateContainerd()
        let r = try ctrd.ctr(["images", "import", "--all-platforms", "--digests", dir.path + "/plain.tar"])
        #expect(r.status == 0, "\(r.err)")
        // containerd's own Docker manifests for the two entries, unpacked.
        let unpacked = r.out.split(separator: "\n").filter { $0.hasPrefix("unpacking import-") && $0.hasSuffix("done") }
        #expect(Set(unpacked.compactMap { $0.firstMatch(of: /@(sha256:[0-9a-f]{64})/).map { String($0.1) } })
                == ["sha256:b674f85510c15c408aef3102c0fd3dec0f3ebff705dbcdbd34f3589084f204f5",
                    "sha256:72300eb154bac9d8cd0ebacf468a668c3cd2fdaad4318e58e20dcccacc83b827"], "\(r.out)")
    }

    @Test func aFailedCopyRemovesTheDirectoryItCreatedOnly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try RecompressionTests.layoutWithWrongDiffID(in: dir.path, wrong: "sha256:" + String(repeating: "1", count: 64))
        let copier = ImageCopier(storePath: dir.path + "/store")
        #expect(throws: (any Error).self) {
            try copier.copy(from: try TransportAddress(parsing: "oci:\(src):v2"), to: try TransportAddress(parsing: "oci:\(dir.path)/new/deeper:v2"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/new"))
        let existing = dir.path + "/existing"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: existing + "/keep.txt"))
        #expect(throws: (any Error).self) {
            try copier.copy(from: try TransportAddress(parsing: "oci:\(src):v2"), to: try TransportAddress(parsing: "oci:\(existing):v2"))
        }
        #expect(try String(contentsOfFile: existing + "/keep.txt", encoding: .utf8) == "keep")
    }

    @Test func platformFromTheStoreCopiesOneManifest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let copier = ImageCopier(storePath: dir.path + "/store")
        try copier.copy(from: try TransportAddress(parsing: "oci:\(publicData)/stereoscope/multiplatform_oci_dir"), to: .store(name: ""))
        var o = CopyOptions()
        o.platform = try Platform.parse("linux/arm64", host: .host)
        let dst = dir.path + "/one"
        try copier.copy(from: .store(name: "multi-platform"), to: .ociLayout(directory: dst, reference: "arm"), options: o)
        let layout = try OCILayout(root: dst, create: false)
        let top = try #require(try layout.readIndex().manifests.first)
        #expect(MediaType.isManifest(top.mediaType), "\(top.mediaType)")
        let m = try JSON.decode(ImageManifest.self, from: try layout.readBlob(top.digest), what: "manifest")
        let config = try JSON.decode(ImageConfig.self, from: try layout.readBlob(m.config.digest), what: "config")
        #expect(config.architecture == "arm64")
        let blobs = try FileManager.default.contentsOfDirectory(atPath: dst + "/blobs/sha256")
        #expect(blobs.count == 2 + m.layers.count, "\(blobs)")
        let r = Verifier.verify(layout: layout, target: "one")
        #expect(r.findings.isEmpty, "\(r.findings)")
    }
}
