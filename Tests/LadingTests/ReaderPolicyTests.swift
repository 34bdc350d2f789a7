import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// load, copy and unpack apply the validator's findings with `ReaderPolicy`: refused, or
/// read with a warning where docker and containerd read the document.
@Suite struct ReaderPolicyTests {
    static func named(_ d: String, _ ref: String) -> String {
        String(d.dropLast()) + #","annotations":{"org.opencontainers.image.ref.name":"\#(ref)"}}"#
    }
    static func image(config: String, layerMediaType: String = MediaType.ociLayer) -> (manifest: [UInt8], blobs: [[UInt8]]) {
        let layer = [UInt8](repeating: 0, count: 1024)
        let cfg = Array(config.replacingOccurrences(of: "DIFFID", with: Digest.sha256(of: layer).description).utf8)
        let m = Array(#"{"schemaVersion":2,"mediaType":"\#(MediaType.ociManifest)","config":\#(MiniLayout.descriptor(MediaType.ociConfig, cfg)),"layers":[\#(MiniLayout.descriptor(layerMediaType, layer))]}"#.utf8)
        return (m, [layer, cfg, m])
    }
    static let goodConfig = #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["DIFFID"]}}"#

    /// The OCI 1.1-rc artifact manifest: its `blobs` are copied with it, and verify
    /// reads them (they were left behind, and the result called clean).
    @Test func anArtifactManifestTravelsWithItsBlobs() throws {
        let b1 = Array("payload one".utf8), b2 = Array("payload two".utf8)
        let art = Array(#"{"mediaType":"\#(MediaType.ociArtifactManifest)","artifactType":"application/vnd.example.sbom","blobs":[\#(MiniLayout.descriptor("text/plain", b1)),\#(MiniLayout.descriptor("text/plain", b2))]}"#.utf8)
        let l = try MiniLayout(index: MiniLayout.index([Self.named(MiniLayout.descriptor(MediaType.ociArtifactManifest, art), "sbom")]), blobs: [b1, b2, art])
        defer { l.dir.remove() }
        let store = l.dir.path + "/store"
        let r = try run([ladingBinary, "copy", "--store", store, "oci:\(l.path):sbom", "store:art:1"])
        #expect(r.status == 0, "\(r.err)")
        for b in [b1, b2, art] { #expect(FileManager.default.fileExists(atPath: store + "/" + Digest.sha256(of: b).blobPath)) }
        let v = try run([ladingBinary, "verify", "--store", store, "store"])
        #expect(v.out == "store: OK (3 blobs checked)\n", "\(v.out)")
        // A blob of it missing in the source is an error, not a partial copy.
        try FileManager.default.removeItem(atPath: l.path + "/" + Digest.sha256(of: b2).blobPath)
        let partial = try run([ladingBinary, "copy", "--store", store, "oci:\(l.path):sbom", "store:art:2"])
        #expect(partial.status == 1)
        #expect(partial.err.contains("blob \(Digest.sha256(of: b2)) (index.json manifests[0] > blobs[1]) is not in the layout"), "\(partial.err)")
    }

    /// A manifest type the walk does not know is never copied in part: refused, named.
    @Test func aManifestTypeThatCannotBeWalkedIsRefused() throws {
        let s1 = Array(#"{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}"#.utf8)
        let l = try MiniLayout(index: MiniLayout.index([Self.named(MiniLayout.descriptor(MediaType.schema1Signed, s1), "old")]), blobs: [s1])
        defer { l.dir.remove() }
        let store = l.dir.path + "/store"
        for dest in ["store:old:1", "oci:\(l.dir.path)/out"] {
            let r = try run([ladingBinary, "copy", "--store", store, "oci:\(l.path):old", dest])
            #expect(r.status == 1)
            #expect(r.err == "Error: \(l.path): index.json manifests[0]: \(Digest.sha256(of: s1)) has media type \(MediaType.schema1Signed), a manifest type lading cannot walk (its children would be left behind)\n")
        }
        #expect(!FileManager.default.fileExists(atPath: l.dir.path + "/out/index.json"))
        let v = try run([ladingBinary, "verify", "oci:" + l.path])
        // image-index.md: an unknown type is no error; verify warns it cannot check below.
        #expect(v.status == 0 && v.out.hasPrefix("warning: ") && v.out.contains("[manifest.known: image-index.md \"Image Index Property Descriptions\"]"), "\(v.out)")
    }

    /// containers/image refuses an entry whose media type is not one (RFC 6838); a nested
    /// index's child typed `invalid` was loaded without a word.
    @Test func anInvalidMediaTypeIsRefused() throws {
        let (m, blobs) = Self.image(config: Self.goodConfig)
        let child = MiniLayout.descriptor("invalid", m)
        let nested = Array(MiniLayout.index([child]).utf8)
        let l = try MiniLayout(index: MiniLayout.index([Self.named(MiniLayout.descriptor(MediaType.ociIndex, nested), "nested")]), blobs: blobs + [nested])
        defer { l.dir.remove() }
        let r = try run([ladingBinary, "copy", "--store", l.dir.path + "/store", "oci:\(l.path):nested", "store:n:1"])
        #expect(r.status == 1)
        #expect(r.err == "Error: \(l.path): index \(Digest.sha256(of: nested)) (index.json manifests[0]): manifests[0].mediaType: \"invalid\" is not a valid media type (RFC 6838) [descriptor.mediaType: descriptor.md \"Properties\"]\n")
    }

    /// An `index.json` entry typed `invalid`: refused by copy as by skopeo (the oracle),
    /// and reported by verify under its rule.
    @Test func anInvalidTopLevelMediaTypeIsRefusedAsSkopeoDoes() throws {
        let (m, blobs) = Self.image(config: Self.goodConfig)
        let l = try MiniLayout(index: MiniLayout.index([Self.named(MiniLayout.descriptor("invalid", m), "x")]), blobs: blobs)
        defer { l.dir.remove() }
        let r = try run([ladingBinary, "copy", "oci:\(l.path):x", "oci:\(l.dir.path)/out:x"])
        #expect(r.status == 1)
        #expect(r.err == "Error: \(l.path): index.json manifests[0].mediaType: \"invalid\" is not a valid media type (RFC 6838) [descriptor.mediaType: descriptor.md \"Properties\"]\n")
        #expect(!FileManager.default.fileExists(atPath: l.dir.path + "/out"))
        let skopeo = try run(["skopeo", "copy", "oci:\(l.path):x", "dir:\(l.dir.path)/skopeo"])
        #expect(skopeo.status != 0, "\(skopeo.err)")
        let v = try run([ladingBinary, "verify", "oci:" + l.path])
        #expect(v.status == 1 && v.out.hasPrefix("error: (index.json): manifests[0].mediaType: \"invalid\" is not a valid media type (RFC 6838) [descriptor.mediaType"), "\(v.out)")
    }

    /// docker and containerd read a config with extra fields, and pass an Env entry
    /// without `=` on: loaded (with a warning for the entry); a number in Env, which
    /// their JSON decoding refuses, is refused.
    @Test func configsAreReadAsDockerReadsThem() throws {
        let extra = #"{"architecture":"amd64","os":"linux","x-vendor":{"a":1},"config":{"Env":["foo"],"Custom":true},"rootfs":{"type":"layers","diff_ids":["DIFFID"]}}"#
        let (m, blobs) = Self.image(config: extra)
        let l = try MiniLayout(index: MiniLayout.index([Self.named(MiniLayout.descriptor(MediaType.ociManifest, m), "x")]), blobs: blobs)
        defer { l.dir.remove() }
        let r = try run([ladingBinary, "load", "--store", l.dir.path + "/store", "-i", l.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.hasPrefix("Warning: \(l.path): config \(Digest.sha256(of: blobs[1])): config.Env[0]: \"foo\" is not VARNAME=VARVALUE [config.env: config.md \"Properties\"]"), "\(r.err)")
        let copied = try run([ladingBinary, "copy", "--store", l.dir.path + "/store", "oci:\(l.path):x", "store:x:2"])
        #expect(copied.status == 0)
        #expect(copied.err == "Warning: \(l.path): config \(Digest.sha256(of: blobs[1])): config.Env[0]: \"foo\" is not VARNAME=VARVALUE [config.env: config.md \"Properties\"]\n")
        let (m2, blobs2) = Self.image(config: #"{"architecture":"amd64","os":"linux","config":{"Env":[7353]},"rootfs":{"type":"layers","diff_ids":["DIFFID"]}}"#)
        let l2 = try MiniLayout(index: MiniLayout.index([Self.named(MiniLayout.descriptor(MediaType.ociManifest, m2), "x")]), blobs: blobs2)
        defer { l2.dir.remove() }
        let bad = try run([ladingBinary, "copy", "--store", l2.dir.path + "/store", "oci:\(l2.path):x", "store:x:1"])
        #expect(bad.status == 1)
        #expect(bad.err.hasSuffix("config.Env[0]: is integer, expected string [config.field: config.md \"Properties\"]\n"), "\(bad.err)")
    }

    /// config.md: "implementations MUST generate an error if they encounter an unknown
    /// value while verifying or unpacking": a store holding such an image (written by
    /// another tool) is not unpacked, and nothing is created.
    @Test func unpackRefusesAnUnknownRootfsType() throws {
        let (m, blobs) = Self.image(config: #"{"architecture":"amd64","os":"linux","rootfs":{"type":"zfs","diff_ids":["DIFFID"]}}"#)
        let entry = String(MiniLayout.descriptor(MediaType.ociManifest, m).dropLast()) + #","annotations":{"io.containerd.image.name":"docker.io/library/zfs:1","org.opencontainers.image.ref.name":"1"}}"#
        let l = try MiniLayout(index: MiniLayout.index([entry]), blobs: blobs)
        defer { l.dir.remove() }
        let out = l.dir.path + "/out"
        let r = try run([ladingBinary, "unpack", "--store", l.path, "zfs:1", out])
        #expect(r.status == 1)
        #expect(r.err == "Error: unpack: zfs:1: config \(Digest.sha256(of: blobs[1])): rootfs.type: is \"zfs\", expected \"layers\" [config.rootfs.type: config.md \"Properties\"]\n")
        #expect(!FileManager.default.fileExists(atPath: out))
        let v = try run([ladingBinary, "verify", "oci:" + l.path])
        #expect(v.status == 1 && v.out.contains("[config.rootfs.type: config.md \"Properties\"]"))
    }
}
