import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// copy to oci: and oci-archive: writes OCI documents (Docker schema 2 manifests and
/// manifest lists converted, config and layer blobs unchanged), which skopeo and umoci
/// read; docker-archive: and the store keep Docker schema 2 as it is.
@Suite(.serialized) struct DockerToOCICopyTests {
    typealias F = DockerToOCIFixtures

    func copy(_ src: String, _ dst: String, _ options: CopyOptions = CopyOptions(), store: String) throws {
        try ImageCopier(storePath: store).copy(from: try TransportAddress(parsing: src), to: try TransportAddress(parsing: dst), options: options)
    }

    @Test func aDockerManifestCopiedToAnOCILayoutBecomesAnOCIManifest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try F.dockerLayout(in: dir.path)
        let (_, before) = try F.top(src)
        #expect(before.mediaType == MediaType.dockerManifest && before.digest.description == F.dockerV2Manifest)
        let dst = dir.path + "/dst"
        try copy("oci:\(src):v2", "oci:\(dst):v2", store: dir.path + "/store")

        let (layout, top) = try F.top(dst)
        #expect(top.mediaType == MediaType.ociManifest)
        #expect(top.digest.description == F.ociV2Manifest && top.size == 551)
        #expect(top.annotations == [AnnotationKey.refName: "v2"])
        let m = try F.manifest(top, in: layout)
        #expect(m.mediaType == MediaType.ociManifest)
        #expect(m.config.digest.description == F.v2Config && m.config.mediaType == MediaType.ociConfig && m.config.size == 842)
        #expect(m.layers.map(\.digest.description) == CopyTests.v2DiffIDs)
        #expect(m.layers.map(\.mediaType) == [MediaType.ociLayer, MediaType.ociLayer])
        // The Docker manifest is not left behind.
        #expect(try F.blobs(dst) == Set([F.ociV2Manifest, F.v2Config] + CopyTests.v2DiffIDs))
        #expect(Verifier.verify(layout: layout, target: "dst").findings.isEmpty)

