import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

@Suite struct SquashTests {
    static let stack: [Build] = [
        { b in
            try b.directory("d", mtime: 3); try b.file("d/a", "a", mtime: 3); try b.file("d/b", "b", mtime: 3)
            try b.directory("opq", mtime: 3); try b.file("opq/old", "o", mtime: 3)
            try b.directory("tofile", mtime: 3); try b.file("tofile/x", "x", mtime: 3)
            try b.symlink("todir", to: "d")
            try b.file("lower-only", "l", mtime: 3)
            try b.file("gone", "g", mtime: 3)
        },
        { b in
            try b.file("t", "target", uid: 5, mtime: 4); try b.hardlink("t-link", to: "t")
            try b.file("temp", "tmp", mtime: 4)
            try b.file(".wh.gone")
            var dev = TarEntry(path: "dev/zero", kind: .characterDevice, permissions: 0o666, mtime: 4)
            dev.deviceMajor = 1; dev.deviceMinor = 5
            try b.entry(dev)
            var cap = TarEntry(path: "ping", kind: .regular, size: 1, permissions: 0o4755, mtime: 4)
            cap.xattrs = [("user.k", Array("v".utf8))]
            try b.entry(cap, content: Array("p".utf8))
        },
        { b in
            try b.file("t", "overwritten", mtime: 5)
            try b.file(".wh.temp")
            try b.file("opq/.wh..wh..opq"); try b.file("opq/new", "n", mtime: 5)
            try b.file("d/.wh.a"); try b.file("d/a", "re-added", mtime: 5)
            try b.file("tofile", "now a file", mtime: 5)
            try b.directory("todir", mtime: 5); try b.file("todir/inside", "i", mtime: 5)
        },
    ]

    func bytes(_ s: Sandbox, _ builds: [Build]) throws -> [[UInt8]] {
        try builds.map { build in let b = try TarBuilder(); try build(b); return try b.bytes() }
    }

    /// Squashes `layers[keep...]` over `layers[..<keep]` and expects the unpacked result to
    /// equal unpacking every layer. Returns the squashed layer's entry names.
    func check(_ layers: [[UInt8]], keep: Int, _ s: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let lower = keep == 0 ? nil : try MergedView.build(layers[..<keep].map { try s.layer($0) })
        let sink = MemorySink()
        let w = try TarWriter(sink: sink, name: "squashed")
        let range = Array(layers[keep...])
        try LayerSquasher().squash(count: range.count, open: { try s.layer(range[$0]) }, lower: lower, to: w)
        try w.finish()
        let all = try TemporaryDirectory("squash-all"), squashed = try TemporaryDirectory("squash-one")
        defer { all.remove(); squashed.remove() }
        try LayerApplier.unpack(layers.map { try s.layer($0) }, into: all.path)
        try LayerApplier.unpack((layers[..<keep] + [sink.bytes]).map { try s.layer($0) }, into: squashed.path)
        let want = try DirectoryScanner().scan(all.path), got = try DirectoryScanner().scan(squashed.path)
        // `/dev` is an implicit parent: unpacking gives it the current time, the squashed
        // layer names it explicitly with mtime 0. Its time is left out of the comparison.
        func lines(_ t: FileTree) -> [String] {
            render(t, mtime: true, xattrs: true).map { $0.hasPrefix("/dev directory") ? "/dev directory" : $0 }
        }
        #expect(lines(got) == lines(want), sourceLocation: sourceLocation)
        #expect(ImageFixtures.groups(got) == ImageFixtures.groups(want), sourceLocation: sourceLocation)
        let r = try s.layer(sink.bytes)
        var names: [String] = []
        while let e = try r.next() { names.append(e.path) }
        #expect(Set(names).count == names.count, "duplicate paths", sourceLocation: sourceLocation)
        return names
    }

    @Test func squashAllLayersLeavesNoWhiteouts() throws {
        let s = try Sandbox()
        let names = try check(try bytes(s, Self.stack), keep: 0, s)
        #expect(!names.contains { $0.contains(".wh.") })
        #expect(names.contains("t-link"))
    }

    @Test func squashTopLayersKeepsOnlyUsefulWhiteouts() throws {
        let s = try Sandbox()
        let names = try check(try bytes(s, Self.stack), keep: 1, s)
        #expect(names.filter { $0.contains(".wh.") }.sorted() == [".wh.gone", "opq/.wh.old"])
    }

    @Test func hardlinkToOverwrittenTargetKeepsContent() throws {
        let s = try Sandbox()
        let layers = try bytes(s, [{ b in try b.file("t", "one", mtime: 1); try b.hardlink("l1", to: "t"); try b.hardlink("l2", to: "t") },
                                   { b in try b.file("t", "two", mtime: 2) }])
        let names = try check(layers, keep: 0, s)
        #expect(names == ["l1", "l2", "t"])
    }

    @Test func squashCorpusImage() throws {
        let s = try Sandbox()
        let paths = try ImageFixtures.layoutLayers(Fixtures.corpus + "/layout", ref: "v2")
        let layers = try paths.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) }
        _ = try check(layers, keep: 0, s)
        let names = try check(layers, keep: 1, s)
        #expect(names.filter { $0.contains(".wh.") }.sorted() == ["etc/.wh.issue.net", "usr/share/.wh.doc", "var/lib/apt/.wh.lists"])
    }
}
