import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

@Suite struct ChangesetWriterTests {
    /// Writes the changeset of `work` over `baseLayers`, applies base + changeset to a fresh
    /// directory and expects it to equal `work`. Returns the changeset's entry listing.
    func roundTrip(_ s: Sandbox, _ baseLayers: [[UInt8]], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let base = try MergedView.build(baseLayers.map { try s.layer($0) })
        let sink = MemorySink()
        try ChangesetWriter().write(base: base, directory: s.root, to: sink)
        let check = try TemporaryDirectory("layer-check")
        defer { check.remove() }
        try LayerApplier.unpack((baseLayers + [sink.bytes]).map { try s.layer($0) }, into: check.path)
        let want = try DirectoryScanner().scan(s.root), got = try DirectoryScanner().scan(check.path)
        #expect(render(got, mtime: true, xattrs: true) == render(want, mtime: true, xattrs: true), sourceLocation: sourceLocation)
        #expect(ImageFixtures.groups(got) == ImageFixtures.groups(want), sourceLocation: sourceLocation)
        // diff(base, base + commit) from the layer tarballs equals diff(base unpacked, dir).
        let committed = try MergedView.build((baseLayers + [sink.bytes]).map { try s.layer($0) })
        let fromImages = TreeComparison.changes(from: base, to: committed)
        let baseDir = try TemporaryDirectory("layer-base")
        defer { baseDir.remove() }
        try LayerApplier.unpack(baseLayers.map { try s.layer($0) }, into: baseDir.path)
        let fromDirectories = try TreeComparison.changes(fromDirectory: baseDir.path, toDirectory: s.root)
        #expect(fromImages == fromDirectories, sourceLocation: sourceLocation)
        let r = try s.layer(sink.bytes)
        var listing: [String] = []
        while let e = try r.next() {
            listing.append("\(e.path) \(e.kind) \(String(e.permissions, radix: 8)) \(e.uid):\(e.gid)"
                + (e.link.map { " -> \($0)" } ?? "") + (e.uname == nil || e.uname == "" ? "" : " uname!"))
        }
        return listing
    }

    func setTime(_ path: String, _ t: Int) {
        var times = [timespec(tv_sec: t, tv_nsec: 0), timespec(tv_sec: t, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    @Test func commitWritesExactlyTheDifferences() throws {
        let s = try Sandbox()
        let base = try TarBuilder()
            .directory("etc", mtime: 10).file("etc/keep", "k", mtime: 10).file("etc/gone", "g", mtime: 10)
            .file("etc/edit", "same-size", mtime: 10)
            .directory("old", mtime: 10).file("old/a", "a", mtime: 10).file("old/sub/b", "b", mtime: 10)
            .file("bin/tool", "t", mode: 0o755, mtime: 10).hardlink("bin/tool2", to: "bin/tool")
            .bytes()
        try LayerApplier.unpack([try s.layer(base)], into: s.root)
        let r = s.root
        let fm = FileManager.default
        try fm.removeItem(atPath: r + "/etc/gone")
        try fm.removeItem(atPath: r + "/old")
        try Data("SAME-SIZE".utf8).write(to: URL(fileURLWithPath: r + "/etc/edit"))
        setTime(r + "/etc/edit", 10)
        try fm.createDirectory(atPath: r + "/new dir/x", withIntermediateDirectories: true)
        try Data("n".utf8).write(to: URL(fileURLWithPath: r + "/new dir/x/file"))
        _ = link(r + "/new dir/x/file", r + "/new dir/link")
        try fm.createSymbolicLink(atPath: r + "/etc/sym", withDestinationPath: "keep")
        _ = chmod(r + "/bin/tool", 0o4755)
        _ = mkfifo(r + "/etc/fifo", 0o600)
        let listing = try roundTrip(s, [base])
        #expect(listing == [
            "bin/ directory 755 0:0",
            "bin/tool regular 4755 0:0",
            "bin/tool2 hardlink 4755 0:0 -> bin/tool",
            "etc/ directory 755 0:0",
            "etc/edit regular 644 0:0",
            "etc/fifo fifo 600 0:0",
            "etc/.wh.gone regular 600 0:0",
            "etc/sym symlink 777 0:0 -> keep",
            "new dir/ directory 755 0:0",
            "new dir/link regular 644 0:0",
            "new dir/x/ directory 755 0:0",
            "new dir/x/file hardlink 644 0:0 -> new dir/link",
            ".wh.old regular 600 0:0",
        ])
    }

    @Test func emptyBaseWritesTheWholeTree() throws {
        let s = try Sandbox()
        try LayerApplier.unpack([try s.layer { b in try b.file("a/b", "x", mtime: 3); try b.symlink("l", to: "a") }], into: s.root)
        #expect(try roundTrip(s, []) == ["a/ directory 755 0:0", "a/b regular 644 0:0", "l symlink 777 0:0 -> a"])
    }

    @Test(arguments: 1...12)
    func seededRandomTreesRoundTrip(_ seed: Int) throws {
        var rng = SeededRandom(state: UInt64(seed))
        let s = try Sandbox()
        let names = ["a", "b", "c d", "e"]
        var paths: [String] = []
        var dirs: [String] = []
        let b = try TarBuilder()
        for _ in 0..<25 {
            let parent = Bool.random(using: &rng) ? dirs.randomElement(using: &rng) : nil
            let name = names.randomElement(using: &rng)! + (Bool.random(using: &rng) ? ".f" : "")
            let p = parent.map { "\($0)/\(name)" } ?? name
            if paths.contains(p) { continue }
            switch Int.random(in: 0..<5, using: &rng) {
            case 0:
                try b.directory(p, mode: [0o755, 0o700, 0o1777].randomElement(using: &rng)!, mtime: 7)
                dirs.append(p)
            case 1: try b.symlink(p, to: paths.randomElement(using: &rng) ?? "x")
            default: try b.file(p, String(repeating: "z", count: Int.random(in: 0..<40, using: &rng)),
                                mode: [0o644, 0o600, 0o2755].randomElement(using: &rng)!, uid: Int64.random(in: 0..<3, using: &rng), mtime: 5)
            }
            paths.append(p)
        }
        let base = try b.bytes()
        try LayerApplier.unpack([try s.layer(base)], into: s.root)
        let tree = try DirectoryScanner().scan(s.root)
        for (p, m) in tree.entries().shuffled(using: &rng).prefix(8) {
            let full = s.root + p.description
            guard FileManager.default.fileExists(atPath: (full as NSString).deletingLastPathComponent) else { continue }
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: try? FileManager.default.removeItem(atPath: full)
            case 1 where m.kind == .regular: try Data("changed \(seed)".utf8).write(to: URL(fileURLWithPath: full))
            case 2 where m.kind != .symlink: _ = chmod(full, 0o750)
            case 3: _ = lchown(full, 7, 8)
            default:
                if m.kind == .regular { _ = link(full, full + ".hl") }
                else if m.kind == .directory { try Data("new".utf8).write(to: URL(fileURLWithPath: full + "/added")) }
            }
        }
        _ = try roundTrip(s, [base])
    }
}
