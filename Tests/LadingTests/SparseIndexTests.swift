import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// An index child whose tree misses a blob is left out of a load with a warning, and so
/// are the blobs staged for it alone: the store holds a sparse index, never a manifest
/// without its layers.
@Suite struct SparseIndexTests {
    @Test func anIncompleteChildIsLeftOutWithItsBlobs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = dir.path + "/src"
        try FileManager.default.copyItem(atPath: "\(corpus)/layout", toPath: src)
        let layout = try OCILayout(root: src, create: false)
        let v2 = try #require(try layout.readIndex().manifests.first { $0.annotations?[AnnotationKey.refName] == "v2" })
        var m = try JSON.decode(ImageManifest.self, from: try layout.readBlob(v2.digest), what: "v2")
        let absent = Digest.sha256(of: Array("no such layer".utf8))
        m.layers = [Descriptor(mediaType: MediaType.ociLayerGzip, digest: absent, size: 13)]
        let mBytes = try JSON.encode(m)
        let arm = try layout.putBlob(mBytes)
        var amd = v2
        amd.annotations = nil
        amd.platform = Platform(os: "linux", architecture: "amd64")
        let armDesc = Descriptor(mediaType: MediaType.ociManifest, digest: arm, size: Int64(mBytes.count),
                                 platform: Platform(os: "linux", architecture: "arm64"))
        let idxBytes = try JSON.encode(ImageIndex(manifests: [amd, armDesc]))
        let idx = try layout.putBlob(idxBytes)
        try layout.updateIndex { index in
            index.manifests = [Descriptor(mediaType: MediaType.ociIndex, digest: idx, size: Int64(idxBytes.count),
                                          annotations: [AnnotationKey.imageName: "example.com/sparse/img:1"])]
        }
        let store = dir.path + "/store"
        let r = try run([ladingBinary, "load", "--store", store, src])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err == "Warning: \(src): index.json manifests[0] > manifests[1] \(arm) (linux/arm64) is incomplete (blob \(absent) absent); skipped\n", "\(r.err)")
        let s = try ImageService(storePath: store)
        #expect(!s.layout.hasBlob(arm), "the incomplete child's manifest was installed")
        #expect(s.layout.hasBlob(v2.digest) && s.layout.hasBlob(m.config.digest))
        let report = Verifier.verify(layout: s.layout, target: "store")
        #expect(report.clean, "\(report.findings)")
        #expect(report.findings.map(\.message) == ["partial index: manifest for linux/arm64 is absent"])
    }
}
