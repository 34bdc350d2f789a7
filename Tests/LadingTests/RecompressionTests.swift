import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import Lading
import Testing
import TestSupport

/// `copy --compression`: each layer decompressed once, checked against its diff ID and
/// re-encoded in the same pass.
@Suite struct RecompressionTests {
    static let v2Manifest = "c72678f805ee1363ae6f4d68530b67834188e419de97d8c8a5441b4ea1743e42"
    static let layer1 = "sha256:7c9b3abcf23836412d64fc1ad1b04eb064f5e558ce0c9bd4050833ead2c3d370"
    static let layer1DiffID = "sha256:a8a0272c661e24eb0565ea7b1a50be38fa5da2ecbdd215f6ff41fd4ccb4be6c2"

    /// A copy of the corpus layout whose `v2` config names `wrong` as layer 1's diff ID
    /// (and, with `truncate`, whose layer 1 is cut to that many bytes, its descriptor
    /// updated to match).
    static func layoutWithWrongDiffID(in dir: String, wrong: String, truncate: Int? = nil) throws -> String {
        let root = dir + "/src"
        try FileManager.default.copyItem(atPath: "\(corpus)/layout", toPath: root)
        func blob(_ hex: String) -> String { "\(root)/blobs/sha256/\(hex)" }
        func put(_ bytes: Data) throws -> (String, Int) {
            let d = Digest.sha256(of: Array(bytes))
            try bytes.write(to: URL(fileURLWithPath: blob(d.encoded)))
            return (d.description, bytes.count)
        }
        let manifest = try String(contentsOfFile: blob(v2Manifest), encoding: .utf8)
        let configHex = try #require(manifest.firstMatch(of: /"config":\{[^}]*"digest":"sha256:([0-9a-f]{64})"/)).1
        let config = try String(contentsOfFile: blob(String(configHex)), encoding: .utf8)
        #expect(config.contains(layer1DiffID))
        let (cd, cs) = try put(Data(config.replacingOccurrences(of: layer1DiffID, with: wrong).utf8))
        var newManifest = manifest.replacingOccurrences(of: "sha256:\(configHex)", with: cd)
            .replacingOccurrences(of: "\"size\":\(config.utf8.count)}", with: "\"size\":\(cs)}")
        if let truncate {
            let layer = try Data(contentsOf: URL(fileURLWithPath: blob(String(layer1.dropFirst(7)))))
            let (ld, ls) = try put(layer.prefix(truncate))
            newManifest = newManifest.replacingOccurrences(of: "\"digest\":\"\(layer1)\",\"size\":\(layer.count)", with: "\"digest\":\"\(ld)\",\"size\":\(ls)")
        }
        let (md, ms) = try put(Data(newManifest.utf8))
        let index = #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(md)","size":\#(ms),"annotations":{"org.opencontainers.image.ref.name":"v2"}}]}"#
        try Data(index.utf8).write(to: URL(fileURLWithPath: root + "/index.json"))
        return root
    }

    @Test func aWrongDiffIDIsRefusedNamingTheLayerAndNothingIsInstalled() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let wrong = "sha256:" + String(repeating: "0", count: 64)
        let src = try Self.layoutWithWrongDiffID(in: dir.path, wrong: wrong)
        var o = CopyOptions()
        o.compression = .zstd
        let dst = dir.path + "/dst"
        let copier = ImageCopier(storePath: dir.path + "/store")
        #expect(throws: (any Error).self) { try copier.copy(from: try TransportAddress(parsing: "oci:\(src):v2"), to: .ociLayout(directory: dst, reference: "v2"), options: o) }
        do {
            try copier.copy(from: try TransportAddress(parsing: "oci:\(src):v2"), to: .ociLayout(directory: dst, reference: "v2"), options: o)
        } catch {
            #expect("\(error)".hasSuffix("layer 1 (\(Self.layer1)) has uncompressed digest \(Self.layer1DiffID) but the config's diff ID is \(wrong)"), "\(error)")
        }
        let blobs = (try? FileManager.default.contentsOfDirectory(atPath: dst + "/blobs/sha256")) ?? []
        #expect(blobs.isEmpty, "\(blobs)")
        let ingest = (try? FileManager.default.subpathsOfDirectory(atPath: dst + "/.ingest")) ?? []
        #expect(!ingest.contains { $0.hasSuffix(".blob") }, "\(ingest)")
        // The same source copied without recompression is refused alike.
        #expect(throws: (any Error).self) { try copier.copy(from: try TransportAddress(parsing: "oci:\(src):v2"), to: .ociLayout(directory: dst, reference: "v2")) }
    }

    @Test func recompressedLayersKeepTheirDiffIDsAndTheGzipBlobsAreNotKept() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var o = CopyOptions()
        o.compression = .zstd
        let dst = dir.path + "/dst"
        try ImageCopier(storePath: dir.path + "/store").copy(from: try TransportAddress(parsing: "oci:\(corpus)/layout:v2"),
                                                             to: .ociLayout(directory: dst, reference: "v2"), options: o)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: dst + "/blobs/sha256")
        #expect(!blobs.contains(String(Self.layer1.dropFirst(7))))
        #expect(try CopyTests.diffIDs(of: "oci:\(dst):v2", in: dir.path) == CopyTests.v2DiffIDs)
        let layout = try OCILayout(root: dst, create: false)
        let top = try #require(try layout.readIndex().manifests.first)
        let m = try JSON.decode(ImageManifest.self, from: try layout.readBlob(top.digest), what: "manifest")
        #expect(m.layers.map(\.mediaType) == [MediaType.ociLayerZstd, MediaType.ociLayerZstd])
        for l in m.layers {
            let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: layout.blobPath(l.digest))).readData(ofLength: 4)
            #expect(Array(head) == [0x28, 0xB5, 0x2F, 0xFD])
        }
    }

    @Test func fromTheStoreLayersAreReencodedKeepingTheirDiffIDs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let copier = ImageCopier(storePath: dir.path + "/store")
        try copier.copy(from: try TransportAddress(parsing: "oci:\(corpus)/layout:v2"), to: .store(name: "example.com/r/x:v2"))
        var o = CopyOptions()
        o.compression = .zstd
        let dst = dir.path + "/dst"
        try copier.copy(from: .store(name: "example.com/r/x:v2"), to: .ociLayout(directory: dst, reference: "v2"), options: o)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: dst + "/blobs/sha256")
        #expect(blobs.count == 4 && !blobs.contains(String(Self.layer1.dropFirst(7))), "\(blobs)")
        let r = Verifier.verify(layout: try OCILayout(root: dst, create: false), target: "dst")
        #expect(r.findings.isEmpty, "\(r.findings)")
        #expect(try CopyTests.diffIDs(of: "oci:\(dst):v2", in: dir.path) == CopyTests.v2DiffIDs)
    }

    @Test func aLayerThatDoesNotDecompressIsRefusedNamingIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try Self.layoutWithWrongDiffID(in: dir.path, wrong: Self.layer1DiffID, truncate: 200)
        let manifest = try String(contentsOfFile: "\(src)/index.json", encoding: .utf8)
        var o = CopyOptions()
        o.compression = .zstd
        do {
            try ImageCopier(storePath: dir.path + "/store").copy(from: try TransportAddress(parsing: "oci:\(src):v2"),
                                                                 to: .ociLayout(directory: dir.path + "/dst", reference: "v2"), options: o)
            Issue.record("copied a truncated layer")
        } catch {
            #expect("\(error)".contains("layers[1]) cannot be decompressed"), "\(error) \(manifest)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/dst"))
    }
}
