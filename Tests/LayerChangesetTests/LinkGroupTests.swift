import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

/// Hardlink groups of inodes that are not regular files (a symlink, a FIFO), which squash
/// and commit used to split into separate files, and `.wh.` names in a committed directory,
/// which commit used to write as whiteouts.
@Suite struct LinkGroupTests {
    /// (path, kind, link target) of every entry of a tar.
    static func entries(_ bytes: [UInt8], _ s: Sandbox) throws -> [String] {
        let r = try s.layer(bytes)
        var out: [String] = []
        while let e = try r.next() { out.append("\(e.path) \(e.kind) \(e.link ?? "-")") }
        return out
    }

    /// Inode and link count of `path` (not followed).
    static func inode(_ path: String) -> (ino: UInt64, nlink: UInt64, type: UInt32) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return (0, 0, 0) }
        return (UInt64(st.st_ino), UInt64(st.st_nlink), UInt32(st.st_mode & S_IFMT))
    }

    static func expectOneInode(_ a: String, _ b: String, type: UInt32, sourceLocation: SourceLocation = #_sourceLocation) {
        let x = inode(a), y = inode(b)
        #expect(x.type == type && y.type == type, sourceLocation: sourceLocation)
        #expect(x.ino != 0 && x.ino == y.ino, sourceLocation: sourceLocation)
        #expect(x.nlink == 2 && y.nlink == 2, sourceLocation: sourceLocation)
    }

    static func squash(_ layers: [[UInt8]], keep: Int, _ s: Sandbox) throws -> [UInt8] {
        let lower = keep == 0 ? nil : try MergedView.build(layers[..<keep].map { try s.layer($0) })
        let sink = MemorySink()
        let w = try TarWriter(sink: sink, name: "squashed")
        let range = Array(layers[keep...])
        try LayerSquasher().squash(count: range.count, open: { try s.layer(range[$0]) }, lower: lower, to: w)
        try w.finish()
        return sink.bytes
    }

    @Test func squashKeepsHardlinksToASymlinkAndAFIFO() throws {
        let s = try Sandbox()
        let layer = try TarBuilder().file("target", "t").symlink("link", to: "target").hardlink("hl", to: "link")
            .entry(TarEntry(path: "p", kind: .fifo, permissions: 0o600)).hardlink("q", to: "p").bytes()
        let squashed = try Self.squash([layer], keep: 0, s)
        #expect(try Self.entries(squashed, s) == [
            "hl symlink target", "link hardlink hl", "p fifo -", "q hardlink p", "target regular -",
        ])
        try LayerApplier.unpack([try s.layer(squashed)], into: s.root)
        Self.expectOneInode(s.root + "/hl", s.root + "/link", type: S_IFLNK)
        Self.expectOneInode(s.root + "/p", s.root + "/q", type: S_IFIFO)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: s.root + "/link") == "target")
    }

    /// The symlink in the kept lower layer, the hardlink to it in the squashed range.
    @Test func squashKeepsAGroupSpanningTheLowerLayers() throws {
        let s = try Sandbox()
        let lower = try TarBuilder().symlink("a", to: "x").bytes()
        let upper = try TarBuilder().hardlink("b", to: "a").bytes()
        let squashed = try Self.squash([lower, upper], keep: 1, s)
        #expect(try Self.entries(squashed, s) == ["a symlink x", "b hardlink a"])
        try LayerApplier.unpack([try s.layer(lower), try s.layer(squashed)], into: s.root)
        Self.expectOneInode(s.root + "/a", s.root + "/b", type: S_IFLNK)
    }

    @Test func commitKeepsHardlinksToASymlinkAndAFIFO() throws {
        let s = try Sandbox()
        let dir = try TemporaryDirectory("commit-links")
        defer { dir.remove() }
        try Data("t".utf8).write(to: URL(fileURLWithPath: dir.path + "/target"))
        #expect(symlink("target", dir.path + "/link") == 0)
        #expect(linkat(AT_FDCWD, dir.path + "/link", AT_FDCWD, dir.path + "/hl", 0) == 0)
        #expect(mkfifo(dir.path + "/p", 0o600) == 0)
        #expect(link(dir.path + "/p", dir.path + "/q") == 0)
        let sink = MemorySink()
        try ChangesetWriter().write(base: FileTree(), directory: dir.path, to: sink)
        #expect(try Self.entries(sink.bytes, s) == [
            "hl symlink target", "link hardlink hl", "p fifo -", "q hardlink p", "target regular -",
        ])
        try LayerApplier.unpack([try s.layer(sink.bytes)], into: s.root)
        Self.expectOneInode(s.root + "/hl", s.root + "/link", type: S_IFLNK)
        Self.expectOneInode(s.root + "/p", s.root + "/q", type: S_IFIFO)
    }

    @Test(arguments: [".wh.keep", "sub/.wh.x", ".wh.d/f"])
    func commitRefusesWhiteoutNames(_ name: String) throws {
        let s = try Sandbox()
        let base = try MergedView.build([try s.layer { b in try b.file("keep", "k"); try b.directory("sub") }])
        let dir = try TemporaryDirectory("commit-wh")
        defer { dir.remove() }
        let path = dir.path + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("k".utf8).write(to: URL(fileURLWithPath: dir.path + "/keep"))
        try Data().write(to: URL(fileURLWithPath: path))
        let sink = MemorySink()
        let first = name.hasPrefix(".wh.d") ? ".wh.d" : name
        do {
            try ChangesetWriter().write(base: base, directory: dir.path, to: sink)
            Issue.record("\(name) was written")
        } catch let e as LayerError {
            #expect(e.code == .invalidWhiteout)
            #expect(e.message == "\(dir.path): /\(first): whiteout marker: .wh. names are not allowed in a committed directory")
        }
        // No entry was written (the freed writer's end-of-archive blocks at most).
        #expect(sink.bytes.allSatisfy { $0 == 0 })
    }
}
