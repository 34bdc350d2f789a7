import Foundation
import ImageLayout
import ImageSpec
import Lading
import TarArchive
import Testing
import TestSupport

/// Re-encoding while a tarball is read: entries that look like layers are re-encoded as
/// they pass; one that is not a layer after all sends the copy through a second read.
@Suite struct TarballRecodeTests {
    /// An oci-archive holding an image (one gzip layer) and an artifact whose only blob is
    /// gzip data of a non-layer type.
    static func imageAndArtifact(at path: String) throws -> (layer: Digest, chart: [UInt8]) {
        // Over 1 MiB: the layer goes into the output file, not memory, when it is staged.
        let data = TarSpoolTests.noise(1_300_000, seed: 7)
        let layer = try TarBuilder(compression: .gzip).file("etc/hello", bytes: data).bytes()
        let content = try TarBuilder().file("etc/hello", bytes: data).bytes()
        let chart = try TarBuilder(compression: .gzip).file("chart/Chart.yaml", "name: demo\n").file("chart/values.yaml", "x: 1\n").bytes()
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(Digest.sha256(of: content))"]}}"#.utf8)
        let empty = Array("{}".utf8)
        func desc(_ type: String, _ b: [UInt8]) -> String { #"{"mediaType":"\#(type)","digest":"\#(Digest.sha256(of: b))","size":\#(b.count)}"# }
        let image = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(desc("application/vnd.oci.image.config.v1+json", config)),"layers":[\#(desc("application/vnd.oci.image.layer.v1.tar+gzip", layer))]}"#.utf8)
        let artifact = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(desc("application/vnd.cncf.helm.config.v1+json", empty)),"layers":[\#(desc("application/vnd.cncf.helm.chart.content.v1.tar+gzip", chart))]}"#.utf8)
        let b = try TarBuilder()
        for blob in [layer, chart, config, empty, image, artifact] { try b.file(Digest.sha256(of: blob).blobPath, bytes: blob, mode: 0o444) }
        let index = #"{"schemaVersion":2,"manifests":[\#(desc("application/vnd.oci.image.manifest.v1+json", image).dropLast()),"annotations":{"org.opencontainers.image.ref.name":"app"}},\#(desc("application/vnd.oci.image.manifest.v1+json", artifact).dropLast()),"annotations":{"org.opencontainers.image.ref.name":"chart"}}]}"#
        try b.file("index.json", index).file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.write(to: path)
        return (Digest.sha256(of: layer), chart)
    }

    @Test func aGzipBlobThatIsNotALayerIsCopiedAsItIs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (layer, chart) = try Self.imageAndArtifact(at: dir.path + "/src.tar")
        let out = dir.path + "/out.tar"
        var o = CopyOptions()
        o.compression = .zstd
        try ImageCopier(storePath: dir.path + "/store").copy(from: try TransportAddress(parsing: "oci-archive:\(dir.path)/src.tar"),
                                                             to: try TransportAddress(parsing: "oci-archive:\(out)"), options: o)
        let entries = try TarSpoolTests.entries(out)
        let blobs = Set(entries.map(\.2))
        // The chart's bytes are there untouched; the image's gzip layer is not (re-encoded,
        // its original cut out of the output after the second read had staged it).
        #expect(blobs.contains(Digest.sha256(of: chart)))
        #expect(!blobs.contains(layer))
        #expect(entries.filter { $0.0.hasPrefix("blobs/sha256/") && $0.0.count > 13 }.count == 6, "\(entries.map(\.0))")
        let inspect = try run(["skopeo", "inspect", "--raw", "oci-archive:\(out):app"])
        #expect(inspect.status == 0 && inspect.out.contains("application/vnd.oci.image.layer.v1.tar+zstd"), "\(inspect.out)\(inspect.err)")
        let verify = try run([ladingBinary, "verify", "oci-archive:\(out)"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
    }

    @Test func aDockerArchiveIsReEncodedInOnePass() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.path + "/out.tar"
        var o = CopyOptions()
        o.compression = .zstd
        try ImageCopier(storePath: dir.path + "/store").copy(from: try TransportAddress(parsing: "docker-archive:\(corpus)/v2.skopeo.docker.tar"),
                                                             to: try TransportAddress(parsing: "oci-archive:\(out)"), options: o)
        let names = try TarSpoolTests.entries(out).map(\.0)
        #expect(names.count == 8, "\(names)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.tar"])
        let verify = try run([ladingBinary, "verify", "oci-archive:\(out)"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
        let skopeo = try run(["skopeo", "inspect", "--raw", "oci-archive:\(out)"])
        #expect(skopeo.out.components(separatedBy: "tar+zstd").count == 3, "\(skopeo.out)")
    }

    /// buildkit's attestation manifests name their image by digest: re-encoding the image
    /// changes that digest, and the attestations must follow (they did not).
    @Test func attestationsFollowTheirReEncodedImages() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.path + "/out.tar"
        var o = CopyOptions()
        o.compression = .zstd
        try ImageCopier(storePath: dir.path + "/store").copy(
            from: try TransportAddress(parsing: "docker-archive:\(Fixtures.publicData)/apple-containerization/scratch.tar"),
            to: try TransportAddress(parsing: "oci-archive:\(out)"), options: o)
        let verify = try run([ladingBinary, "verify", "oci-archive:\(out)"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
        let top = try JSON.decode(ImageIndex.self, from: Array(try run(["tar", "-xOf", out, "index.json"]).out.utf8), what: "index.json")
        let inner = try JSON.decode(ImageIndex.self, from: Array(try run(["tar", "-xOf", out, try #require(top.manifests.first).digest.blobPath]).out.utf8), what: "index")
        let images = Set(inner.manifests.filter { $0.annotations?[AnnotationKey.referenceDigest] == nil }.map(\.digest.description))
        let subjects = inner.manifests.compactMap { $0.annotations?[AnnotationKey.referenceDigest] }
        #expect(subjects.count == 2 && Set(subjects).isSubset(of: images), "\(subjects) \(images)")
    }
}
