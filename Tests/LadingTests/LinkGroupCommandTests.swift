import Foundation
import ImageSpec
import Lading
import LayerChangeset
import TarArchive
import Testing
import TestSupport

/// `commit` and `squash` through the CLI: a user's `.wh.keep` is refused rather than
/// committed as a whiteout of `/keep`, and two names of one symlink inode stay one inode.
@Suite struct LinkGroupCommandTests {
    /// `path kind target` of each entry of the image's top layer whose name is in `names`.
    static func topLayer(_ s: ImageService, _ image: String, names: Set<String>) throws -> [String] {
        let layer = try #require(try s.details(of: try s.resolve(image)).manifest.layers.last)
        let r = try TarReader(.path(s.layout.blobPath(layer.digest)), name: "top layer")
        var out: [String] = []
        while let e = try r.next() {
            if names.contains(e.path) { out.append("\(e.path) \(e.kind) \(e.link ?? "-")") }
        }
        return out
    }

    static func expectOneSymlinkInode(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var x = stat(), y = stat()
        #expect(lstat(a, &x) == 0 && lstat(b, &y) == 0, sourceLocation: sourceLocation)
        #expect(x.st_mode & S_IFMT == S_IFLNK && y.st_mode & S_IFMT == S_IFLNK, sourceLocation: sourceLocation)
        #expect(x.st_ino == y.st_ino, sourceLocation: sourceLocation)
        #expect(x.st_nlink == 2 && y.st_nlink == 2, sourceLocation: sourceLocation)
    }

    @Test func commitRefusesAWhiteoutNameAndStoresNothing() throws {
        let (s, dir) = try makeStore()
        defer { dir.remove() }
        let input = dir.path + "/base.tar"
        try TarBuilder().file("keep", "k").write(to: input)
        _ = try s.importTarball(path: input, options: ImportOptions(reference: "base:1"))
        let root = dir.path + "/root"
        try s.unpack("base:1", into: root)
        try Data().write(to: URL(fileURLWithPath: root + "/.wh.keep"))
        let before = snapshot(s.layout.root)
        let message = "\(root): /.wh.keep: whiteout marker: .wh. names are not allowed in a committed directory"
        do {
            _ = try s.commit(base: "base:1", directory: root, options: BuildOptions(reference: "c:1"))
            Issue.record("committed")
        } catch let e as LayerError {
            #expect(e.code == .invalidWhiteout)
            #expect(e.description == message)
        }
        let r = try run([ladingBinary, "commit", "--store", s.layout.root, "base:1", root, "c:1"])
        #expect(r.status == 1)
        #expect(r.err == "Error: \(message)\n")
        #expect(snapshot(s.layout.root) == before)
        #expect(ingestLeftovers(s).isEmpty)
        // Without the marker the same directory commits (as an empty difference).
        try FileManager.default.removeItem(atPath: root + "/.wh.keep")
        let ok = try run([ladingBinary, "commit", "--store", s.layout.root, "base:1", root, "c:1"])
        #expect(ok.status == 0, "\(ok.err)")
    }

    @Test func squashKeepsTwoNamesOfOneSymlink() throws {
        let (s, dir) = try makeStore()
        defer { dir.remove() }
        let input = dir.path + "/links.tar"
        try TarBuilder().file("target", "t").symlink("link", to: "target").hardlink("hl", to: "link").write(to: input)
        _ = try s.importTarball(path: input, options: ImportOptions(reference: "links:1"))
        let r = try run([ladingBinary, "squash", "--store", s.layout.root, "links:1", "sq:1"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try Self.topLayer(s, "sq:1", names: ["hl", "link"]) == ["hl symlink target", "link hardlink hl"])
        let root = dir.path + "/root"
        let u = try run([ladingBinary, "unpack", "--store", s.layout.root, "sq:1", root])
        #expect(u.status == 0, "\(u.err)")
        Self.expectOneSymlinkInode(root + "/link", root + "/hl")
    }

    @Test func commitKeepsTwoNamesOfOneSymlink() throws {
        let (s, dir) = try makeStore()
        defer { dir.remove() }
        let src = dir.path + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try Data("t".utf8).write(to: URL(fileURLWithPath: src + "/target"))
        #expect(symlink("target", src + "/link") == 0)
        #expect(linkat(AT_FDCWD, src + "/link", AT_FDCWD, src + "/hl", 0) == 0)
        let r = try run([ladingBinary, "commit", "--store", s.layout.root, "scratch", src, "c:1"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try Self.topLayer(s, "c:1", names: ["hl", "link"]) == ["hl symlink target", "link hardlink hl"])
        let root = dir.path + "/root"
        let u = try run([ladingBinary, "unpack", "--store", s.layout.root, "c:1", root])
        #expect(u.status == 0, "\(u.err)")
        Self.expectOneSymlinkInode(root + "/link", root + "/hl")
    }
}
