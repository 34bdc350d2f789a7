import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// podman and buildah as peers (private vfs storage, no container run): podman loads
/// what lading saves as the same images (ID = config digest, names, config) and mounts
/// the same tree lading unpacks; lading loads what `podman save` and `buildah push`
/// write, with their names and IDs. These run in CI and never skip.
@Suite(.serialized) struct PodmanInteropTests {
    /// (corpus input, base name for bare tags) → the names lading gives its images.
    static let inputs: [(file: String, baseName: String?, label: String)] = [
        ("\(corpus)/v2.skopeo.docker.tar", nil, "one image"),
        ("\(corpus)/multi.containerd.docker.tar", nil, "several images"),
        ("\(corpus)/layout-zstd", "example.com/team/zstd", "zstd layers"),
        // docker 1.x's format, its configs rebuilt by lading (one layer.tar of 0 bytes).
        ("\(publicData)/moby/emptyLayer.tar", nil, "pre-1.10 archive"),
    ]

    @Test(arguments: inputs.indices)
    func podmanLoadsWhatLadingSaves(_ i: Int) throws {
        let (file, baseName, label) = Self.inputs[i]
        let pod = try PrivatePodman()
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: file, options: .init(baseName: baseName))
        let images = try service.images()
        let names = images.flatMap(\.names).map(\.description).sorted()
        #expect(!names.isEmpty)
        let tar = dir.path + "/out.tar"
        let save = try run([ladingBinary, "save", "--store", service.layout.root, "-o", tar] + names)
        #expect(save.status == 0, "\(label): \(save.err)")
        let out = try pod.podman(["load", "-i", tar])
        for n in names { #expect(out.contains("Loaded image: \(n)\n"), "\(label): \(out)") }

        // Same IDs (podman's image ID is the config digest) with the same names.
        var expected: [(id: String, names: [String])] = []
        for img in images {
            let d = try service.details(of: img)
            expected.append((d.configDigest.encoded, img.names.map(\.description).sorted()))
        }
        expected.sort { $0.id < $1.id }
        let got = try pod.images()
        #expect(got.map(\.id) == expected.map(\.id), "\(label)")
        #expect(got.map(\.names) == expected.map(\.names), "\(label)")

        for img in images {
            let d = try service.details(of: img)
            let name = try #require(img.names.first).description
            // The same config: its digest is the ID; podman reads the same fields from it.
            let inspect = try pod.inspect(name)
            #expect(inspect["Id"] as? String == d.configDigest.encoded)
            #expect(inspect["Architecture"] as? String == d.config.architecture)
            #expect(inspect["Os"] as? String == d.config.os)
            #expect((inspect["RootFS"] as? [String: Any])?["Layers"] as? [String] == d.config.rootfs.diffIDs.map(\.description))
            let podConfig = inspect["Config"] as? [String: Any] ?? [:]
            #expect(podConfig["Cmd"] as? [String] == d.config.config?.cmd, "\(label) \(name)")
            #expect((podConfig["Env"] as? [String] ?? []) == (d.config.config?.env ?? []), "\(label) \(name)")

            // podman's mounted tree is the tree lading unpacks.
            let mounted = try pod.podman(["image", "mount", name]).trimmingCharacters(in: .whitespacesAndNewlines)
            let unpacked = dir.path + "/unpacked-\(d.configDigest.encoded.prefix(12))"
            let u = try run([ladingBinary, "unpack", "--store", service.layout.root, name, unpacked])
            #expect(u.status == 0, "\(label) \(name): \(u.err)")
            let theirs = try treeListing(mounted), ours = try treeListing(unpacked)
            #expect(!ours.isEmpty)
            #expect(theirs == ours, "\(label) \(name): podman \(theirs.count) entries, lading \(ours.count)")
            try pod.podman(["image", "unmount", name])
        }
    }

