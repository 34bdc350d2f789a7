import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// gzip input with bytes after its data: kept as is, docker's, skopeo's and umoci's gzip
/// reader refused the layer ("gzip: invalid header") while lading's own verify passed it.
@Suite struct ImportTrailingDataTests {
    @Test(arguments: [Array("garbage\n".utf8), [UInt8](repeating: 0, count: 4096)])
    func trailingBytesAreNotKept(_ tail: [UInt8]) throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let input = dir.path + "/tail.tar.gz"
        try Data(Array(try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/rootfs.tar.gz"))) + tail).write(to: URL(fileURLWithPath: input))
        _ = try service.importTarball(path: input, options: ImportOptions(reference: "import.example/tail:1"))
        let d = try service.details(of: try service.resolve("import.example/tail:1"))
        #expect(d.config.rootfs.diffIDs.map(\.description) == [ImportTests.rootfsDiffID])
        #expect(d.manifest.layers.map(\.mediaType) == [MediaType.ociLayerGzip])
        let blob = Array(try Data(contentsOf: URL(fileURLWithPath: service.layout.blobPath(try #require(d.manifest.layers.first).digest))))
        #expect(Array(blob.suffix(tail.count)) != tail)
        let bundle = dir.path + "/bundle"
        let r = try run(["umoci", "unpack", "--image", "\(service.layout.root):1", bundle])
        #expect(r.status == 0, "\(r.err)")
        #expect(try String(contentsOfFile: bundle + "/rootfs/etc/motd", encoding: .utf8) == "Welcome\n")
    }
}
