import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// Names that other tools wrote stay as written: a layout named by skopeo (as podman and
/// buildah name it, a full reference in `ref.name` alone) copied whole keeps its
/// `ref.name`s byte for byte, unless the destination is named.
@Suite struct WrittenNamesTests {
    /// Every `index.json` entry's annotations, in order.
    static func annotations(_ layout: String) throws -> [[String: String]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))
        return try JSON.decode(ImageIndex.self, from: Array(data), what: "index.json").manifests.map { $0.annotations ?? [:] }
    }

    /// A layout as skopeo writes `oci:DIR:REF` for two full references and a bare tag.
    static func peerLayout(in dir: String) throws -> String {
        let src = dir + "/src"
        for (from, ref) in [("base", "localhost/b:latest"), ("v2", "quay.io/team/app:2.0"), ("v2", "v2")] {
            let r = try run(["skopeo", "copy", "-q", "oci:\(corpus)/layout:\(from)", "oci:\(src):\(ref)"])
            #expect(r.status == 0, "\(r.err)")
        }
        return src
    }

    @Test func aWholeLayoutCopyKeepsFullReferenceRefNames() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try Self.peerLayout(in: dir.path)
        let written = [["org.opencontainers.image.ref.name": "localhost/b:latest"],
                       ["org.opencontainers.image.ref.name": "quay.io/team/app:2.0"],
                       ["org.opencontainers.image.ref.name": "v2"]]
        #expect(try Self.annotations(src) == written)
        for dst in ["oci:\(dir.path)/dst", "oci-archive:\(dir.path)/dst.tar"] {
            let r = try run([ladingBinary, "copy", "--store", dir.path + "/store", "oci:\(src)", dst])
            #expect(r.status == 0, "\(dst): \(r.err)")
        }
        #expect(try Self.annotations(dir.path + "/dst") == written)
        let x = try run(["sh", "-c", "mkdir '\(dir.path)/x' && tar -xf '\(dir.path)/dst.tar' -C '\(dir.path)/x'"])
        #expect(x.status == 0, "\(x.err)")
        #expect(try Self.annotations(dir.path + "/x") == written)
        // skopeo (as podman) reads the copy by the names it wrote.
        for ref in ["localhost/b:latest", "quay.io/team/app:2.0", "v2"] {
            let s = try run(["skopeo", "inspect", "--raw", "oci:\(dir.path)/dst:\(ref)"])
            #expect(s.status == 0, "\(ref): \(s.err)")
        }
        // The store names them as containerd does.
        let store = try ImageService(storePath: dir.path + "/store2")
        _ = try store.load(path: src)
        let stored = try Self.annotations(store.layout.root)
        #expect(stored == [
            [AnnotationKey.imageName: try Reference(parsing: "localhost/b:latest").description, AnnotationKey.refName: "latest"],
            [AnnotationKey.imageName: "quay.io/team/app:2.0", AnnotationKey.refName: "2.0"],
        ])
    }

    @Test func aNamedDestinationReplacesTheWrittenName() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try Self.peerLayout(in: dir.path)
        let r = try run([ladingBinary, "copy", "--store", dir.path + "/store", "oci:\(src):localhost/b:latest", "oci:\(dir.path)/dst:mine"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try Self.annotations(dir.path + "/dst") == [["org.opencontainers.image.ref.name": "mine"]])
        // Named by a store name, the layout gets containerd's form.
        let (service, sdir) = try makeStore()
        defer { sdir.remove() }
        _ = try service.load(path: src)
        let c = try run([ladingBinary, "copy", "--store", service.layout.root, "quay.io/team/app:2.0", "oci:\(dir.path)/fromstore"])
        #expect(c.status == 0, "\(c.err)")
        #expect(try Self.annotations(dir.path + "/fromstore") == [[
            AnnotationKey.imageName: "quay.io/team/app:2.0", AnnotationKey.refName: "2.0",
        ]])
    }

    @Test func theNameTableWritesANameAsWrittenOnlyWhenAsked() throws {
        let d = Descriptor(mediaType: MediaType.ociManifest, digest: Digest.sha256(of: Array("m".utf8)), size: 1)
        let index = ImageIndex(manifests: [d.tagged("localhost/b:latest")])
        let records = NameTable(index).records()
        let name = try Reference(parsing: "localhost/b:latest")
        #expect(records.first?.writtenRefNames == [name: "localhost/b:latest"])
        var asWritten = NameTable(ImageIndex(manifests: []))
        asWritten.add(try #require(records.first), asWritten: true)
        #expect(asWritten.index.manifests.map(\.annotations) == [[AnnotationKey.refName: "localhost/b:latest"]])
        var containerd = NameTable(ImageIndex(manifests: []))
        containerd.add(try #require(records.first))
        #expect(containerd.index.manifests.map(\.annotations) == [[AnnotationKey.imageName: name.description, AnnotationKey.refName: "latest"]])
    }
}
