import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// One case per MUST of image-layout.md, descriptor.md, manifest.md, image-index.md and
/// config.md (and the SHOULDs verify reports as warnings): a document wrapped as in
/// `SpecConformanceTests`, the rule expected, and the spec file and section it cites.
@Suite struct SpecRuleCaseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let cite: String, kind: String, text: String, rule: String, warning: Bool
        init(_ cite: String, _ kind: String, _ text: String, _ rule: String, warning: Bool = false) {
            (self.cite, self.kind, self.text, self.rule, self.warning) = (cite, kind, text, rule, warning)
        }
        var testDescription: String { "\(cite): \(rule)" }
    }

    static let sha = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"
    static func desc(_ extra: String = "", mediaType: String = MediaType.ociManifest, digest: String = sha, size: String = "7682") -> String {
        #"{"mediaType":"\#(mediaType)","digest":"\#(digest)","size":\#(size)\#(extra)}"#
    }
    static func manifest(config: String = desc(mediaType: MediaType.ociConfig), layers: String = "[\(desc(mediaType: MediaType.ociLayerGzip))]", extra: String = "", schemaVersion: String = "2", mediaType: String = #""mediaType":"application/vnd.oci.image.manifest.v1+json","#) -> String {
        #"{"schemaVersion":\#(schemaVersion),\#(mediaType)"config":\#(config),"layers":\#(layers)\#(extra)}"#
    }
    static func config(_ fields: String = "", os: String = #""os":"linux","#, arch: String = #""architecture":"amd64","#,
                       rootfs: String = #","rootfs":{"type":"layers","diff_ids":["sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"]}"#) -> String {
        "{\(os)\(arch)\"author\":\"a\"\(fields)\(rootfs)}"
    }

    static let cases: [Case] = [
        // descriptor.md
        Case("descriptor.md Properties: mediaType REQUIRED", "descriptor", #"{"digest":"\#(sha)","size":1}"#, "descriptor.mediaType"),
        Case("descriptor.md Properties: mediaType MUST comply with RFC 6838", "descriptor", desc(mediaType: ".foo/bar"), "descriptor.mediaType"),
        Case("descriptor.md Properties: digest REQUIRED", "descriptor", #"{"mediaType":"a/b","size":1}"#, "descriptor.digest"),
        Case("descriptor.md Digests: grammar", "descriptor", desc(digest: "sha256+:abc"), "descriptor.digest"),
        Case("descriptor.md Registered algorithms: sha256 MUST be 64 lowercase hex", "descriptor", desc(digest: "sha256:abc"), "descriptor.digest.registered"),
        Case("descriptor.md Registered algorithms: sha512 MUST be 128 lowercase hex", "descriptor", desc(digest: "sha512:abc"), "descriptor.digest.registered"),
        Case("descriptor.md Registered algorithms: blake3 MUST be 64 lowercase hex", "descriptor", desc(digest: "blake3:ABC"), "descriptor.digest.registered"),
        Case("descriptor.md Properties: urls SHOULD be http or https (warning)", "descriptor", desc(#","urls":["ftp://example.com/x"]"#), "descriptor.urls.scheme", warning: true),
        Case("annotations.md Rules: keys MUST be unique", "index", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"a":"1","a":"2"}}"#, "descriptor.annotations"),
        Case("annotations.md Rules: absent or an empty map, never null", "descriptor", desc(#","annotations":null"#), "annotations.null"),
        Case("descriptor.md Properties: size REQUIRED int64", "descriptor", desc(size: "\"7682\""), "descriptor.size"),
        Case("descriptor.md Properties: size not negative", "descriptor", desc(size: "-1"), "descriptor.size"),
        Case("descriptor.md Properties: urls MUST conform to RFC 3986", "descriptor", desc(#","urls":["not a uri"]"#), "descriptor.urls"),
        Case("descriptor.md Properties: artifactType MUST comply with RFC 6838", "descriptor", desc(#","artifactType":"foo/.bar""#), "descriptor.artifactType"),
        Case("descriptor.md Embedded Content: data MUST be base64", "descriptor", desc(#","data":"!!""#), "descriptor.data"),
        Case("descriptor.md Embedded Content: data MUST match digest and size", "descriptor", desc(#","data":"aGVsbG8=""#, mediaType: "text/plain", size: "5"), "descriptor.data"),
        Case("annotations.md Rules: annotations MUST be a map of strings", "descriptor", desc(#","annotations":{"a":1}"#), "descriptor.annotations"),
        Case("descriptor.md Verification: an unregistered algorithm cannot be verified (warning)", "descriptor", desc(digest: "sha256+b64:abc"), "descriptor.digest.verify", warning: true),
        // image-index.md
        Case("image-index.md schemaVersion MUST be 2", "index", #"{"schemaVersion":1,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#, "index.schemaVersion"),
        Case("image-index.md mediaType MUST be the index type when used", "index", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}"#, "index.mediaType"),
        Case("image-index.md manifests REQUIRED", "index", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}"#, "index.manifests"),
        Case("image-index.md platform: architecture REQUIRED", "index", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(desc(#","platform":{"os":"linux"}"#))]}"#, "descriptor.platform"),
        Case("image-index.md platform: os REQUIRED", "index", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(desc(#","platform":{"architecture":"amd64"}"#))]}"#, "descriptor.platform"),
        Case("image-index.md manifests, descriptor.md Properties: a child's mediaType", "index", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(desc(mediaType: "invalid"))]}"#, "descriptor.mediaType"),
        // manifest.md
        Case("manifest.md schemaVersion MUST be 2", "manifest", manifest(schemaVersion: "3"), "manifest.schemaVersion"),
        Case("manifest.md mediaType MUST be the manifest type when used", "manifest", manifest(mediaType: #""mediaType":"application/vnd.oci.image.index.v1+json","#), "manifest.mediaType"),
        Case("manifest.md artifactType, descriptor.md Properties: RFC 6838", "manifest", manifest(extra: #","artifactType":"foo/.bar""#), "descriptor.artifactType"),
        Case("manifest.md annotations, annotations.md Rules: strings", "manifest", manifest(extra: #","annotations":{"a":["b"]}"#), "descriptor.annotations"),
        Case("manifest.md config REQUIRED", "manifest", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#, "manifest.config"),
        Case("manifest.md layers REQUIRED", "manifest", #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(desc(mediaType: MediaType.ociConfig))}"#, "manifest.layers"),
        Case("manifest.md layers: at least one entry (image-manifest-schema.json minItems 1)", "manifest", manifest(layers: "[]"), "manifest.layers.one"),
        Case("manifest.md artifactType MUST be set with the empty config", "manifest", manifest(config: desc(mediaType: MediaType.ociEmpty, digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: "2")), "manifest.artifactType"),
        Case("manifest.md config, descriptor.md Properties: config's mediaType", "manifest", manifest(config: desc(mediaType: "invalid")), "descriptor.mediaType"),
        Case("manifest.md subject, descriptor.md Digests: subject's digest", "manifest", manifest(extra: #","subject":{"mediaType":"a/b","size":1}"#), "descriptor.digest"),
        // config.md
        Case("config.md architecture REQUIRED", "config", config(arch: ""), "config.required"),
        Case("config.md os REQUIRED", "config", config(os: ""), "config.required"),
        Case("config.md os string", "config", config(os: #""os":123,"#), "config.required"),
        Case("config.md rootfs REQUIRED", "config", config(rootfs: ""), "config.required"),
        Case("config.md rootfs.type MUST be layers", "config", config(rootfs: #","rootfs":{"type":"zfs","diff_ids":["sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"]}"#), "config.rootfs.type"),
        Case("config.md rootfs.diff_ids, descriptor.md Digests: each a digest", "config", config(rootfs: #","rootfs":{"type":"layers","diff_ids":["xyz"]}"#), "descriptor.digest"),
        Case("config.md os.features array of strings", "config", config(#","os.features":"sse4""#), "config.field"),
        Case("config.md variant string", "config", config(#","variant":8"#), "config.field"),
        Case("config.md created RFC 3339", "config", config(#","created":"yesterday""#), "config.created"),
        Case("config.md config.User string", "config", config(#","config":{"User":0}"#), "config.field"),
        Case("config.md config.Env VARNAME=VARVALUE", "config", config(#","config":{"Env":["foo"]}"#), "config.env"),
        Case("config.md config.Env strings", "config", config(#","config":{"Env":[7353]}"#), "config.field"),
        Case("config.md config.Volumes object", "config", config(#","config":{"Volumes":["/data"]}"#), "config.field"),
        Case("config.md config.ExposedPorts object", "config", config(#","config":{"ExposedPorts":{"80/tcp":1}}"#), "config.field"),
        Case("config.md config.Labels strings", "config", config(#","config":{"Labels":{"a":true}}"#), "config.field"),
        Case("config.md history array", "config", config(#","history":"x""#), "config.field"),
        Case("config.md history SHOULD match diff IDs (warning)", "config", config(#","history":[{"empty_layer":true}]"#), "config.history", warning: true),
        // image-layout.md "oci-layout file"
        Case("image-layout.md oci-layout file: imageLayoutVersion REQUIRED", "layout", "{}", "layout.oci-layout"),
    ]

    @Test(arguments: cases)
    func ruleCase(_ c: Case) throws {
        let layout = try MiniLayout.around(c.kind, c.text)
        defer { layout.dir.remove() }
        let r = Verifier.verify(target: "oci:" + layout.path, storePath: "/nonexistent")
        let hit = r.findings.filter { $0.rule?.id == c.rule }
        #expect(!hit.isEmpty, "\(r.findings.map(\.description))")
        #expect(hit.allSatisfy { $0.severity == (c.warning ? .warning : .error) })
        #expect(c.cite.contains(hit.first?.rule?.file ?? "?"), "\(c.cite) vs \(hit.first?.rule?.citation ?? "")")
        if c.warning { #expect(invalidity(r).isEmpty, "\(r.findings.map(\.description))") }
    }
}

/// image-layout.md: the layout's own MUSTs, one case each.
@Suite struct LayoutRuleTests {
    func verify(_ l: MiniLayout) -> VerifyReport { Verifier.verify(target: "oci:" + l.path, storePath: "/nonexistent") }
    func rules(_ r: VerifyReport) -> [String] { r.findings.filter { $0.severity == .error }.compactMap(\.rule?.id) }
    let empty = MiniLayout.index([])

    @Test func ociLayoutFileMustExist() throws {  // image-layout.md "oci-layout file"
        let l = try MiniLayout(index: empty, header: nil)
        defer { l.dir.remove() }
        #expect(rules(verify(l)) == ["layout.oci-layout"])
    }

    @Test func indexJSONMustExistAndBeAnIndex() throws {  // image-layout.md "index.json file"
        let l = try MiniLayout(index: empty)
        defer { l.dir.remove() }
        try FileManager.default.removeItem(atPath: l.path + "/index.json")
        #expect(rules(verify(l)) == ["layout.index"])
        try FileManager.default.createDirectory(atPath: l.path + "/index.json", withIntermediateDirectories: false)
        #expect(verify(l).findings.map(\.description) == ["error: (index.json): index.json is missing or not a regular file [layout.index: image-layout.md \"index.json file\"]"])
        try FileManager.default.removeItem(atPath: l.path + "/index.json")
        try Data(#"{"schemaVersion":2,"config":{}}"#.utf8).write(to: URL(fileURLWithPath: l.path + "/index.json"))
        #expect(rules(verify(l)).contains("index.manifests"))
    }

    @Test func blobsMustBeADirectory() throws {  // image-layout.md "Content"
        let l = try MiniLayout(index: empty)
        defer { l.dir.remove() }
        try FileManager.default.removeItem(atPath: l.path + "/blobs")
        #expect(verify(l).findings.map(\.description) == ["error: (blobs): the blobs directory is missing [layout.blobs: image-layout.md \"Content\"]"])
        try Data("x".utf8).write(to: URL(fileURLWithPath: l.path + "/blobs"))
        #expect(verify(l).findings.map(\.description) == ["error: (blobs): blobs is not a directory [layout.blobs: image-layout.md \"Content\"]"])
    }

    @Test func blobNamesMustBeDigests() throws {  // image-layout.md "Blobs", descriptor.md "Digests"
        let l = try MiniLayout(index: empty)
        defer { l.dir.remove() }
        let upper = String(repeating: "AB", count: 32)
        for name in ["sha256/not-a-digest.tmp", "sha256/\(upper)", "SHA256/\(String(repeating: "ab", count: 32))"] {
            try FileManager.default.createDirectory(atPath: l.path + "/blobs/" + name.split(separator: "/")[0], withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: l.path + "/blobs/" + name))
        }
        let r = verify(l)
        #expect(rules(r) == ["layout.blob.name", "layout.blob.name", "layout.blob.name"], "\(r.findings.map(\.description))")
        #expect(Set(r.findings.map(\.path)) == ["blobs/SHA256/\(String(repeating: "ab", count: 32))", "blobs/sha256/\(upper)", "blobs/sha256/not-a-digest.tmp"])
    }

    @Test func everyBlobIsHashedOrphansToo() throws {  // image-layout.md "Blobs": content MUST match the digest
        let l = try MiniLayout(index: empty, blobs: [Array("orphan".utf8)])
        defer { l.dir.remove() }
        let good = Digest.sha256(of: Array("orphan".utf8))
        var r = verify(l)
        #expect(r.blobsChecked == 1)
        #expect(r.clean)
        let wrong = Digest.sha256(of: Array("other".utf8))
        try Data("not other".utf8).write(to: URL(fileURLWithPath: l.path + "/" + wrong.blobPath))
        r = verify(l)
        #expect(r.blobsChecked == 2)
        #expect(r.findings.filter { $0.severity == .error }.map(\.description) == [
            "error: \(wrong) (blobs/sha256/\(wrong.encoded)): content has digest \(Digest.sha256(of: Array("not other".utf8))), expected \(wrong) [layout.blob.content: image-layout.md \"Blobs\"]",
        ])
        #expect(r.findings.filter { $0.severity == .warning }.map(\.blob) == [good, wrong].sorted().map(Optional.some))
    }
}

/// One verdict for one layout, as a directory, an oci-archive, or a bare tar path; a
/// docker-archive's refusal names its rule too.
@Suite struct SameVerdictTests {
    func lines(_ target: String) throws -> (Int32, [String]) {
        let r = try run([ladingBinary, "verify", target])
        return (r.status, r.out.split(separator: "\n").dropLast().map(String.init))
    }

    @Test(arguments: [false, true])
    func aLayoutGetsOneVerdictWhateverCarriesIt(badName: Bool) throws {
        let l = try MiniLayout(index: MiniLayout.index([]))
        defer { l.dir.remove() }
        if badName { try Data("x".utf8).write(to: URL(fileURLWithPath: l.path + "/blobs/sha256/not-a-digest.tmp")) }
        let tar = l.dir.path + "/layout.tar"
        #expect(try run(["tar", "-C", l.path, "-cf", tar, "."]).status == 0)
        let dir = try lines("oci:" + l.path), archive = try lines("oci-archive:" + tar), bare = try lines(tar)
        #expect(dir.0 == (badName ? 1 : 0) && archive.0 == dir.0 && bare.0 == dir.0)
        #expect(dir.1 == archive.1 && dir.1 == bare.1, "\(dir.1)\n\(archive.1)\n\(bare.1)")
        #expect(dir.1 == (badName ? ["error: (blobs/sha256/not-a-digest.tmp): file name is not a digest (blobs/<alg>/<encoded>, descriptor.md \"Digests\") [layout.blob.name: image-layout.md \"Blobs\"]"] : []))
    }

    @Test func aDockerArchiveRefusalNamesItsRule() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layer = [UInt8](repeating: 0, count: 1024)
        try Data(layer).write(to: URL(fileURLWithPath: dir.path + "/l.tar"))
        try Data(#"{"architecture":"amd64","os":"linux","config":{"Env":[7353]},"rootfs":{"type":"layers","diff_ids":["\#(Digest.sha256(of: layer))"]}}"#.utf8).write(to: URL(fileURLWithPath: dir.path + "/c.json"))
        try Data(#"[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l.tar"]}]"#.utf8).write(to: URL(fileURLWithPath: dir.path + "/manifest.json"))
        let tar = dir.path + "/d.tar"
        #expect(try run(["tar", "-C", dir.path, "-cf", tar, "manifest.json", "c.json", "l.tar"]).status == 0)
        let r = try run([ladingBinary, "verify", "--format", "json", tar])
        #expect(r.status == 1)
        let findings = try #require((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]])?.first?["findings"] as? [[String: Any]])
        #expect(findings.map { $0["rule"] as? String } == ["config.field"])
        #expect(findings.first?["spec"] as? String == "config.md Properties")
    }
}