    /// podman's images from a corpus archive, and what each `podman save` format gives lading.
    @Test func ladingLoadsWhatPodmanSaves() throws {
        let pod = try PrivatePodman()
        try pod.podman(["load", "-i", "\(corpus)/multi.containerd.docker.tar"])
        let v2 = "example.com/team/app:v2", base = "example.com/team/app:base"
        let want = try pod.images()
        #expect(want.map(\.names) == [["example.com/team/app:latest", v2], [base]], "\(want)")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cases: [(args: [String], out: String, names: [String])] = [
            (["--format", "docker-archive"], "d.tar", [v2]),
            (["--format", "oci-archive"], "o.tar", [v2]),
            (["--format", "oci-dir"], "o.dir", [v2]),
            (["--format", "docker-archive", "-m"], "m.tar", [v2, base]),
        ]
        // podman names an image pulled from oci:DIR after DIR, which must then be lowercase.
        let lower = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lading-podman-oci-" + UUID().uuidString.lowercased()).path
        try FileManager.default.createDirectory(atPath: lower, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: lower) }
        for c in cases {
            let path = (c.out.hasSuffix(".dir") ? lower : dir.path) + "/" + c.out
            try pod.podman(["save"] + c.args + ["-o", path] + c.names)
            let (service, sdir) = try makeStore()
            defer { sdir.remove() }
            let loaded = try service.load(path: path)
            #expect(loaded.images.flatMap(\.names).map(\.description).sorted() == c.names.sorted(), "\(c.args)")
            // The IDs podman gives what it saved (an OCI format converts the config, as
            // c/image does, so the ID is that of the converted config): a second podman loads it.
            let check = try PrivatePodman()
            if c.out.hasSuffix(".dir") {
                // podman 4.3's load takes no oci-dir; its oci: transport reads it by ref.name.
                for n in c.names { try check.podman(["pull", "-q", "oci:\(path):\(n)"]) }
            } else {
                try check.podman(["load", "-i", path])
            }
            let theirs = try check.images()
            #expect(theirs.count == c.names.count, "\(c.args)")
            for n in c.names {
                let d = try service.details(of: try service.resolve(n))
                // podman 4.3 names an image pulled from oci:DIR after DIR: the one image is it.
                let podID = try #require((theirs.first { $0.names.contains(n) } ?? (c.out.hasSuffix(".dir") && theirs.count == 1 ? theirs.first : nil))?.id,
                                         "podman loaded no \(n): \(theirs)")
                #expect(d.configDigest.encoded == podID, "\(c.args) \(n)")
                if c.args.contains("docker-archive") {
                    #expect(podID == want.first { $0.names.contains(n) }?.id, "docker-archive keeps the config: \(n)")
                }
            }
        }
    }

    /// podman's docker-archive carries the pre-1.10 form beside manifest.json (`<id>/json`,
    /// `<id>/layer.tar`, `repositories`): without manifest.json, lading reads that form,
    /// with podman's names, diff IDs and config fields.
    @Test func ladingReadsTheLegacyFormOfPodmansArchive() throws {
        let pod = try PrivatePodman()
        try pod.podman(["load", "-i", "\(corpus)/multi.containerd.docker.tar"])
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let v2 = "example.com/team/app:v2", base = "example.com/team/app:base"
        let tar = dir.path + "/m.tar"
        try pod.podman(["save", "-m", "--format", "docker-archive", "-o", tar, v2, base])
        // Unpacked and packed again without manifest.json (GNU tar's --delete cuts this
        // archive short), links kept.
        let legacy = dir.path + "/legacy.tar"
        let repack = try run(["sh", "-c", "mkdir '\(dir.path)/x' && tar -xf '\(tar)' -C '\(dir.path)/x' && rm '\(dir.path)/x/manifest.json' && tar -cf '\(legacy)' -C '\(dir.path)/x' ."])
        #expect(repack.status == 0, "\(repack.err)")
        let (service, sdir) = try makeStore()
        defer { sdir.remove() }
        let loaded = try service.load(path: legacy)
        #expect(loaded.images.flatMap(\.names).map(\.description).sorted() == [base, v2])
        for n in [v2, base] {
            let d = try service.details(of: try service.resolve(n))
            let inspect = try pod.inspect(n)
            #expect((inspect["RootFS"] as? [String: Any])?["Layers"] as? [String] == d.config.rootfs.diffIDs.map(\.description), "\(n)")
            let podConfig = inspect["Config"] as? [String: Any] ?? [:]
            #expect(podConfig["Cmd"] as? [String] == d.config.config?.cmd, "\(n)")
            #expect((podConfig["Env"] as? [String] ?? []) == (d.config.config?.env ?? []), "\(n)")
            #expect(inspect["Architecture"] as? String == d.config.architecture)
            #expect(d.config.history?.count == d.config.rootfs.diffIDs.count)
        }
    }

    /// buildah's own image (from scratch, no container run), pushed as an `oci:` layout
    /// and a docker-archive: lading loads both with buildah's name and ID, and a whole
    /// layout copy keeps buildah's ref.name so podman reads the copy by the same name.
    @Test func ladingLoadsWhatBuildahPushes() throws {
        let pod = try PrivatePodman()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "hello from buildah\n".write(toFile: dir.path + "/hello.txt", atomically: true, encoding: .utf8)
        let ctr = try pod.buildah(["from", "scratch"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try pod.buildah(["add", "--chmod", "0640", ctr, dir.path + "/hello.txt", "/opt/hello.txt"])
        try pod.buildah(["config", "--cmd", "/opt/hello", "--env", "A=1", "--label", "built.by=buildah", ctr])
        try pod.buildah(["commit", "-q", ctr, "localhost/b:latest"])
        try pod.buildah(["rm", ctr])
        let id = try #require(pod.images().first { $0.names == ["localhost/b:latest"] }?.id, "buildah made no localhost/b:latest")

        let layout = dir.path + "/oci", archive = dir.path + "/b.tar"
        try pod.buildah(["push", "-q", "localhost/b:latest", "oci:\(layout):localhost/b:latest"])
        try pod.buildah(["push", "-q", "localhost/b:latest", "docker-archive:\(archive):localhost/b:latest"])
        for source in [layout, archive] {
            let (service, sdir) = try makeStore()
            defer { sdir.remove() }
            let loaded = try service.load(path: source)
            #expect(loaded.images.flatMap(\.names).map(\.description) == ["localhost/b:latest"], "\(source)")
            let d = try service.details(of: try service.resolve("localhost/b:latest"))
            #expect(d.configDigest.encoded == id, "\(source)")
            #expect(d.config.config?.env?.contains("A=1") == true)
            #expect(d.config.config?.labels?["built.by"] == "buildah")
            let root = sdir.path + "/rootfs"
            try service.unpack("localhost/b:latest", into: root)
            #expect(try treeListing(root) == ["opt 755 0:0 dir", "opt/hello.txt 640 0:0 file 19 \(Digest.sha256(of: Array("hello from buildah\n".utf8)))"])
        }

        // `lading copy oci:SRC oci:DST` keeps buildah's ref.name: podman pulls the copy by
        // it (DST lowercase: podman names what it pulls from oci: after the directory).
        let copy = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lading-podman-copy-" + UUID().uuidString.lowercased()).path
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let c = try run([ladingBinary, "copy", "--store", dir.path + "/store", "oci:\(layout)", "oci:\(copy)"])
        #expect(c.status == 0, "\(c.err)")
        let fresh = try PrivatePodman()
        try fresh.podman(["pull", "-q", "oci:\(copy):localhost/b:latest"])
        #expect(try fresh.images().map(\.id) == [id])
    }
}
