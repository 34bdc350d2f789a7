import Foundation
import ImageSpec
import Lading
import TarArchive
import Testing
import TestSupport

/// Crafted archives: each fails with a message naming the entry or digest at fault,
/// and the store stays byte-identical.
@Suite struct BadInputTests {
    /// A one-layer docker-save archive built from parts that a case may spoil.
    struct Parts {
        var layer: [UInt8]
        var config: [UInt8]
        var manifestJSON: (_ configName: String, _ layerName: String) -> String = { c, l in
            #"[{"Config":"\#(c)","RepoTags":["bad.example/img:1"],"Layers":["\#(l)"]}]"#
        }
        var extra: (TarBuilder) throws -> Void = { _ in }
        var layerName = "abc/layer.tar"

        static func make() throws -> Parts {
            let layer = try TarBuilder().file("hello", "hi\n").bytes()
            let diff = Digest.sha256(of: layer)
            let config = #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(diff)"]}}"#
            return Parts(layer: layer, config: Array(config.utf8))
        }

        func archive() throws -> [UInt8] {
            let cfgName = "\(Digest.sha256(of: config).encoded).json"
            let b = try TarBuilder()
            try b.file(cfgName, bytes: config)
            try b.file(layerName, bytes: layer)
            try extra(b)
            try b.file("manifest.json", manifestJSON(cfgName, layerName))
            return try b.bytes()
        }
    }

    static func expectRejected(_ bytes: [UInt8], _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/v2.skopeo.docker.tar")
        let before = snapshot(service.layout.root)
        let path = dir.path + "/bad.tar"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try service.load(path: path)
            Issue.record("loaded", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
            #expect("\(error)".hasPrefix(path), "names the file: \(error)", sourceLocation: sourceLocation)
        }
        #expect(snapshot(service.layout.root) == before, sourceLocation: sourceLocation)
        #expect(ingestLeftovers(service).isEmpty, sourceLocation: sourceLocation)
    }

