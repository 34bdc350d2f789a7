import Foundation
import ImageSpec
import Lading
import TarArchive
import Testing
import TestSupport

/// `append` (layer tarballs on top of an image) and `mutate` (config-only changes), with
/// umoci, skopeo and containerd reading what they write.
@Suite struct AppendMutateTests {
    static let base = "example.com/team/app:v2"

    static func loaded() throws -> (ImageService, TemporaryDirectory) {
        let (service, dir) = try makeStore()
        _ = try service.load(path: "\(corpus)/v2.skopeo.docker.tar")
        return (service, dir)
    }

    /// containerd imports the saved image and unpacks it into its snapshotter.
    static func expectContainerdUnpacks(_ service: ImageService, _ name: String, in dir: String) throws {
        let ctrd = try PrivateContainerd()
        let tar = dir + "/ctr.tar"
        try service.save([name], toFile: tar)
        let r = try ctrd.ctr(["images", "import", tar])
        #expect(r.status == 0 && r.out.contains("unpacking \(name) ("), "\(r.out)\(r.err)")
        let check = try ctrd.ctr(["images", "check"])
        let row = check.out.split(separator: "\n").first { $0.hasPrefix(name + " ") } ?? ""
        #expect(row.contains("complete") && row.hasSuffix("true"), "\(check.out)")
    }

    @Test func appendAddsLayersAndHistoryAndPeersReadIt() throws {
        let (service, dir) = try Self.loaded()
        defer { dir.remove() }
        let gz = dir.path + "/extra.tar.gz", plain = dir.path + "/more.tar"
        try TarBuilder(compression: .gzip).directory("opt/extra").file("opt/extra/hello.txt", "hello\n").write(to: gz)
        let plainBytes = try TarBuilder().file("opt/app/bin/hello", "replaced\n", mode: 0o755).file("etc/.keep").bytes()
        try Data(plainBytes).write(to: URL(fileURLWithPath: plain))
        let before = try service.details(of: try service.resolve(Self.base))
        let id = try service.append(Self.base, layers: [gz, plain], options: ImportOptions(reference: "test.example/app:appended"))
        let d = try service.details(of: try service.resolve("test.example/app:appended"))
        #expect(d.manifestDigest == id)
        // The base's layers untouched; the gzip tarball stored byte for byte, the plain one as gzip.
        #expect(Array(d.manifest.layers.prefix(2)) == before.manifest.layers)
        let gzBytes = Array(try Data(contentsOf: URL(fileURLWithPath: gz)))
        #expect(d.manifest.layers[2].digest == Digest.sha256(of: gzBytes) && d.manifest.layers[2].size == Int64(gzBytes.count))
        #expect(d.manifest.layers.map(\.mediaType).suffix(2) == [MediaType.ociLayerGzip, MediaType.ociLayerGzip])
        #expect(d.config.rootfs.diffIDs.count == 4 && d.config.rootfs.diffIDs[3] == Digest.sha256(of: plainBytes))
        #expect(Array(d.config.rootfs.diffIDs.prefix(2)) == before.config.rootfs.diffIDs)
        let history = try #require(d.config.history)
        #expect(history.count == (before.config.history?.count ?? 0) + 2)
        #expect(history.suffix(2).map(\.comment) == ["Appended from \(gz)", "Appended from \(plain)"])
        #expect(history.suffix(2).allSatisfy { $0.createdBy == "lading append" && $0.emptyLayer == nil })
        #expect(d.config.config == before.config.config)
        #expect(ingestLeftovers(service) == [])

        let bundle = dir.path + "/bundle"
        let u = try run(["umoci", "unpack", "--image", "\(service.layout.root):appended", bundle])
        #expect(u.status == 0, "\(u.err)")
        #expect(try String(contentsOfFile: bundle + "/rootfs/opt/extra/hello.txt", encoding: .utf8) == "hello\n")
        #expect(try String(contentsOfFile: bundle + "/rootfs/opt/app/bin/hello", encoding: .utf8) == "replaced\n")
        let s = try run(["skopeo", "inspect", "oci:\(service.layout.root):appended"])
        #expect(s.status == 0, "\(s.err)")
        #expect(s.out.contains(d.manifest.layers[3].digest.description))
        try Self.expectContainerdUnpacks(service, "test.example/app:appended", in: dir.path)
    }

