import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

@Suite struct WhiteoutTests {
    @Test(arguments: [
        ("a/.wh.b", Whiteout.remove(name: Array("b".utf8))),
        (".wh..wh..opq", .opaque),
        ("x/.wh..wh..opq", .opaque),
        (".wh..wh.plnk", .meta),
        (".wh..wh.aufs", .meta),
        ("d/.wh..wh.plnk", .remove(name: Array(".wh.plnk".utf8))),
        ("d/.wh.name with space", .remove(name: Array("name with space".utf8))),
    ])
    func classifies(_ path: String, _ expected: Whiteout) throws {
        #expect(try Whiteout.classify(LayerPath(path)!) == expected)
    }

    @Test(arguments: ["a/b", ".whx", "a/wh.b", "a/.wh"])
    func ordinaryNamesAreNotWhiteouts(_ path: String) throws {
        #expect(try Whiteout.classify(LayerPath(path)!) == nil)
    }

    @Test(arguments: ["d/.wh.", ".wh..", "d/.wh..."])
    func invalidMarkersAreRefused(_ name: String) throws {
        #expect(throws: Whiteout.Invalid.self) { try Whiteout.classify(LayerPath(name)!) }
        let s = try Sandbox()
        let e = layerError { try s.apply([{ b in try b.file(name) }]) }
        #expect(e?.code == .invalidWhiteout)
        #expect(e?.message == "layer 1: entry \(name): whiteout names nothing")
    }

    static let base: Build = { b in
        try b.file("etc/a", "a"); try b.file("etc/b", "b")
        try b.directory("d"); try b.file("d/x", "x"); try b.file("d/sub/y", "y")
        try b.file("top", "t")
    }

    /// (second layer, expected tree after base + second layer)
    static let cases: [(String, Build, [String])] = [
        ("file whiteout", { b in try b.file("etc/.wh.a") }, [
            "/d", "/d/sub", "/d/sub/y", "/d/x", "/etc", "/etc/b", "/top"]),
        ("directory whiteout removes the tree", { b in try b.file(".wh.d") }, [
            "/etc", "/etc/a", "/etc/b", "/top"]),
        ("whiteout of a missing name is a no-op", { b in try b.file(".wh.nothing"); try b.file("nodir/.wh.x") }, [
            "/d", "/d/sub", "/d/sub/y", "/d/x", "/etc", "/etc/a", "/etc/b", "/top"]),
        ("whiteout after the same layer's entry keeps it", { b in try b.file("top", "new"); try b.file(".wh.top") }, [
            "/d", "/d/sub", "/d/sub/y", "/d/x", "/etc", "/etc/a", "/etc/b", "/top"]),
        ("whiteout before re-adding the name", { b in try b.file(".wh.d"); try b.file("d/new", "n") }, [
            "/d", "/d/new", "/etc", "/etc/a", "/etc/b", "/top"]),
        ("directory whiteout after same-layer child keeps the child only", { b in try b.file("d/sub/z", "z"); try b.file(".wh.d") }, [
            "/d", "/d/sub", "/d/sub/z", "/etc", "/etc/a", "/etc/b", "/top"]),
        ("opaque marker first", { b in try b.directory("d"); try b.file("d/.wh..wh..opq"); try b.file("d/n", "n") }, [
            "/d", "/d/n", "/etc", "/etc/a", "/etc/b", "/top"]),
        ("opaque marker last keeps same-layer children", { b in try b.file("d/n", "n"); try b.file("d/.wh..wh..opq") }, [
            "/d", "/d/n", "/etc", "/etc/a", "/etc/b", "/top"]),
        ("opaque at the root", { b in try b.file("new", "n"); try b.file(".wh..wh..opq") }, ["/new"]),
        ("aufs meta entries at the root are skipped", { b in try b.file(".wh..wh.plnk/123", "x"); try b.directory(".wh..wh.orph") }, [
            "/d", "/d/sub", "/d/sub/y", "/d/x", "/etc", "/etc/a", "/etc/b", "/top"]),
    ]

    @Test(arguments: cases.indices)
    func appliesWhiteouts(_ i: Int) throws {
        let (label, layer, expected) = Self.cases[i]
        let s = try Sandbox()
        try s.apply([Self.base, layer])
        let got = try s.tree().entries().map { $0.path.description }
        #expect(got == expected, "\(label)")
        try s.expectContained()
    }
}