    @Test func theWellFormedArchiveLoads() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let path = dir.path + "/good.tar"
        try Data(try Parts.make().archive()).write(to: URL(fileURLWithPath: path))
        #expect(try service.load(path: path).images.flatMap(\.names).map(\.description) == ["bad.example/img:1"])
    }

    @Test func layerNotMatchingItsDiffID() throws {
        var p = try Parts.make()
        p.layer = try TarBuilder().file("hello", "changed\n").bytes()
        try Self.expectRejected(try p.archive(), "layer 0 (abc/layer.tar) has uncompressed digest \(Digest.sha256(of: p.layer)) but the config's diff ID is")
    }

    @Test func layerCountDifferentFromDiffIDs() throws {
        var p = try Parts.make()
        p.manifestJSON = { c, l in #"[{"Config":"\#(c)","RepoTags":["bad.example/img:1"],"Layers":["\#(l)","\#(l)"]}]"# }
        try Self.expectRejected(try p.archive(), "manifest.json entry 0 has 2 layers but its config lists 1 diff IDs")
    }

    @Test func manifestPointingAtNothing() throws {
        var p = try Parts.make()
        p.manifestJSON = { c, _ in #"[{"Config":"\#(c)","RepoTags":["bad.example/img:1"],"Layers":["nowhere/layer.tar"]}]"# }
        try Self.expectRejected(try p.archive(), "manifest.json entry 0 layer 0: nowhere/layer.tar is not in the archive")
    }

    @Test func layerSymlinkLeavingTheArchive() throws {
        var p = try Parts.make()
        p.layerName = "real/layer.tar"
        p.manifestJSON = { c, _ in #"[{"Config":"\#(c)","RepoTags":["bad.example/img:1"],"Layers":["abc/layer.tar"]}]"# }
        p.extra = { b in try b.symlink("abc/layer.tar", to: "../../../etc/passwd") }
        try Self.expectRejected(try p.archive(), "link abc/layer.tar -> ../../../etc/passwd leaves the archive")
    }

    @Test func layerSymlinkLoop() throws {
        var p = try Parts.make()
        p.layerName = "real/layer.tar"
        p.manifestJSON = { c, _ in #"[{"Config":"\#(c)","RepoTags":["bad.example/img:1"],"Layers":["a/layer.tar"]}]"# }
        p.extra = { b in
            try b.symlink("a/layer.tar", to: "../b/layer.tar")
            try b.symlink("b/layer.tar", to: "../a/layer.tar")
        }
        try Self.expectRejected(try p.archive(), "a/layer.tar: too many levels of links (loop)")
    }

    @Test func invalidRepoTag() throws {
        var p = try Parts.make()
        p.manifestJSON = { c, l in #"[{"Config":"\#(c)","RepoTags":["Bad/Name:1"],"Layers":["\#(l)"]}]"# }
        try Self.expectRejected(try p.archive(), "manifest.json entry 0: invalid tag \"Bad/Name:1\"")
    }

    @Test func nullManifestsInAnOCIArchive() throws {
        let b = try TarBuilder()
        try b.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.file("index.json", #"{"schemaVersion":2,"manifests":null}"#)
        try Self.expectRejected(try b.bytes(), "index.json: index has no \"manifests\" array")
    }

    @Test func blobWhoseContentIsNotItsName() throws {
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let cd = Digest.sha256(of: config)
        let manifest = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(cd)","size":\#(config.count)},"layers":[]}"#
        let md = Digest.sha256(of: Array(manifest.utf8))
        let b = try TarBuilder()
        try b.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.file("index.json", #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(md)","size":\#(manifest.utf8.count)}]}"#)
        try b.file(md.blobPath, manifest)
        var spoiled = config
        spoiled[spoiled.count - 2] = UInt8(ascii: " ")
        try b.file(cd.blobPath, bytes: spoiled)
        try Self.expectRejected(try b.bytes(), "\(cd.blobPath) (index.json manifests[0] > config) has digest \(Digest.sha256(of: spoiled)), expected \(cd)")
    }

    @Test func descriptorSizeMismatch() throws {
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let cd = Digest.sha256(of: config)
        let manifest = #"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(cd)","size":5},"layers":[]}"#
        let md = Digest.sha256(of: Array(manifest.utf8))
        let b = try TarBuilder()
        try b.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.file("index.json", #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(md)","size":\#(manifest.utf8.count)}]}"#)
        try b.file(md.blobPath, manifest)
        try b.file(cd.blobPath, bytes: config)
        try Self.expectRejected(try b.bytes(), "blob \(cd) (index.json manifests[0] > config) is \(config.count) bytes, descriptor says 5")
    }

    @Test func notATarAtAll() throws {
        try Self.expectRejected(Array("this is not an archive\n".utf8) + [UInt8](repeating: 7, count: 2000), "not a tar archive")
    }

    @Test func truncatedGzipStream() throws {
        let gz = try TarBuilder(compression: .gzip).file("manifest.json", "[]").file("big", bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761) }).bytes()
        try Self.expectRejected(Array(gz.prefix(gz.count / 2)), "damaged or truncated")
    }

    @Test func emptyTarball() throws {
        try Self.expectRejected([UInt8](repeating: 0, count: 10240), "not an image archive (no oci-layout, index.json or manifest.json)")
    }

    @Test func unsupportedLayoutVersion() throws {
        let b = try TarBuilder()
        try b.file("oci-layout", #"{"imageLayoutVersion":"2.0.0"}"#)
        try b.file("index.json", #"{"schemaVersion":2,"manifests":[]}"#)
        try Self.expectRejected(try b.bytes(), "oci-layout: unsupported imageLayoutVersion 2.0.0")
    }

    @Test func oversizedManifestIsRefusedBeforeReading() throws {
        let big = "{\"schemaVersion\":2,\"pad\":\"" + String(repeating: "x", count: 5 << 20) + "\"}"
        let md = Digest.sha256(of: Array(big.utf8))
        let b = try TarBuilder()
        try b.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.file("index.json", #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(md)","size":\#(big.utf8.count)}]}"#)
        try b.file(md.blobPath, big)
        try Self.expectRejected(try b.bytes(), "over the limit of 4194304 bytes")
    }
}
