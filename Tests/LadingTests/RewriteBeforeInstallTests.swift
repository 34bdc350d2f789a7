import Foundation
import ImageLayout
import ImageSpec
import Testing
import TestSupport

/// `copy --compression` and OCI conversion rewrite documents before anything is
/// installed: the destination never receives the source's manifest (which names layers
/// it will not have), and every manifest arrives after the blobs it names.
@Suite struct RewriteBeforeInstallTests {
    /// The corpus `v2` manifest (gzip layers), as the layout and the archives hold it.
    static let sourceManifest = RecompressionTests.v2Manifest

    /// The blobs renamed into `dst/blobs/sha256/`, in order, while `argv` ran.
    static func installs(_ argv: [String], dst: String, in dir: String) throws -> [String] {
        let trace = dir + "/trace"
        let r = try run(["strace", "-f", "-qq", "-o", trace, "-e", "trace=rename,renameat,renameat2,link,linkat", ladingBinary] + argv)
        #expect(r.status == 0, "\(r.err)")
        let text = try String(contentsOfFile: trace, encoding: .utf8)
        let marker = dst + "/blobs/sha256/"
        return text.split(separator: "\n").compactMap { line -> String? in
            guard let at = line.range(of: marker) else { return nil }
            return String(line[at.upperBound...].prefix(64))
        }
    }

    /// Every manifest installed came after its config and layers (or they were there).
    static func checkOrder(_ installed: [String], in dst: String) throws {
        let layout = try OCILayout(root: dst, create: false)
        for (i, hex) in installed.enumerated() {
            let bytes = try layout.readBlob(try Digest(parsing: "sha256:" + hex))
            guard let m = try? JSON.decode(ImageManifest.self, from: bytes, what: "blob"), !m.layers.isEmpty else { continue }
            for d in [m.config] + m.layers {
                let at = installed.firstIndex(of: d.digest.encoded)
                #expect(at.map { $0 < i } ?? true, "manifest \(hex) installed before \(d.digest)")
                #expect(layout.hasBlob(d.digest), "manifest \(hex) names \(d.digest), which is absent")
            }
        }
    }

    @Test(arguments: ["oci:LAYOUT:v2", "docker-archive:SKOPEO", "oci-archive:OCITAR"])
    func recompressionNeverInstallsTheSourceManifest(source: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = source.replacingOccurrences(of: "LAYOUT", with: corpus + "/layout")
            .replacingOccurrences(of: "SKOPEO", with: corpus + "/v2.skopeo.docker.tar")
            .replacingOccurrences(of: "OCITAR", with: corpus + "/v2.skopeo.oci.tar")
        let dst = dir.path + "/dst"
        let installed = try Self.installs(["copy", "--compression", "zstd", src, "oci:\(dst):v2", "--store", dir.path + "/store"],
                                          dst: dst, in: dir.path)
        #expect(!installed.contains(Self.sourceManifest), "\(installed)")
        // config, two zstd layers, the new manifest: nothing else, each once.
        #expect(installed.count == 4 && Set(installed).count == 4, "\(installed)")
        try Self.checkOrder(installed, in: dst)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: dst + "/blobs/sha256")
        #expect(Set(blobs) == Set(installed))
    }

    @Test func fromTheStoreOnlyTheFinalDocumentsArrive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "-q", "-i", corpus + "/v2.skopeo.docker.tar", "--store", store]).status == 0)
        let dst = dir.path + "/dst"
        // Docker schema 2 in the store: converted to OCI and re-encoded in one rewrite.
        let installed = try Self.installs(["copy", "--compression", "zstd", "store:example.com/team/app:v2", "oci:\(dst):v2", "--store", store],
                                          dst: dst, in: dir.path)
        let stored = try OCILayout(root: store, create: false).readIndex().manifests.map(\.digest.encoded)
        #expect(installed.allSatisfy { !stored.contains($0) }, "\(installed) \(stored)")
        #expect(installed.count == 4, "\(installed)")
        try Self.checkOrder(installed, in: dst)
        let r = try run([ladingBinary, "verify", "oci:\(dst)"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
    }
}
