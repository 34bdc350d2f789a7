import Foundation
import ImageSpec
import Lading
import LayerChangeset
import TarArchive
import Testing
import TestSupport

/// `export`: the flattened root filesystem as one tar stream, against `unpack`.
@Suite struct ExportTests {
    /// An oci-archive of one image (`ref.name` `1`) with these layers (uncompressed tars).
    static func layeredArchive(_ layers: [[UInt8]], at path: String) throws {
        func desc(_ type: String, _ b: [UInt8]) -> String { #"{"mediaType":"\#(type)","digest":"\#(Digest.sha256(of: b))","size":\#(b.count)}"# }
        let diffIDs = layers.map { "\"\(Digest.sha256(of: $0))\"" }.joined(separator: ",")
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[\#(diffIDs)]}}"#.utf8)
        let layerList = layers.map { desc(MediaType.ociLayer(.none), $0) }.joined(separator: ",")
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"\#(MediaType.ociManifest)","config":\#(desc(MediaType.ociConfig, config)),"layers":[\#(layerList)]}"#.utf8)
        let b = try TarBuilder()
        for blob in layers + [config, manifest] { try b.file(Digest.sha256(of: blob).blobPath, bytes: blob) }
        let top = desc(MediaType.ociManifest, manifest).dropLast() + #","annotations":{"org.opencontainers.image.ref.name":"1"}}"#
        try b.file("index.json", #"{"schemaVersion":2,"manifests":[\#(top)]}"#)
        try b.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.write(to: path)
    }

    /// Three layers: whiteouts, an opaque directory, a file replaced by a directory, a
    /// hardlinked file replaced above (its other name keeps the old content), a hardlink to
    /// a lower-layer file, a path deleted and written again in one layer, owners and modes.
    static func whiteoutLayers() throws -> [[UInt8]] {
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let l1 = try TarBuilder()
            .directory("etc", mtime: 100).file("etc/a", "a\n", mtime: 100).file("etc/b", "b\n", mtime: 100).file("etc/keep", "k\n", mtime: 100)
            .directory("opt", mtime: 100).directory("opt/old", mode: 0o750, mtime: 100).file("opt/old/f1", "1", mtime: 100)
            .directory("opt/old/sub", mtime: 100).file("opt/old/sub/f2", "2", mtime: 100)
            .directory("usr", mtime: 100).directory("usr/bin", mtime: 100)
            .file("usr/bin/tool", "tool", mode: 0o4755, uid: 1000, gid: 1001, mtime: 100).hardlink("usr/bin/tool-link", to: "usr/bin/tool")
            .symlink("lnk", to: "etc/a").directory("var", mtime: 100).directory("var/gone", mtime: 100).file("var/gone/x", "x", mtime: 100)
            .bytes()
        let l2 = try TarBuilder()
            .file("etc/.wh.a").file("opt/old/.wh..wh..opq").file("opt/old/new", "new", mtime: 200).file("var/.wh.gone")
            .file("usr/bin/tool", "tool2", mode: 0o755, mtime: 200)
            .directory("etc/b", mode: 0o700, mtime: 200).file("etc/b/inner", "i", mtime: 200)
            .directory("data", mtime: 200).file("data/big", bytes: big, mtime: 200)
            .bytes()
        let l3 = try TarBuilder()
            .file("etc/.wh.keep").file("etc/keep", "k2\n", mtime: 300).hardlink("data/hl", to: "data/big")
            .bytes()
        return [l1, l2, l3]
    }

    /// Names sharing an inode, as sets of paths (groups of one left out).
    static func linkGroups(_ tree: FileTree) -> Set<Set<String>> {
        var groups: [Int: Set<String>] = [:]
        for (p, m) in tree.entries() { if let g = m.hardlinkGroup { groups[g, default: []].insert(p.description) } }
        return Set(groups.values.filter { $0.count > 1 })
    }

    /// The export of `image` read back: its entries' paths in order, and the tree it gives.
    static func readExport(_ path: String) throws -> (paths: [String], tree: FileTree) {
        let reader = try TarReader(.path(path), name: path)
        var paths: [String] = []
        while let e = try reader.next() { paths.append(e.path) }
        return (paths, try MergedView.build([try TarReader(.path(path), name: path)]))
    }

    /// The export and the unpacked directory hold the same paths, types, modes, owners,
    /// contents, link targets, file mtimes and hardlinks; each path once, no whiteout; same
    /// bytes twice.
    static func expectExportEqualsUnpack(_ service: ImageService, _ image: String, in dir: String) throws -> [String] {
        let out = dir + "/export.tar", unpacked = dir + "/unpacked"
        try service.export(image, toFile: out)
        try service.unpack(image, into: unpacked)
        let (paths, exported) = try readExport(out)
        let scanned = try DirectoryScanner().scan(unpacked)
        #expect(TreeComparison.changes(from: scanned, to: exported).map(\.description) == [])
        #expect(linkGroups(exported) == linkGroups(scanned))
        #expect(Set(paths).count == paths.count)
        #expect(!paths.contains { $0.contains(".wh.") })
        try service.export(image, toFile: out + ".2")
        #expect(FileManager.default.contentsEqual(atPath: out, andPath: out + ".2"))
        return paths
    }

    @Test func exportOfTheCorpusEqualsUnpack() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/layout", options: .init(baseName: "example.com/team/app"))
        _ = try service.load(path: "\(corpus)/layout-zstd", options: .init(baseName: "example.com/team/zstd"))
        var exported: [String: [String]] = [:]
        for image in ["example.com/team/app:base", "example.com/team/app:v2", "example.com/team/zstd:v2"] {
            let sub = dir.path + "/" + image.replacingOccurrences(of: "/", with: "_")
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            exported[image] = try Self.expectExportEqualsUnpack(service, image, in: sub)
        }
        let paths = try #require(exported["example.com/team/app:v2"])
        #expect(paths.contains("opt/app/bin/hello-hard") && paths.contains("opt/app/name with spaces/f"))
        #expect(paths.contains("etc/motd") && !paths.contains("etc/issue.net"))
        #expect(exported["example.com/team/app:base"]?.contains("etc/issue.net") == true)
        // The zstd layout holds the same image: the same stream, whatever the compression.
        #expect(exported["example.com/team/zstd:v2"] == paths)
        #expect(FileManager.default.contentsEqual(atPath: dir.path + "/example.com_team_app:v2/export.tar",
                                                  andPath: dir.path + "/example.com_team_zstd:v2/export.tar"))
    }