    /// An appended layer deletes with whiteout markers, as a layer may (crane and umoci
    /// append such layers); unpacking (lading's, umoci's, containerd's) leaves the files out.
    @Test func appendedWhiteoutsDeleteFromTheLayersBelow() throws {
        let (service, dir) = try Self.loaded()
        defer { dir.remove() }
        let layer = dir.path + "/delete.tar"
        let bytes = try TarBuilder().file("opt/app/bin/.wh.hello").directory("etc").file("etc/.wh..wh..opq").file("etc/fresh", "new\n").bytes()
        try Data(bytes).write(to: URL(fileURLWithPath: layer))
        let below = dir.path + "/below"
        try service.unpack(Self.base, into: below)
        #expect(FileManager.default.fileExists(atPath: below + "/opt/app/bin/hello"))
        let etcBefore = try FileManager.default.contentsOfDirectory(atPath: below + "/etc")
        #expect(!etcBefore.isEmpty && !etcBefore.contains("fresh"))

        let id = try service.append(Self.base, layers: [layer], options: { var o = ImportOptions(reference: "test.example/app:deleted"); o.compression = .none; return o }())
        let d = try service.details(of: try service.resolve("test.example/app:deleted"))
        #expect(d.manifestDigest == id)
        // Stored byte for byte: the markers are in the layer.
        #expect(d.manifest.layers.last?.digest == Digest.sha256(of: bytes))
        let tree = dir.path + "/tree"
        try service.unpack("test.example/app:deleted", into: tree)
        #expect(!FileManager.default.fileExists(atPath: tree + "/opt/app/bin/hello"))
        #expect(FileManager.default.fileExists(atPath: tree + "/opt/app"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree + "/etc") == ["fresh"])
        let bundle = dir.path + "/bundle"
        let u = try run(["umoci", "unpack", "--image", "\(service.layout.root):deleted", bundle])
        #expect(u.status == 0, "\(u.err)")
        #expect(!FileManager.default.fileExists(atPath: bundle + "/rootfs/opt/app/bin/hello"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: bundle + "/rootfs/etc") == ["fresh"])
        try Self.expectContainerdUnpacks(service, "test.example/app:deleted", in: dir.path)
    }

    @Test func mutateChangesTheConfigOnly() throws {
        let (service, dir) = try Self.loaded()
        defer { dir.remove() }
        let before = try service.details(of: try service.resolve(Self.base))
        var o = MutateOptions(reference: "test.example/app:mutated")
        o.changes = ["ENV A=1", "EXPOSE 8080/tcp"]
        o.labels = [("org.example.team", "core")]
        o.env = [("PATH", "/opt/app/bin:/usr/bin:/bin"), ("B", "two words")]
        o.entrypoint = #"["/opt/app/bin/hello"]"#
        o.cmd = "echo hi"
        o.user = "1000:1000"
        o.workdir = "/srv"
        o.platform = "linux/arm64/v8"
        o.annotations = [("org.opencontainers.image.source", "https://example.com/app")]
        o.message = "mutated"
        let id = try service.mutate(Self.base, options: o)
        let d = try service.details(of: try service.resolve("test.example/app:mutated"))
        #expect(d.manifestDigest == id)
        #expect(d.manifest.layers == before.manifest.layers)
        #expect(d.config.rootfs.diffIDs == before.config.rootfs.diffIDs)
        let c = try #require(d.config.config)
        #expect(c.env == ["PATH=/opt/app/bin:/usr/bin:/bin", "A=1", "B=two words"])
        #expect(c.labels?["org.example.team"] == "core")
        #expect(c.exposedPorts.map { Array($0.keys) } == ["8080/tcp"])
        #expect(c.entrypoint == ["/opt/app/bin/hello"])
        #expect(c.cmd == ["/bin/sh", "-c", "echo hi"])
        #expect(c.user == "1000:1000" && c.workingDir == "/srv")
        #expect(d.config.architecture == "arm64" && d.config.variant == "v8" && d.config.os == "linux")
        #expect(d.manifest.annotations == ["org.opencontainers.image.source": "https://example.com/app"])
        let last = try #require(d.config.history?.last)
        #expect(last.emptyLayer == true && last.comment == "mutated" && last.createdBy == "lading mutate")
        #expect(d.config.history?.count == (before.config.history?.count ?? 0) + 1)

        let s = try run(["skopeo", "inspect", "oci:\(service.layout.root):mutated"])
        #expect(s.status == 0, "\(s.err)")
        #expect(s.out.contains("\"Architecture\": \"arm64\""), "\(s.out)")
        let bundle = dir.path + "/bundle"
        let u = try run(["umoci", "unpack", "--image", "\(service.layout.root):mutated", bundle])
        #expect(u.status == 0, "\(u.err)")
        let runtime = try String(contentsOfFile: bundle + "/config.json", encoding: .utf8)
        #expect(runtime.contains("\"/opt/app/bin/hello\"") && runtime.contains("\"cwd\": \"/srv\""), "\(runtime)")

        // Without a platform change, containerd unpacks it on this machine.
        var plain = MutateOptions(reference: "test.example/app:labelled")
        plain.labels = [("a", "b")]
        plain.entrypoint = "exec hello"
        _ = try service.mutate(Self.base, options: plain)
        // --entrypoint is a field: the command stays (the ENTRYPOINT instruction would clear it).
        let labelled = try #require(try service.details(of: try service.resolve("test.example/app:labelled")).config.config)
        #expect(labelled.entrypoint == ["/bin/sh", "-c", "exec hello"] && labelled.cmd == before.config.config?.cmd)
        #expect(labelled.labels?["a"] == "b" && labelled.env == before.config.config?.env)
        try Self.expectContainerdUnpacks(service, "test.example/app:labelled", in: dir.path)
    }

