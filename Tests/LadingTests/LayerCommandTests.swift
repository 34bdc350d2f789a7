import Foundation
import ImageSpec
import Lading
import LayerChangeset
import Testing
import TestSupport

/// unpack, diff, commit and squash through the image service, on real images.
@Suite struct LayerCommandTests {
    static func changes(_ a: String, _ b: String) throws -> [String] {
        try TreeComparison.changes(fromDirectory: a, toDirectory: b).map(\.description)
    }

    @Test func unpackMatchesUmoci() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/layout", options: .init(baseName: "example.com/team/app"))
        for tag in ["base", "v2"] {
            let mine = "\(dir.path)/mine-\(tag)", theirs = "\(dir.path)/umoci-\(tag)"
            try service.unpack("example.com/team/app:\(tag)", into: mine)
            let r = try run(["umoci", "unpack", "--image", "\(corpus)/layout:\(tag)", theirs])
            #expect(r.status == 0, "\(r.err)")
            #expect(try Self.changes(theirs + "/rootfs", mine) == [], "\(tag)")
        }
    }

    @Test func diffOfTwoImagesWithoutUnpacking() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let lines = ChangePrinter.lines(try service.changes(from: "example.com/team/app:base", to: "example.com/team/app:v2"))
        #expect(lines.split(separator: "\n") == [
            "C /etc", "D /etc/issue.net", "C /etc/motd", "A /opt", "A /opt/app", "A /opt/app/bin",
            "A /opt/app/bin/hello", "A /opt/app/bin/hello-hard", "A /opt/app/hello-link",
            "A \"/opt/app/name with spaces\"", "A \"/opt/app/name with spaces/f\"",
            "C /usr", "C /usr/share", "D /usr/share/doc", "C /var", "C /var/lib", "C /var/lib/apt", "D /var/lib/apt/lists",
        ])
    }

    @Test func commitGivesBackTheDirectoryAndOnlyItsChanges() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/v2.skopeo.docker.tar")
        let work = dir.path + "/work"
        try service.unpack("example.com/team/app:v2", into: work)
        try "new\n".write(toFile: work + "/newfile", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: work + "/etc/motd")
        try FileManager.default.removeItem(atPath: work + "/opt/app/bin")
        var o = BuildOptions(reference: "test.example/committed:1")
        o.changes = ["ENV A=1", "CMD [\"/bin/sh\"]"]
        o.message = "m"
        let id = try service.commit(base: "example.com/team/app:v2", directory: work, options: o)
        #expect(try service.resolve("test.example/committed:1").id == id)
        #expect(ChangePrinter.lines(try service.changes(from: "example.com/team/app:v2", to: "test.example/committed:1"))
            .split(separator: "\n") == ["C /etc", "D /etc/motd", "A /newfile", "C /opt", "C /opt/app", "D /opt/app/bin"])
        let back = dir.path + "/back"
        try service.unpack("test.example/committed:1", into: back)
        #expect(try Self.changes(work, back) == [])
        let d = try service.details(of: try service.resolve(id.description))
        #expect(d.config.rootfs.diffIDs.count == 3)
        #expect(d.manifest.layers.last?.mediaType == MediaType.ociLayerGzip)
        #expect(d.config.config?.env == ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "A=1"])
        #expect(d.config.config?.cmd == ["/bin/sh"])
        #expect(d.config.config?.workingDir == "/opt/app")
        #expect(d.config.history?.last?.comment == "m")
        #expect(d.config.history?.filter { $0.emptyLayer != true }.count == 3)
    }

    @Test func commitOntoScratchThenContainerdUnpacksIt() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let tree = dir.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree + "/etc", withIntermediateDirectories: true)
        try "x\n".write(toFile: tree + "/etc/x", atomically: false, encoding: .utf8)
        var o = BuildOptions(reference: "scratch.example/one:1")
        o.compression = .zstd
        let id = try service.commit(base: "scratch", directory: tree, options: o)
        let d = try service.details(of: try service.resolve(id.description))
        #expect(d.manifest.layers.map(\.mediaType) == [MediaType.ociLayerZstd])
        let back = dir.path + "/back"
        try service.unpack("scratch.example/one:1", into: back)
        #expect(try String(contentsOfFile: back + "/etc/x", encoding: .utf8) == "x\n")
    }

    @Test(arguments: ["v2.skopeo.docker.tar"] + [
        "go-containerregistry/mutate/whiteout_image.tar", "go-containerregistry/mutate/whiteout_dir.tar",
        "go-containerregistry/mutate/overwritten_file.tar", "dive/test-docker-image.tar", "osv-scalibr/unpack/basic.tar",
    ])
    func squashAtEveryParentGivesTheSameTree(_ input: String) throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let path = input.hasSuffix("docker.tar") && !input.contains("/") ? "\(corpus)/\(input)" : "\(publicData)/\(input)"
        let image = try #require(try service.load(path: try Fixtures.require(path)).images.first, "\(path) loaded no image")
        let name = image.id.description
        let layers = try service.details(of: try service.resolve(name)).manifest.layers
        let original = try service.mergedTree(of: try service.resolve(name))
        let full = dir.path + "/full"
        try service.unpack(name, into: full)
        for keep in 0..<layers.count {
            let id = try service.squash(name, parent: String(keep), options: BuildOptions())
            let sq = try service.resolve(id.description)
            let d = try service.details(of: sq)
            #expect(d.manifest.layers.count == keep + 1)
            #expect(Array(d.manifest.layers.prefix(keep)) == Array(layers.prefix(keep)), "lower layers byte-identical")
            #expect(TreeComparison.changes(from: original, to: try service.mergedTree(of: sq), options: ChangeOptions(ignoreTimestamps: true)).map(\.description) == [], "\(input) --from \(keep)")
            #expect(d.config.history?.filter { $0.emptyLayer != true }.count == keep + 1, "non-empty history entries equal the layers")
            if keep == 0 {
                let out = dir.path + "/sq0"
                try service.unpack(id.description, into: out)
                #expect(try Self.changes(full, out).filter { !$0.hasPrefix("C ") } == [], "\(input)")
                // No whiteout name survives a full squash.
                let tree = try service.mergedTree(of: sq)
                #expect(!tree.entries().contains { "\($0.0)".contains(".wh.") })
            }
        }
    }

    @Test func containerdUnpacksASavedSquashedImage() throws {
        let ctrd = try PrivateContainerd()
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/v2.skopeo.docker.tar")
        _ = try service.squash("example.com/team/app:v2", parent: nil, options: BuildOptions(reference: "example.com/team/app:squashed"))
        let tar = dir.path + "/sq.tar"
        try service.save(["example.com/team/app:squashed"], toFile: tar)
        let r = try ctrd.ctr(["images", "import", tar])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("unpacking example.com/team/app:squashed ("), "\(r.out)")
    }
}
