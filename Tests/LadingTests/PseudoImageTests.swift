import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// Pseudo-images (signatures, attestations, SBOMs, referrers tags): hidden by `images`,
/// shown by `images -a`, and tied to what they belong to by `tree` and `inspect`.
@Suite struct PseudoImageTests {
    static let v2 = "sha256:c72678f805ee1363ae6f4d68530b67834188e419de97d8c8a5441b4ea1743e42"

    /// The corpus layout (`base`, `v2`) with a cosign signature and SBOM of `v2` under
    /// cosign's tags `sha256-<hex>.sig` and `.sbom`, as `cosign save` lays them out.
    static func cosignLayout(in dir: String) throws -> String {
        let root = dir + "/cosign"
        try FileManager.default.copyItem(atPath: "\(corpus)/layout", toPath: root)
        func put(_ text: String) throws -> (digest: String, size: Int) {
            let bytes = Array(text.utf8)
            let d = Digest.sha256(of: bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/blobs/sha256/\(d.encoded)"))
            return (d.description, bytes.count)
        }
        var entries: [String] = []
        for (suffix, layerType, payload) in [("sig", "application/vnd.dev.cosign.simplesigning.v1+json", #"{"critical":{"image":{"docker-manifest-digest":"\#(v2)"}}}"#),
                                            ("sbom", "text/spdx+json", #"{"spdxVersion":"SPDX-2.3"}"#),
                                            ("att", "application/vnd.dsse.envelope.v1+json", #"{"payloadType":"application/vnd.in-toto+json"}"#)] {
            let layer = try put(payload)
            let config = try put(#"{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":["\#(layer.digest)"]}}"#)
            let manifest = try put(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":\#(config.size),"digest":"\#(config.digest)"},"layers":[{"mediaType":"\#(layerType)","size":\#(layer.size),"digest":"\#(layer.digest)"}]}"#)
            entries.append(#"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(manifest.digest)","size":\#(manifest.size),"annotations":{"org.opencontainers.image.ref.name":"sha256-\#(v2.dropFirst(7)).\#(suffix)"}}"#)
        }
        let index = try String(contentsOfFile: root + "/index.json", encoding: .utf8)
        let end = try #require(index.range(of: "]}", options: .backwards))
        try (index[..<end.lowerBound] + "," + entries.joined(separator: ",") + "]}").write(toFile: root + "/index.json", atomically: true, encoding: .utf8)
        return root
    }

    static func rows(_ out: String) -> [String] {
        out.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }
    }

    @Test func imagesHidesCosignTagsAndAllShowsThem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try Self.cosignLayout(in: dir.path)
        let store = dir.path + "/store"
        let load = try run([ladingBinary, "load", "-q", "--store", store, "--base-name", "example.com/app", "-i", layout])
        try #require(load.status == 0, "\(load.err)")
        let hex = Self.v2.dropFirst(7)
        #expect(Self.rows(try run([ladingBinary, "images", "--store", store]).out).sorted() == ["example.com/app base", "example.com/app v2"])
        #expect(Self.rows(try run([ladingBinary, "images", "-a", "--store", store]).out).sorted() == [
            "example.com/app base", "example.com/app sha256-\(hex).att", "example.com/app sha256-\(hex).sbom", "example.com/app sha256-\(hex).sig", "example.com/app v2",
        ])
        // tree: the signature and the SBOM under the image they belong to, in the store
        // and in the layout read in place.
        var refs: [[String: Any]] = []
        for address in ["example.com/app:v2", "oci:\(layout):v2"] {
            let t = try run([ladingBinary, "tree", "--format", "json", "--store", store, address])
            #expect(t.status == 0, "\(t.err)")
            let top = try #require(try InspectAddressTests.json(t.out).first)
            refs = try #require(top["referrers"] as? [[String: Any]], "\(t.out)")
            #expect(refs.map { $0["kind"] as? String } == ["signature", "sbom", "attestation"])
            #expect(refs.map { ($0["names"] as? [String])?.first } == ["sha256-\(hex).sig", "sha256-\(hex).sbom", "sha256-\(hex).att"])
            #expect(refs.map { $0["subject"] as? String } == [Self.v2, Self.v2, Self.v2])
        }
        // The text tree: the referrers under the image; a signature alone says whose it is.
        let text = try run([ladingBinary, "tree", "--store", store, "example.com/app:v2"]).out.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(text == [
            "IMAGE ID SIZE KIND", "example.com/app:v2 c72678f805ee 503B image",
            "├─ sha256-\(hex).sig \(try #require(refs[0]["digest"] as? String).dropFirst(7).prefix(12)) \(refs[0]["size"] as! Int)B signature",
            "├─ sha256-\(hex).sbom \(try #require(refs[1]["digest"] as? String).dropFirst(7).prefix(12)) \(refs[1]["size"] as! Int)B sbom",
            "└─ sha256-\(hex).att \(try #require(refs[2]["digest"] as? String).dropFirst(7).prefix(12)) \(refs[2]["size"] as! Int)B attestation",
        ])
        let alone = try run([ladingBinary, "tree", "--store", store, "example.com/app:sha256-\(hex).sig"]).out
        #expect(alone.split(separator: "\n").last?.hasPrefix("example.com/app:sha256-\(hex).sig → c72678f805ee ") == true, "\(alone)")
        // inspect of the signature says what it belongs to.
        let i = try run([ladingBinary, "inspect", "--store", store, "example.com/app:sha256-\(hex).sig"])
        let obj = try #require(try InspectAddressTests.json(i.out).first, "\(i.err)")
        #expect(obj["Kind"] as? String == "signature")
        #expect(obj["Subject"] as? String == Self.v2)
    }

    /// notation's layout: the signature (an artifact with a subject) and the referrers
    /// tag index are hidden; the signed artifact `v1` is listed.
    @Test func imagesHidesNotarySignatures() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let load = try run([ladingBinary, "load", "-q", "--store", store, "--base-name", "example.com/signed", "-i", "\(publicData)/notation/e2e-valid-signature"])
        try #require(load.status == 0, "\(load.err)")
        #expect(Self.rows(try run([ladingBinary, "images", "--store", store]).out) == ["example.com/signed v1"])
        #expect(Self.rows(try run([ladingBinary, "images", "-a", "--store", store]).out).sorted() == [
            "<none> <none>", "example.com/signed sha256-b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9", "example.com/signed v1",
        ])
        let i = try run([ladingBinary, "inspect", "--store", store, "sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f"])
        let obj = try #require(try InspectAddressTests.json(i.out).first, "\(i.err)")
        #expect(obj["Kind"] as? String == "signature")
        #expect(obj["Subject"] as? String == "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9")
        #expect(obj["ArtifactType"] as? String == "application/vnd.cncf.notary.signature")
    }