    @Test func badInputIsRefusedAndNothingIsWritten() throws {
        let (service, dir) = try Self.loaded()
        defer { dir.remove() }
        let store = service.layout.root
        let whiteout = dir.path + "/wh.tar", notTar = dir.path + "/not.tar", good = dir.path + "/good.tar"
        // Whiteout markers and a path written twice: the rewrite that removes duplicates
        // would drop the markers, so such a layer is refused.
        try TarBuilder().file("etc/.wh.motd").file("ok", "1\n").file("ok", "2\n").write(to: whiteout)
        // A file under a marker's name: refused, for what it is (no symlink is on the way).
        let underMarker = dir.path + "/under.tar"
        try TarBuilder().directory("etc/.wh.motd").file("etc/.wh.motd/x", "x\n").write(to: underMarker)
        try "plain text\n".write(toFile: notTar, atomically: true, encoding: .utf8)
        try TarBuilder().file("ok", "ok\n").write(to: good)
        let before = snapshot(store)
        let cases: [([String], Int32, String)] = [
            (["mutate", "-c", "RUN echo hi", Self.base, "-t", "x:1"], 1, "Error: RUN is not a valid change command"),
            (["mutate", "-t", "x:1", "nope:1"], 1, "nope:1"),
            (["mutate", "--label", "novalue", Self.base], 2, "--label novalue: expected key=value"),
            (["mutate", "--platform", "linux/", Self.base], 2, "--platform"),
            (["append", "-t", "x:1", Self.base, good, whiteout], 1, "\(whiteout): a layer with whiteout markers must not name a path twice (entry ok); write each path once"),
            (["append", "-t", "x:1", Self.base, underMarker], 1, "\(underMarker): entry etc/.wh.motd/x: lies inside a whiteout marker's name: .wh. names"),
            (["append", "-t", "x:1", Self.base, notTar], 1, "\(notTar)"),
            (["append", "-t", "x:1", "nope:1", good], 1, "nope:1"),
            (["append", Self.base], 2, "append needs at least one layer tarball"),
            (["append", "--compression", "brotli", Self.base, good], 2, "--compression must be keep, gzip, zstd or none"),
        ]
        for (args, status, message) in cases {
            let r = try run([ladingBinary, args[0], "--store", store] + args.dropFirst())
            #expect(r.status == status, "\(args): \(r.err)")
            #expect(r.err.hasPrefix("Error: ") && r.err.contains(message), "\(args): \(r.err)")
            #expect(r.out.isEmpty, "\(args)")
        }
        #expect(snapshot(store) == before)
        #expect(ingestLeftovers(service) == [])
    }
}
