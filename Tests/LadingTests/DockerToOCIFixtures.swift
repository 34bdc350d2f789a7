import Foundation
import ImageLayout
import ImageSpec
import Testing
import TestSupport

/// Source layouts holding Docker schema 2 documents, and readers for copy results.
enum DockerToOCIFixtures {
    /// corpus v2.containerd.docker.tar: containerd's export of a docker-archive import.
    static let dockerV2Manifest = "sha256:291324df1c87c2c9886672b2e883ea43a7709468d856cd1638d88309a150053a"
    /// That manifest as OCI; the same bytes as the manifest load generates for v2.skopeo.docker.tar.
    static let ociV2Manifest = "sha256:2984e26d971ac4b9e8be83ad61ef21d25074e16156be51da99cbd17fb971d606"
    static let v2Config = "sha256:48c773f31d84d9c5c53fab0edcec0e30f2ae2535e5e21f99e827362c115a4e99"
    static let baseConfig = "sha256:f43fd8db70d63ccdb5cfda1e0491dc1c27f50a279e78f737a2605b6e39df49f1"
    /// The corpus layout's gzip layers (diff IDs `CopyTests.v2DiffIDs`).
    static let gzipLayers = [("sha256:497e75b7f1593c1c353aa4e47c629d7be976c083c32314115d29dec83d43b8d5", 1_084_500),
                             ("sha256:7c9b3abcf23836412d64fc1ad1b04eb064f5e558ce0c9bd4050833ead2c3d370", 481)]

    /// An OCI layout whose `index.json` names a Docker schema 2 manifest with two
    /// uncompressed `rootfs.diff.tar` layers, tagged `v2`: the corpus export, unpacked.
    static func dockerLayout(in dir: String) throws -> String {
        let root = dir + "/docker"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let r = try run(["tar", "-xf", "\(corpus)/v2.containerd.docker.tar", "-C", root])
        #expect(r.status == 0, "\(r.err)")
        return root
    }

    /// An OCI layout whose `index.json` names a Docker manifest list (`multi`) of two Docker
    /// manifests: linux/amd64 (`amd`: config v2, a `tar.gzip` layer with an annotation and a
    /// foreign `tar.gzip` layer with a URL, both blobs present) and linux/arm64 (`arm`: the
    /// base config with its architecture changed, one `tar.gzip` layer).
    static func dockerListLayout(in dir: String) throws -> (root: String, amd: String, arm: String, list: String, armConfig: String) {
        let root = dir + "/list"
        try FileManager.default.createDirectory(atPath: root + "/blobs/sha256", withIntermediateDirectories: true)
        func put(_ text: String) throws -> (String, Int) {
            let d = Digest.sha256(of: Array(text.utf8))
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(root)/blobs/sha256/\(d.encoded)"))
            return (d.description, text.utf8.count)
        }
        for d in [v2Config] + gzipLayers.map(\.0) {
            try FileManager.default.copyItem(atPath: "\(corpus)/layout/blobs/sha256/\(d.dropFirst(7))", toPath: "\(root)/blobs/sha256/\(d.dropFirst(7))")
        }
        let base = try String(contentsOfFile: "\(corpus)/layout/blobs/sha256/\(baseConfig.dropFirst(7))", encoding: .utf8)
        let (armConfig, armConfigSize) = try put(base.replacingOccurrences(of: #""architecture":"amd64""#, with: #""architecture":"arm64""#))
        let (l0, l0Size) = gzipLayers[0], (l1, l1Size) = gzipLayers[1]
        let (amd, amdSize) = try put("""
            {"schemaVersion":2,"mediaType":"\(MediaType.dockerManifest)","config":{"mediaType":"\(MediaType.dockerConfig)","size":842,"digest":"\(v2Config)"},\
            "layers":[{"mediaType":"\(MediaType.dockerLayerGzip)","size":\(l0Size),"digest":"\(l0)","annotations":{"com.example.note":"base"}},\
            {"mediaType":"\(MediaType.dockerForeignLayerGzip)","size":\(l1Size),"digest":"\(l1)","urls":["https://example.com/layers/app"]}]}
            """)
        let (arm, armSize) = try put("""
            {"schemaVersion":2,"mediaType":"\(MediaType.dockerManifest)","config":{"mediaType":"\(MediaType.dockerConfig)","size":\(armConfigSize),"digest":"\(armConfig)"},\
            "layers":[{"mediaType":"\(MediaType.dockerLayerGzip)","size":\(l0Size),"digest":"\(l0)"}]}
            """)
        let (list, listSize) = try put("""
            {"schemaVersion":2,"mediaType":"\(MediaType.dockerManifestList)","manifests":[\
            {"mediaType":"\(MediaType.dockerManifest)","size":\(amdSize),"digest":"\(amd)","platform":{"architecture":"amd64","os":"linux"}},\
            {"mediaType":"\(MediaType.dockerManifest)","size":\(armSize),"digest":"\(arm)","platform":{"architecture":"arm64","os":"linux"}}]}
            """)
        try #"{"schemaVersion":2,"manifests":[{"mediaType":"\#(MediaType.dockerManifestList)","digest":"\#(list)","size":\#(listSize),"annotations":{"org.opencontainers.image.ref.name":"multi"}}]}"#
            .write(toFile: root + "/index.json", atomically: true, encoding: .utf8)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: root + "/oci-layout", atomically: true, encoding: .utf8)
        return (root, amd, arm, list, armConfig)
    }

    /// The only descriptor of `dir`'s `index.json`.
    static func top(_ dir: String) throws -> (OCILayout, Descriptor) {
        let layout = try OCILayout(root: dir, create: false)
        let all = try layout.readIndex().manifests
        #expect(all.count == 1, "\(all)")
        return (layout, try #require(all.first))
    }

    static func manifest(_ d: Descriptor, in layout: OCILayout) throws -> ImageManifest {
        try JSON.decode(ImageManifest.self, from: try layout.readBlob(d.digest), what: "manifest")
    }

    /// The digests under `blobs/sha256` of a layout directory.
    static func blobs(_ dir: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/blobs/sha256").map { "sha256:" + $0 })
    }

    /// The digests of a tar's `blobs/sha256/` entries, and its `index.json`.
    static func archive(_ tar: String) throws -> (blobs: Set<String>, index: ImageIndex) {
        let list = try run(["tar", "-tf", tar]).out.split(separator: "\n")
        let blobs = Set(list.filter { $0.hasPrefix("blobs/sha256/") && $0.count > 13 }.map { "sha256:" + $0.dropFirst(13) })
        let index = try JSON.decode(ImageIndex.self, from: Array(try run(["tar", "-xOf", tar, "index.json"]).out.utf8), what: "index.json")
        return (blobs, index)
    }
}
