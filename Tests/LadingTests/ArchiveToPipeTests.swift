import Foundation
import Lading
import Testing
import TestSupport

/// Into a pipe, a layout or the store is read in place: no temporary layout.
@Suite struct ArchiveToPipeTests {
    /// An empty directory for `TMPDIR`, which must stay empty.
    static func emptyTemporaryDirectory(in dir: TemporaryDirectory) throws -> String {
        let tmp = dir.path + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        return tmp
    }

    @Test func theStoreIsCopiedToAPipeWithoutATemporaryLayout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tmp = try Self.emptyTemporaryDirectory(in: dir)
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let r = try run(["sh", "-c", "TMPDIR=\(tmp) \(ladingBinary) copy --store \(store) example.com/team/app:v2 docker-archive:- | tar -tf - | sort"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("manifest.json\n") && r.out.split(separator: "\n").count == 10, "\(r.out)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
    }

    @Test func aLayoutIsCopiedToAPipeWithoutATemporaryLayout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tmp = try Self.emptyTemporaryDirectory(in: dir)
        let out = dir.path + "/piped.tar"
        let r = try run(["sh", "-c", "TMPDIR=\(tmp) \(ladingBinary) copy oci:\(corpus)/layout:v2 docker-archive:- | cat > \(out)"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(corpus)/layout").sorted() == ["blobs", "index.json", "oci-layout"])
        let verify = try run([ladingBinary, "verify", "docker-archive:\(out)"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
        let skopeo = try run(["skopeo", "inspect", "--raw", "docker-archive:\(out)"])
        #expect(skopeo.status == 0, "\(skopeo.err)")
    }

    @Test func aLayoutBlobThatDoesNotMatchFailsThePipe() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = try RecompressionTests.layoutWithWrongDiffID(in: dir.path, wrong: "sha256:" + String(repeating: "2", count: 64))
        let r = try run(["sh", "-c", "\(ladingBinary) copy oci:\(src):v2 docker-archive:- > /dev/null"])
        #expect(r.status != 0)
        #expect(r.err.contains("diff ID is sha256:2222"), "\(r.err)")
    }
}