    /// Referrers tags: `sha256-<64 hex>` and cosign's `.sig`, `.att`, `.sbom`; nothing else.
    @Test func referrerTags() throws {
        let hex = String(Self.v2.dropFirst(7))
        #expect(ImageReader.referredDigest(ofTag: "sha256-\(hex).sig")?.digest.description == Self.v2)
        #expect(ImageReader.referredDigest(ofTag: "sha256-\(hex).att")?.kind == "att")
        #expect(ImageReader.referredDigest(ofTag: "sha256-\(hex).sbom")?.kind == "sbom")
        #expect(ImageReader.referredDigest(ofTag: "sha256-\(hex)")?.kind == nil)
        #expect(ImageReader.isReferrerTag("sha256-\(hex)"))
        for tag in ["sha256-\(hex).sigx", "sha256-\(hex.dropLast())", "sha256-\(hex.uppercased())", "sha512-\(hex)", "v2", "sha256-", "sha256-\(hex)0"] {
            #expect(!ImageReader.isReferrerTag(tag), "\(tag)")
        }
    }

    /// BuildKit's attestations are never images of their own: `images` shows the index once.
    @Test func attestationsAreNotListed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        try #require(try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(publicData)/apple-containerization/scratch.tar"]).status == 0)
        #expect(Self.rows(try run([ladingBinary, "images", "--store", store]).out) == ["registry.local/integration-tests/scratch latest"])
        #expect(Self.rows(try run([ladingBinary, "images", "-a", "--store", store]).out) == ["registry.local/integration-tests/scratch latest"])
    }
}
