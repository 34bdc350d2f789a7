import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// The smallest OCI layout around one document: `oci-layout`, `index.json` and the blobs
/// given, written as they are (nothing is re-encoded).
struct MiniLayout {
    let dir: TemporaryDirectory
    var path: String { dir.path + "/layout" }

    init(index: String, blobs: [[UInt8]] = [], header: String? = #"{"imageLayoutVersion":"1.0.0"}"#) throws {
        dir = try TemporaryDirectory("lading-spec")
        try FileManager.default.createDirectory(atPath: path + "/blobs/sha256", withIntermediateDirectories: true)
        if let header { try Data(header.utf8).write(to: URL(fileURLWithPath: path + "/oci-layout")) }
        try Data(index.utf8).write(to: URL(fileURLWithPath: path + "/index.json"))
        for b in blobs { try Data(b).write(to: URL(fileURLWithPath: path + "/" + Digest.sha256(of: b).blobPath)) }
    }

    static func descriptor(_ mediaType: String, _ bytes: [UInt8]) -> String {
        #"{"mediaType":"\#(mediaType)","digest":"\#(Digest.sha256(of: bytes))","size":\#(bytes.count)}"#
    }
    static func index(_ descriptors: [String]) -> String {
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(descriptors.joined(separator: ","))]}"#
    }

    /// A layout in which `text`, a document of `kind`, is the only thing at fault: a
    /// manifest or index is named by `index.json`; a config by a manifest listing as
    /// many layers as it has diff IDs (their blobs absent); a descriptor is an entry of
    /// `index.json` (with its blob when its `data` gives it); a layout header is `oci-layout`.
    static func around(_ kind: String, _ text: String) throws -> MiniLayout {
        let bytes = Array(text.utf8)
        switch kind {
        case "manifest":
            return try MiniLayout(index: index([descriptor(MediaType.ociManifest, bytes)]), blobs: [bytes])
        case "index":
            let t = (JSONValue.parse(bytes)?["mediaType"]?.string).flatMap { MediaType.isIndex($0) ? $0 : nil } ?? MediaType.ociIndex
            return try MiniLayout(index: index([descriptor(t, bytes)]), blobs: [bytes])
        case "config":
            // As many layers as diff IDs, and at least one (a manifest needs one).
            let ids = max(1, JSONValue.parse(bytes)?["rootfs"]?["diff_ids"]?.array?.count ?? 0)
            let layers = (0..<ids).map { descriptor(MediaType.ociLayer, Array("absent layer \($0)".utf8)) }
            let m = Array(#"{"schemaVersion":2,"mediaType":"\#(MediaType.ociManifest)","config":\#(descriptor(MediaType.ociConfig, bytes)),"layers":[\#(layers.joined(separator: ","))]}"#.utf8)
            return try MiniLayout(index: index([descriptor(MediaType.ociManifest, m)]), blobs: [bytes, m])
        case "descriptor":
            let data = (JSONValue.parse(bytes)?["data"]?.string).flatMap { Data(base64Encoded: $0) }.map { [Array($0)] } ?? []
            return try MiniLayout(index: index([text]), blobs: data)
        default:
            return try MiniLayout(index: index([]), header: text)
        }
    }
}

/// The findings that say the document is invalid: errors other than a referenced blob
/// being absent (the fixtures reference blobs they do not include).
func invalidity(_ r: VerifyReport) -> [Finding] {
    r.findings.filter { $0.severity == .error && $0.rule != Rules.layoutBlobMissing }
}

@Suite struct SpecConformanceTests {
    struct Fixture: Decodable, Sendable, CustomTestStringConvertible {
        let kind: String, test: String, line: Int, fail: Bool, comment: String, text: String
        var testDescription: String { "\(test):\(line) \(comment.prefix(60))" }
    }
    static let fixtures: [Fixture] = {
        struct File: Decodable { let fixtures: [Fixture] }
        let path = "\(publicData)/image-spec/schema-fixtures.json"
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return (try? JSONDecoder().decode(File.self, from: data))?.fixtures ?? []
    }()

    @Test func all48FixturesAreRead() throws {
        try Fixtures.require("\(publicData)/image-spec/schema-fixtures.json")
        #expect(Self.fixtures.count == 48)
        #expect(Self.fixtures.filter(\.fail).count == 26)
    }

    /// image-spec schema/*_test.go: each document wrapped in the smallest layout gets the
    /// upstream verdict, every error is tied to a rule, and what is at fault is the
    /// document under test.
    @Test(arguments: fixtures)
    func schemaFixtureVerdict(_ f: Fixture) throws {
        let layout = try MiniLayout.around(f.kind, f.text)
        defer { layout.dir.remove() }
        let r = Verifier.verify(target: "oci:" + layout.path, storePath: "/nonexistent")
        let bad = invalidity(r)
        #expect(!bad.isEmpty == f.fail, "\(f.comment): \(r.findings.map(\.description))")
        #expect(r.findings.filter { $0.severity == .error }.allSatisfy { $0.rule != nil }, "\(r.findings.map(\.description))")
        let doc = Digest.sha256(of: Array(f.text.utf8))
        for e in bad {
            switch f.kind {
            case "descriptor": #expect(e.path == "index.json", "\(e)")
            case "layout": #expect(e.path.hasSuffix("oci-layout") || e.rule == Rules.layoutFile, "\(e)")
            default: #expect(e.blob == doc, "\(e)")
            }
        }
    }
}
