import Foundation
import ImageLayout
import ImageSpec
import Lading
import TarArchive
import Testing
import TestSupport

@Suite struct LayerTypeTests {
    /// An OCI `v1.tar` layer names no compression: gzip bytes under it are a finding (the
    /// type used to be read as "unknown", and the mismatch went unreported).
    @Test func verifyReportsGzipBytesUnderAnUncompressedLayerType() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layer = try TarBuilder(compression: .gzip).file("a", "a\n").bytes()
        let content = try TarBuilder().file("a", "a\n").bytes()
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(Digest.sha256(of: content))"]}}"#.utf8)
        func desc(_ type: String, _ b: [UInt8]) -> String { #"{"mediaType":"\#(type)","digest":"\#(Digest.sha256(of: b))","size":\#(b.count)}"# }
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(desc("application/vnd.oci.image.config.v1+json", config)),"layers":[\#(desc("application/vnd.oci.image.layer.v1.tar", layer))]}"#.utf8)
        let b = try TarBuilder()
        for blob in [layer, config, manifest] { try b.file(Digest.sha256(of: blob).blobPath, bytes: blob) }
        try b.file("index.json", #"{"schemaVersion":2,"manifests":[\#(desc("application/vnd.oci.image.manifest.v1+json", manifest))]}"#)
        try b.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.write(to: dir.path + "/x.tar")
        let r = try run([ladingBinary, "verify", "oci-archive:\(dir.path)/x.tar"])
        #expect(r.status == 1)
        #expect((r.out + r.err).contains("media type application/vnd.oci.image.layer.v1.tar names none but the bytes are gzip"), "\(r.out)\(r.err)")
    }
}
