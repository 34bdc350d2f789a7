import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// One compressor for every command: the same tar stream, compression and level give the
/// same layer blob whether `import` or `copy --compression` wrote it.
@Suite struct OneEncoderTests {
    @Test(arguments: [("zstd", "gzip"), ("gzip", "zstd"), ("zstd", "none")])
    func importAndCopyWriteTheSameBytes(target: String, other: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = dir.path + "/s"
        let src = "\(corpus)/rootfs.tar"
        // Straight from the tar stream into `target`.
        var r = try run([ladingBinary, "import", "--store", s, "--compression", target, "--compression-level", "5", src, "direct.example/d:1"])
        #expect(r.status == 0, "\(r.err)")
        // Through another compression, then re-encoded into `target` by copy.
        r = try run([ladingBinary, "import", "--store", s, "--compression", other, src, "via.example/v:1"])
        #expect(r.status == 0, "\(r.err)")
        let out = dir.path + "/out"
        r = try run([ladingBinary, "copy", "--store", s, "--compression", target, "--compression-level", "5", "store:via.example/v:1", "oci:\(out):v"])
        #expect(r.status == 0, "\(r.err)")
        let service = try ImageService(storePath: s)
        let direct = try service.details(of: try service.resolve("direct.example/d:1")).manifest.layers
        let copied = try ImageService(storePath: out).details(of: try #require(try ImageService(storePath: out).images().first)).manifest.layers
        #expect(direct.count == 1 && copied.count == 1)
        #expect(direct.map(\.digest) == copied.map(\.digest), "\(target) from import and from copy differ")
        #expect(direct.map(\.mediaType) == [MediaType.ociLayer(MediaType.LayerCompression(rawValue: target)!)])
    }
}