        let raw = try run(["skopeo", "inspect", "--raw", "oci:\(dst):v2"])
        #expect(raw.status == 0, "\(raw.err)")
        #expect(Digest.sha256(of: Array(raw.out.utf8)).description == F.ociV2Manifest)
        let other = dir.path + "/other"
        let c = try run(["skopeo", "copy", "-q", "oci:\(dst):v2", "oci:\(other):v2"])
        #expect(c.status == 0, "\(c.err)")
        // skopeo gzips the plain layers on the way; the config is ours, unchanged.
        let (ol, ot) = try F.top(other)
        let om = try F.manifest(ot, in: ol)
        #expect(ot.mediaType == MediaType.ociManifest && om.config.digest.description == F.v2Config)
        let u = try run(["umoci", "unpack", "--image", "\(dst):v2", dir.path + "/bundle"])
        #expect(u.status == 0, "\(u.err)")
        #expect(try String(contentsOfFile: dir.path + "/bundle/rootfs/opt/app/bin/hello", encoding: .utf8) == "hello\n")
    }

    @Test func aDockerManifestListBecomesAnOCIIndexOfOCIManifests() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try F.dockerListLayout(in: dir.path)
        let dst = dir.path + "/dst"
        try copy("oci:\(src.root):multi", "oci:\(dst):multi", store: dir.path + "/store")

        let (layout, top) = try F.top(dst)
        #expect(top.mediaType == MediaType.ociIndex && top.annotations == [AnnotationKey.refName: "multi"])
        let idx = try JSON.decode(ImageIndex.self, from: try layout.readBlob(top.digest), what: "index")
        #expect(idx.mediaType == MediaType.ociIndex)
        try #require(idx.manifests.map(\.mediaType) == [MediaType.ociManifest, MediaType.ociManifest])
        #expect(idx.manifests.map { $0.platform?.description } == ["linux/amd64", "linux/arm64"])
        let (l0, l0Size) = F.gzipLayers[0], (l1, l1Size) = F.gzipLayers[1]
        let amd = """
            {"config":{"digest":"\(F.v2Config)","mediaType":"\(MediaType.ociConfig)","size":842},"layers":[\
            {"annotations":{"com.example.note":"base"},"digest":"\(l0)","mediaType":"\(MediaType.ociLayerGzip)","size":\(l0Size)},\
            {"digest":"\(l1)","mediaType":"\(MediaType.ociLayerNonDistributableGzip)","size":\(l1Size),"urls":["https://example.com/layers/app"]}],\
            "mediaType":"\(MediaType.ociManifest)","schemaVersion":2}
            """
        #expect(try layout.readBlob(idx.manifests[0].digest) == Array(amd.utf8))
        #expect(idx.manifests[0].digest == Digest.sha256(of: Array(amd.utf8)) && idx.manifests[0].size == Int64(amd.utf8.count))
        let arm = try F.manifest(idx.manifests[1], in: layout)
        #expect(arm.mediaType == MediaType.ociManifest)
        #expect(arm.config.digest.description == src.armConfig && arm.config.mediaType == MediaType.ociConfig)
        #expect(arm.layers.map(\.digest.description) == [l0] && arm.layers.map(\.mediaType) == [MediaType.ociLayerGzip])
        let blobs = try F.blobs(dst)
        #expect(blobs == Set([top.digest.description] + idx.manifests.map(\.digest.description) + [F.v2Config, src.armConfig, l0, l1]))
        #expect(blobs.isDisjoint(with: [src.list, src.amd, src.arm]))

        let raw = try run(["skopeo", "inspect", "--raw", "oci:\(dst):multi"])
        #expect(raw.status == 0, "\(raw.err)")
        #expect(Digest.sha256(of: Array(raw.out.utf8)) == top.digest)
        let c = try run(["skopeo", "copy", "-q", "oci:\(dst):multi", "oci:\(dir.path)/other:amd"])
        #expect(c.status == 0, "\(c.err)")
        #expect(try F.top(dir.path + "/other").1.digest == idx.manifests[0].digest)

        // One platform of the list: its manifest alone, converted alike, which umoci unpacks.
        var o = CopyOptions()
        o.platform = try Platform.parse("linux/arm64", host: .host)
        try copy("oci:\(src.root):multi", "oci:\(dir.path)/one:arm", o, store: dir.path + "/store")
        let one = try F.top(dir.path + "/one")
        #expect(one.1.mediaType == MediaType.ociManifest && one.1.digest == idx.manifests[1].digest)
        #expect(try F.blobs(dir.path + "/one") == Set([one.1.digest.description, src.armConfig, l0]))
        let u = try run(["umoci", "unpack", "--image", "\(dir.path)/one:arm", dir.path + "/bundle"])
        #expect(u.status == 0, "\(u.err)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/bundle/rootfs/bin/busybox"))
        // From the store (which keeps the Docker list) alike; a docker-archive gets the
        // Docker manifest of that platform alone.
        try copy("oci:\(src.root):multi", "store:example.com/x/multi:1", store: dir.path + "/store")
        try copy("store:example.com/x/multi:1", "oci:\(dir.path)/two:arm", o, store: dir.path + "/store")
        #expect(try F.top(dir.path + "/two").1.digest == idx.manifests[1].digest)
        try copy("store:example.com/x/multi:1", "docker-archive:\(dir.path)/arm.tar", o, store: dir.path + "/store")
        let tar = try F.archive(dir.path + "/arm.tar")
        #expect(tar.index.manifests.map(\.digest.description) == [src.arm] && tar.index.manifests.map(\.mediaType) == [MediaType.dockerManifest])
        #expect(tar.blobs == Set([src.arm, src.armConfig, l0]))
    }

    @Test func aHandMadeLayoutWithDockerDocumentsUnderOCITypesIsConverted() throws {
        // go-containerregistry's test_index: ref 1 is a Docker manifest whose descriptor
        // says OCI, ref 2 a blob of another type (carried as it is), ref 3 an OCI index
        // of ref 1, ref 4 a Docker manifest list of it.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try copy("oci:\(publicData)/go-containerregistry/layout/test_index", "oci:\(dir.path)/l", store: dir.path + "/store")
        let layout = try OCILayout(root: dir.path + "/l", create: false)
        let all = try layout.readIndex().manifests
        let manifest = "sha256:ba1081ad5456d0368d1d0dbd0164967683e393a47770b865ed7902b3b851a68a"
        try #require(all.map { $0.annotations?[AnnotationKey.refName] ?? "" } == ["1", "2", "3", "4"])
        #expect(all.map(\.digest.description) == [manifest, "sha256:32589985702551b6c56033bb3334432a0a513bf9d6aceda0f67c42b003850720",
                                                  "sha256:934f89cde5289d1b7e2e93af693c0fb6fb55aa2cc1ca93e00898820dd8e2ba14",
                                                  "sha256:26c6af8c2a1f0c30951048e7b4bc6c04f704a355636fd258a4c03e8dddfa7fa1"])
        #expect(all.map(\.mediaType) == [MediaType.ociManifest, "application/vnd.oci.descriptor.v1+json", MediaType.ociIndex, MediaType.ociIndex])
        let m = try F.manifest(all[0], in: layout)
        #expect(m.mediaType == MediaType.ociManifest && m.config.mediaType == MediaType.ociConfig)
        #expect(m.config.digest.description == "sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e")
        #expect(m.layers.map(\.digest.description) == ["sha256:dc52c6e48a1d51a96047b059f16889bc889c4b4c28f3b36b3f93187f62fc0b2b"])
        #expect(m.layers.map(\.mediaType) == [MediaType.ociLayerGzip])
        // The OCI index keeps its document as it was (no mediaType) but for its child.
        let indexes = try [2, 3].map { try JSON.decode(ImageIndex.self, from: try layout.readBlob(all[$0].digest), what: "index") }
        #expect(indexes.map(\.mediaType) == [nil, MediaType.ociIndex])
        #expect(indexes.map { $0.manifests.map(\.digest.description) } == [[manifest], [manifest]])
        #expect(indexes.map { $0.manifests.map(\.mediaType) } == [[MediaType.ociManifest], [MediaType.ociManifest]])
        // skopeo read neither ref 1 (a Docker config under an OCI manifest) nor ref 4 before.
        for (ref, digest) in [("1", manifest), ("4", all[3].digest.description)] {
            let r = try run(["skopeo", "inspect", "oci:\(dir.path)/l:\(ref)"])
            #expect(r.status == 0 && r.out.contains("\"Digest\": \"\(digest)\""), "\(ref): \(r.out) \(r.err)")
            #expect(r.out.contains("sha256:dc52c6e48a1d51a96047b059f16889bc889c4b4c28f3b36b3f93187f62fc0b2b"))
        }
    }

    @Test func dockerArchiveAndTheStoreKeepDockerSchema2AndOCIArchivesConvert() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try F.dockerLayout(in: dir.path)
        let store = dir.path + "/store"
        try copy("oci:\(src):v2", "docker-archive:\(dir.path)/d.tar:example.com/team/app:v2", store: store)
        let d = try F.archive(dir.path + "/d.tar")
        #expect(d.index.manifests.map(\.mediaType) == [MediaType.dockerManifest])
        #expect(d.index.manifests.map(\.digest.description) == [F.dockerV2Manifest])
        try copy("oci:\(src):v2", "store:example.com/team/app:v2", store: store)
        let stored = try OCILayout(root: store, create: false).readIndex().manifests
        #expect(stored.map(\.digest.description) == [F.dockerV2Manifest] && stored.map(\.mediaType) == [MediaType.dockerManifest])

        // Out of the store: oci-archive: and oci: convert.
        try copy("store:example.com/team/app:v2", "oci-archive:\(dir.path)/o.tar:v2", store: store)
        let o = try F.archive(dir.path + "/o.tar")
        #expect(o.index.manifests.map(\.digest.description) == [F.ociV2Manifest] && o.index.manifests.map(\.mediaType) == [MediaType.ociManifest])
        #expect(o.blobs == Set([F.ociV2Manifest, F.v2Config] + CopyTests.v2DiffIDs))
        let s = try run(["skopeo", "inspect", "--raw", "oci-archive:\(dir.path)/o.tar:v2"])
        #expect(s.status == 0 && Digest.sha256(of: Array(s.out.utf8)).description == F.ociV2Manifest, "\(s.err)")
        try copy("store:example.com/team/app:v2", "oci:\(dir.path)/l:v2", store: store)
        #expect(try F.top(dir.path + "/l").1.digest.description == F.ociV2Manifest)
        #expect(try F.blobs(dir.path + "/l") == Set([F.ociV2Manifest, F.v2Config] + CopyTests.v2DiffIDs))
    }

    @Test func recompressedDockerLayersAreWrittenWithOCITypes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try F.dockerLayout(in: dir.path)
        var o = CopyOptions()
        o.compression = .gzip
        let dst = dir.path + "/dst"
        try copy("oci:\(src):v2", "oci:\(dst):v2", o, store: dir.path + "/store")
        let (layout, top) = try F.top(dst)
        let m = try F.manifest(top, in: layout)
        #expect(top.mediaType == MediaType.ociManifest && m.mediaType == MediaType.ociManifest)
        #expect(m.config.digest.description == F.v2Config && m.config.mediaType == MediaType.ociConfig)
        #expect(m.layers.map(\.mediaType) == [MediaType.ociLayerGzip, MediaType.ociLayerGzip])
        // Neither the Docker manifest nor the gzip one the recompression wrote first is kept.
        #expect(try F.blobs(dst) == Set([top.digest.description, F.v2Config] + m.layers.map(\.digest.description)))
        #expect(try CopyTests.diffIDs(of: "oci:\(dst):v2", in: dir.path) == CopyTests.v2DiffIDs)
        #expect(try run(["umoci", "unpack", "--image", "\(dst):v2", dir.path + "/bundle"]).status == 0)
        // Into a docker-archive the manifest stays Docker schema 2, with Docker gzip layers.
        try copy("oci:\(src):v2", "docker-archive:\(dir.path)/d.tar:example.com/team/app:v2", o, store: dir.path + "/store")
        let d = try F.archive(dir.path + "/d.tar")
        let digest = try #require(d.index.manifests.first?.digest)
        let dm = try JSON.decode(ImageManifest.self, from: Array(try run(["tar", "-xOf", dir.path + "/d.tar", "blobs/sha256/\(digest.encoded)"]).out.utf8), what: "manifest")
        #expect(dm.mediaType == MediaType.dockerManifest && dm.layers.map(\.mediaType) == [MediaType.dockerLayerGzip, MediaType.dockerLayerGzip])
    }
}