    @Test func exportAppliesWhiteoutsOpaqueDirectoriesAndKeepsHardlinks() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        try Self.layeredArchive(try Self.whiteoutLayers(), at: dir.path + "/layered.tar")
        _ = try service.load(path: dir.path + "/layered.tar", options: .init(baseName: "test.example/layered"))
        let paths = try Self.expectExportEqualsUnpack(service, "test.example/layered:1", in: dir.path)
        // Directories and symlinks sorted, then regular files layer by layer in stream
        // order (the link that kept the replaced file's content comes from the first).
        #expect(paths == ["data/", "etc/", "etc/b/", "lnk", "opt/", "opt/old/", "usr/", "usr/bin/", "var/", "usr/bin/tool-link",
                          "opt/old/new", "usr/bin/tool", "etc/b/inner", "data/big", "data/hl", "etc/keep"])
        let tree = try Self.readExport(dir.path + "/export.tar").tree
        #expect(tree["/usr/bin/tool-link"]?.mode == 0o4755 && tree["/usr/bin/tool-link"]?.uid == 1000 && tree["/usr/bin/tool-link"]?.size == 4)
        #expect(tree["/usr/bin/tool"]?.size == 5 && tree["/usr/bin/tool"]?.hardlinkGroup == nil)
        #expect(tree["/etc/b"]?.kind == .directory && tree["/etc/b"]?.mode == 0o700)
        #expect(tree["/opt/old"]?.mode == 0o750)
        #expect(tree["/lnk"]?.linkTarget == Array("etc/a".utf8))
        #expect(Self.linkGroups(tree) == [["/data/big", "/data/hl"]])
    }

    @Test func exportThroughTheCommandLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let toFile = try run([ladingBinary, "export", "--store", store, "-o", dir.path + "/a.tar", "example.com/team/app:v2"])
        #expect(toFile.status == 0 && toFile.out.isEmpty, "\(toFile.err)")
        let piped = try run(["sh", "-c", "'\(ladingBinary)' export --store '\(store)' example.com/team/app:v2 | cmp - '\(dir.path)/a.tar'"])
        #expect(piped.status == 0, "\(piped.out)\(piped.err)")
        let missing = try run([ladingBinary, "export", "--store", store, "-o", dir.path + "/b.tar", "nope:1"])
        #expect(missing.status == 1)
        #expect(missing.err.hasPrefix("Error: ") && missing.err.contains("nope:1"), "\(missing.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/b.tar"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.tar", "store"])
        // A terminal is refused, as docker refuses it (script(1) gives the command one).
        let tty = try run(["script", "-qec", "'\(ladingBinary)' export --store '\(store)' example.com/team/app:v2", "/dev/null"])
        #expect(tty.status == 2, "\(tty.out)")
        #expect(tty.out.contains("Error: cowardly refusing to export to a terminal. Use the -o flag or redirect"), "\(tty.out)")
    }

    @Test func aDamagedLayerFailsTheExportAndWritesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "--store", store, "-q", "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        // Layer 1 of v2 is stored uncompressed; its first file's content (etc/motd) starts
        // at byte 2048. One byte changed there: still a tar, no longer its digest.
        let layer = "sha256:a8a0272c661e24eb0565ea7b1a50be38fa5da2ecbdd215f6ff41fd4ccb4be6c2"
        let path = "\(store)/blobs/sha256/\(layer.dropFirst(7))"
        chmod(path, 0o644)
        let h = try #require(FileHandle(forUpdatingAtPath: path))
        try h.seek(toOffset: 2048)
        try h.write(contentsOf: Data("J".utf8))
        try h.close()
        let r = try run([ladingBinary, "export", "--store", store, "-o", dir.path + "/out.tar", "example.com/team/app:v2"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("Error: layer 1 (\(layer)) is damaged in the store: its content has digest sha256:"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/out.tar"))
    }
}
