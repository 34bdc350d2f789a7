import Foundation
import ImageSpec
import Lading
import TarArchive
import Testing
import TestSupport

/// `import`: one rootfs in five compressions gives one diff ID; gzip and zstd are kept
/// byte for byte; the rest become gzip; containerd imports and unpacks the result.
@Suite(.serialized) struct ImportTests {
    static let rootfsDiffID = "sha256:4b6abe1cc2baa31f676164e46a8b364671cebf1345ae3f26e960277e2ddb1a0b"

    @Test func fiveCompressionsOneDiffID() throws {
        let ctrd = try PrivateContainerd()
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let expected: [(String, String, Bool)] = [
            ("", MediaType.ociLayerGzip, false), (".gz", MediaType.ociLayerGzip, true), (".zst", MediaType.ociLayerZstd, true),
            (".xz", MediaType.ociLayerGzip, false), (".bz2", MediaType.ociLayerGzip, false),
        ]
        for (ext, mediaType, asIs) in expected {
            let input = "\(corpus)/rootfs.tar\(ext)"
            let name = "import.example/rootfs:t\(ext.dropFirst())"
            var o = ImportOptions(reference: name)
            o.changes = ["CMD [\"/bin/sh\"]"]
            let id = try service.importTarball(path: input, options: o)
            let d = try service.details(of: try service.resolve(name))
            #expect(d.image.id == id)
            #expect(d.config.rootfs.diffIDs.map(\.description) == [Self.rootfsDiffID], "\(ext)")
            #expect(d.manifest.layers.map(\.mediaType) == [mediaType], "\(ext)")
            #expect(d.config.config?.cmd == ["/bin/sh"])
            #expect(d.config.history?.count == 1)
            #expect(d.config.history?.first?.comment == "Imported from \(input)")
            if asIs {
                let inputDigest = Digest.sha256(of: Array(try Data(contentsOf: URL(fileURLWithPath: input))))
                #expect(d.manifest.layers.first?.digest == inputDigest, "\(ext) stored byte for byte")
            }
            let tar = dir.path + "/import\(ext).tar"
            try service.save([name], toFile: tar)
            let r = try ctrd.ctr(["images", "import", tar])
            #expect(r.status == 0 && r.out.contains("unpacking \(name) ("), "\(ext): \(r.out) \(r.err)")
        }
    }

    @Test func explicitCompressionsKeepTheDiffID() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        for (out, type) in [(ImportOptions.Output.zstd, MediaType.ociLayerZstd), (.none, MediaType.ociLayer), (.gzip, MediaType.ociLayerGzip)] {
            var o = ImportOptions(reference: "import.example/c:\(out.rawValue)")
            o.compression = out
            _ = try service.importTarball(path: "\(corpus)/rootfs.tar.gz", options: o)
            let d = try service.details(of: try service.resolve("import.example/c:\(out.rawValue)"))
            #expect(d.manifest.layers.map(\.mediaType) == [type])
            #expect(d.config.rootfs.diffIDs.map(\.description) == [Self.rootfsDiffID])
        }
    }

    @Test func reproducibleWithSourceDateEpoch() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = "1700000000"
        var ids: [String] = []
        for i in 0..<2 {
            let r = try run([ladingBinary, "import", "--store", "\(dir.path)/s\(i)", "--platform", "linux/arm64", "\(corpus)/rootfs.tar.xz", "repro:1"], environment: env)
            #expect(r.status == 0, "\(r.err)")
            ids.append(r.out)
        }
        #expect(ids[0] == ids[1])
        #expect(ids[0].hasPrefix("sha256:"))
        let inspect = try run([ladingBinary, "inspect", "--store", "\(dir.path)/s0", "repro:1"], environment: env)
        #expect(inspect.out.contains("\"Created\" : \"2023-11-14T22:13:20Z\""))
        #expect(inspect.out.contains("\"Architecture\" : \"arm64\""))
    }

    @Test func duplicatePathsKeepTheLastEntry() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let path = dir.path + "/dups.tar"
        try TarBuilder().file("a", "first\n").file("b", "b\n").file("./a", "second\n").write(to: path)
        _ = try service.importTarball(path: path, options: ImportOptions(reference: "dups:1"))
        let d = try service.details(of: try service.resolve("dups:1"))
        let r = try TarReader(.path(service.layout.blobPath(try #require(d.manifest.layers.first).digest)), name: "layer")
        var seen: [String: String] = [:]
        var order: [String] = []
        while let e = try r.next() {
            order.append(e.path)
            seen[e.path] = String(decoding: try r.readAll(limit: 100), as: UTF8.self)
        }
        // Written as squash writes a layer: each path once, cleaned names.
        #expect(order == ["b", "a"])
        #expect(seen["a"] == "second\n")
        // The diff ID is the rewritten layer's.
        let back = dir.path + "/back"
        try service.unpack("dups:1", into: back)
        #expect(try String(contentsOfFile: back + "/a", encoding: .utf8) == "second\n")
    }

    @Test(arguments: [
        ("escape", "entry ../../etc/passwd: path escapes the root"),
        ("hardlink", "entry evil: hardlink target ../../x escapes the root"),
        ("notatar", "not a tar archive"),
        ("truncated", "truncated gzip input"),
    ])
    func badInputLeavesTheStoreAlone(_ kind: String, _ message: String) throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let before = snapshot(service.layout.root)
        let path = dir.path + "/bad"
        switch kind {
        case "escape": try TarBuilder().file("ok", "x").file("../../etc/passwd", "x").write(to: path)
        case "hardlink": try TarBuilder().file("ok", "x").hardlink("evil", to: "../../x").write(to: path)
        case "notatar": try Data(repeating: 0x41, count: 5000).write(to: URL(fileURLWithPath: path))
        default:
            let gz = try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/rootfs.tar.gz"))
            try gz.prefix(gz.count / 3).write(to: URL(fileURLWithPath: path))
        }
        do {
            _ = try service.importTarball(path: path, options: ImportOptions(reference: "bad:1"))
            Issue.record("imported")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains(path), "names the file: \(error)")
        }
        #expect(snapshot(service.layout.root) == before)
        #expect(ingestLeftovers(service).isEmpty)
    }
}
