import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

@Suite struct ChangesTests {
    func merged(_ s: Sandbox, _ layers: [Build]) throws -> FileTree {
        try MergedView.build(layers.map { try s.layer($0) })
    }

    @Test func corpusBaseToV2() throws {
        let layout = Fixtures.corpus + "/layout"
        let base = try MergedView.build(try ImageFixtures.readers(try ImageFixtures.layoutLayers(layout, ref: "base")))
        let v2 = try MergedView.build(try ImageFixtures.readers(try ImageFixtures.layoutLayers(layout, ref: "v2")))
        let changes = TreeComparison.changes(from: base, to: v2)
        #expect(ChangePrinter.lines(changes) == """
            C /etc
            D /etc/issue.net
            C /etc/motd
            A /opt
            A /opt/app
            A /opt/app/bin
            A /opt/app/bin/hello
            A /opt/app/bin/hello-hard
            A /opt/app/hello-link
            A "/opt/app/name with spaces"
            A "/opt/app/name with spaces/f"
            C /usr
            C /usr/share
            D /usr/share/doc
            C /var
            C /var/lib
            C /var/lib/apt
            D /var/lib/apt/lists

            """)
        #expect(changes.first { $0.path == LayerPath("etc/motd")! }?.attributes == [.content, .size, .mtime])
        #expect(changes.first { $0.path == LayerPath("etc")! }?.attributes == [])
    }

    static let cases: [(String, Build, [String])] = [
        ("mode, owner and mtime", { b in
            try b.file("f", "1", mode: 0o600, uid: 3, gid: 4, mtime: 9)
        }, ["C /f mode,uid,gid,mtime"]),
        ("same size, same mtime, other content", { b in try b.file("f", "2", mtime: 1) }, ["C /f content"]),
        ("file becomes a directory", { b in try b.directory("f"); try b.file("f/new", "n") },
         ["C /f type", "A /f/new"]),
        ("directory becomes a file", { b in try b.file("d", "x", mtime: 1) }, ["C /d type"]),
        ("file becomes a symlink", { b in try b.symlink("f", to: "d/x") }, ["C /f type"]),
        ("symlink target", { b in try b.symlink("s", to: "elsewhere") }, ["C /s linkTarget"]),
        ("directory mode only", { b in try b.directory("d", mode: 0o700, mtime: 99) }, ["C /d mode"]),
        ("directory mtime alone is ignored", { b in try b.directory("d", mtime: 99) }, []),
        ("nested delete reports the top only", { b in try b.file(".wh.d") }, ["D /d"]),
        ("new nested file", { b in try b.file("d/e/new", "n") }, ["C /d", "A /d/e", "A /d/e/new"]),
        ("xattr", { b in
            var e = TarEntry(path: "f", kind: .regular, size: 1, mtime: 1)
            e.xattrs = [("security.capability", [1, 2])]
            try b.entry(e, content: Array("1".utf8))
        }, ["C /f xattrs"]),
    ]

    @Test(arguments: cases.indices)
    func changeTable(_ i: Int) throws {
        let (label, upper, expected) = Self.cases[i]
        let s = try Sandbox()
        let base: Build = { b in
            try b.file("f", "1", mtime: 1); try b.directory("d", mtime: 1); try b.file("d/x", "x", mtime: 1)
            try b.symlink("s", to: "f")
        }
        let old = try merged(s, [base])
        let new = try merged(s, [base, upper])
        let got = TreeComparison.changes(from: old, to: new).map {
            $0.description + ($0.attributes.isEmpty ? "" : " " + $0.attributes.map(\.rawValue).joined(separator: ","))
        }
        #expect(got == expected, "\(label)")
    }

    @Test func ignoreTimestampsAndExcludes() throws {
        let s = try Sandbox()
        let old = try merged(s, [{ b in try b.file("a", "1", mtime: 1); try b.file("tmp/x", "1"); try b.file("log.txt", "1") }])
        let new = try merged(s, [{ b in try b.file("a", "1", mtime: 2); try b.file("tmp/x", "2"); try b.file("log.txt", "22") }])
        let opts = ChangeOptions(ignoreTimestamps: true, exclude: ["/tmp", "*.txt"])
        #expect(TreeComparison.changes(from: old, to: new, options: opts) == [])
        #expect(TreeComparison.changes(from: old, to: new).map(\.description) == ["C /a", "C /log.txt", "C /tmp", "C /tmp/x"])
    }

    @Test func directoriesOnDisk() throws {
        let s = try Sandbox()
        let a = s.dir.path + "/root/a", b = s.dir.path + "/root/b"
        try LayerApplier.unpack([try s.layer { b in try b.file("x", "1", mtime: 5); try b.file("y", "1", mtime: 5) }], into: s.root)
        try FileManager.default.moveItem(atPath: s.root + "/x", toPath: s.dir.path + "/x")
        try FileManager.default.createDirectory(atPath: a, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: b, withIntermediateDirectories: true)
        try Data("same".utf8).write(to: URL(fileURLWithPath: a + "/f"))
        try Data("diff".utf8).write(to: URL(fileURLWithPath: b + "/f"))
        var t = timespec(tv_sec: 100, tv_nsec: 0)
        for p in [a + "/f", b + "/f"] {
            var times = [t, t]
            _ = utimensat(AT_FDCWD, p, &times, 0)
        }
        _ = t
        try Data("new".utf8).write(to: URL(fileURLWithPath: b + "/g"))
        let c = try TreeComparison.changes(fromDirectory: a, toDirectory: b)
        #expect(c == [Change(.changed, LayerPath("f")!, attributes: [.content]), Change(.added, LayerPath("g")!)])
        t.tv_sec = 0
        try FileManager.default.removeItem(atPath: s.dir.path + "/x")
    }

    @Test func printerEscapesNamesAndOffersNulAndJSON() throws {
        let odd = LayerPath(components: [Array("a b".utf8), Array("new\nline".utf8)])
        let bin = LayerPath(components: [[0x66, 0xFF]])
        let quote = LayerPath(components: [Array("q\"\\".utf8)])
        let uni = LayerPath(components: [Array("café".utf8)])
        let changes = [Change(.added, odd), Change(.deleted, bin), Change(.changed, quote, attributes: [.mode]), Change(.added, uni)]
        #expect(ChangePrinter.lines(changes) == "A \"/a b/new\\nline\"\nD \"/f\\xff\"\nC \"/q\\\"\\\\\"\nA /café\n")
        #expect(ChangePrinter.nulSeparated(changes) == Array("A /a b/new\nline".utf8) + [0] + Array("D /f".utf8) + [0xFF, 0]
            + Array("C /q\"\\".utf8) + [0] + Array("A /café".utf8) + [0])
        #expect(ChangePrinter.json(changes) == #"[{"Kind":"A","KindCode":1,"Path":"/a b/new\nline"},"#
            + #"{"Kind":"D","KindCode":2,"Path":"\"/f\\xff\"","PathBytes":"L2b/"},"#
            + #"{"Changed":["mode"],"Kind":"C","KindCode":0,"Path":"/q\"\\"},{"Kind":"A","KindCode":1,"Path":"/café"}]"#)
    }
}
