import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// `docker save` archives of docker 1.9 and older (no manifest.json; `<id>/json` with
/// parent links, `<id>/layer.tar`, `repositories`): configs and layer chains rebuilt as
/// docker's legacy loader did.
@Suite struct LegacyArchiveTests {
    static let base = String(repeating: "b", count: 64), app = String(repeating: "a", count: 64), tool = String(repeating: "c", count: 64)

    /// A layer of one file `path` (one directory deep) holding `content`.
    static func layerTar(_ path: String, _ content: String) throws -> [UInt8] {
        try TarBuilder().directory(String(path.prefix { $0 != "/" })).file(path, content).bytes()
    }

    /// One legacy archive: layer directories (json, VERSION, layer.tar unless nil) and `repositories`.
    static func archive(_ layers: [(id: String, json: String, tar: [UInt8]?)], repositories: String?) throws -> [UInt8] {
        let b = try TarBuilder()
        for l in layers {
            try b.directory(l.id)
            try b.file("\(l.id)/VERSION", "1.0")
            try b.file("\(l.id)/json", l.json)
            if let t = l.tar { try b.file("\(l.id)/layer.tar", bytes: t) }
        }
        if let repositories { try b.file("repositories", repositories) }
        return try b.bytes()
    }

    static func json(_ id: String, parent: String?, cmd: String, created: String, extra: String = "") -> String {
        let p = parent.map { #""parent":"\#($0)","# } ?? ""
        return #"{"id":"\#(id)",\#(p)"created":"\#(created)","container_config":{"Cmd":["/bin/sh","-c","\#(cmd)"]},"docker_version":"1.9.1","architecture":"amd64","os":"linux","Size":123\#(extra)}"#
    }

    static func load(_ bytes: [UInt8]) throws -> (ImageService, TemporaryDirectory, [LoadedImageReport]) {
        let (service, dir) = try makeStore()
        let path = dir.path + "/legacy.tar"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (service, dir, try service.load(path: path).images)
    }

    @Test func aTwoLayerChainIsOneImageWithItsConfigAndHistory() throws {
        let baseTar = try Self.layerTar("etc/base", "base\n"), appTar = try Self.layerTar("opt/app", "app\n")
        let bytes = try Self.archive([
            (Self.base, Self.json(Self.base, parent: nil, cmd: "#(nop) ADD file:x in /", created: "2015-10-01T10:00:00.5Z", extra: #","comment":"Imported from -""#), baseTar),
            (Self.app, Self.json(Self.app, parent: Self.base, cmd: #"#(nop) CMD [\"/opt/app\"]"#, created: "2015-10-02T11:00:00Z",
                                 extra: #","author":"Jane <jane@example.com>","config":{"Cmd":["/opt/app"],"Env":["A=1"],"WorkingDir":"/opt"},"parent_id":"sha256:x","layer_id":"sha256:y","throwaway":false,"x-extra":1"#), appTar),
        ], repositories: #"{"example.com/legacy/app":{"1.9":"\#(Self.app)","latest":"\#(Self.app)"}}"#)
        let (service, dir, images) = try Self.load(bytes)
        defer { dir.remove() }
        #expect(images.flatMap(\.names).map(\.description) == ["example.com/legacy/app:1.9", "example.com/legacy/app:latest"])
        let d = try service.details(of: try service.resolve("example.com/legacy/app:1.9"))
        let diffIDs = [Digest.sha256(of: baseTar), Digest.sha256(of: appTar)]
        #expect(d.config.rootfs.diffIDs == diffIDs)
        #expect(d.manifest.layers.map(\.digest) == diffIDs)
        #expect(d.manifest.layers.map(\.mediaType) == [MediaType.ociLayer, MediaType.ociLayer])
        #expect(d.config.config?.cmd == ["/opt/app"])
        #expect(d.config.config?.env == ["A=1"])
        #expect(d.config.author == "Jane <jane@example.com>")
        #expect(d.config.created == "2015-10-02T11:00:00Z")
        #expect(d.config.history == [
            History(created: "2015-10-01T10:00:00.5Z", createdBy: "/bin/sh -c #(nop) ADD file:x in /", comment: "Imported from -"),
            History(created: "2015-10-02T11:00:00Z", createdBy: "/bin/sh -c #(nop) CMD [\"/opt/app\"]", author: "Jane <jane@example.com>"),
        ])
        // The top layer's JSON, less the keys docker's loader drops, keys sorted.
        let raw = try JSONSerialization.jsonObject(with: Data(try service.layout.readBlob(d.configDigest))) as! [String: Any]
        #expect(raw.keys.sorted() == ["architecture", "author", "config", "container_config", "created", "docker_version", "history", "os", "rootfs", "x-extra"])
        // Both layers apply, in chain order.
        let root = dir.path + "/rootfs"
        try service.unpack("example.com/legacy/app:latest", into: root)
        #expect(try treeListing(root) == [
            "etc 755 0:0 dir", "etc/base 644 0:0 file 5 \(Digest.sha256(of: Array("base\n".utf8)))",
            "opt 755 0:0 dir", "opt/app 644 0:0 file 4 \(Digest.sha256(of: Array("app\n".utf8)))",
        ])
        // The same archive loads as the same image (the config is canonical).
        let (again, dir2, _) = try Self.load(bytes)
        defer { dir2.remove() }
        #expect(try again.resolve("example.com/legacy/app:1.9").id == d.image.id)
    }

    @Test func twoImagesSharingAParentShareItsLayer() throws {
        let baseTar = try Self.layerTar("etc/base", "base\n")
        let bytes = try Self.archive([
            (Self.base, Self.json(Self.base, parent: nil, cmd: "base", created: "2015-01-01T00:00:00Z"), baseTar),
            (Self.app, Self.json(Self.app, parent: Self.base, cmd: "app", created: "2015-01-02T00:00:00Z"), try Self.layerTar("opt/app", "app\n")),
            (Self.tool, Self.json(Self.tool, parent: Self.base, cmd: "tool", created: "2015-01-03T00:00:00Z"), try Self.layerTar("opt/tool", "tool\n")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.app)"},"legacy/tool":{"1":"\#(Self.tool)"},"legacy/base":{"1":"\#(Self.base)"}}"#)
        let (service, dir, images) = try Self.load(bytes)
        defer { dir.remove() }
        #expect(images.flatMap(\.names).map(\.description) == ["docker.io/legacy/app:1", "docker.io/legacy/base:1", "docker.io/legacy/tool:1"])
        let app = try service.details(of: try service.resolve("legacy/app:1"))
        let tool = try service.details(of: try service.resolve("legacy/tool:1"))
        let base = try service.details(of: try service.resolve("legacy/base:1"))
        #expect(base.config.rootfs.diffIDs == [Digest.sha256(of: baseTar)])
        #expect(app.config.rootfs.diffIDs.first == Digest.sha256(of: baseTar))
        #expect(tool.config.rootfs.diffIDs.first == Digest.sha256(of: baseTar))
        #expect(app.config.rootfs.diffIDs.count == 2 && tool.config.rootfs.diffIDs.count == 2)
        #expect(tool.config.history?.map(\.createdBy) == ["/bin/sh -c base", "/bin/sh -c tool"])
        // One blob per layer: 3 layers, 3 configs, 3 manifests.
        let blobs = try FileManager.default.contentsOfDirectory(atPath: service.layout.root + "/blobs/sha256")
        #expect(blobs.count == 9)
    }

    @Test func withoutRepositoriesTheTopsLoadUnnamed() throws {
        let bytes = try Self.archive([
            (Self.base, Self.json(Self.base, parent: nil, cmd: "base", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/b", "b")),
            (Self.app, Self.json(Self.app, parent: Self.base, cmd: "app", created: "2015-01-02T00:00:00Z"), try Self.layerTar("a/c", "c")),
        ], repositories: nil)
        let (service, dir, images) = try Self.load(bytes)
        defer { dir.remove() }
        #expect(images.count == 1 && images.allSatisfy { $0.names.isEmpty })
        #expect(try service.images().map { try service.details(of: $0).config.rootfs.diffIDs.count } == [2])
    }

    @Test func beforeDocker183OnlyTheV1FieldsAreKept() throws {
        let json = #"{"id":"\#(Self.base)","created":"2015-01-01T00:00:00Z","container":"","docker_version":"1.6.2","architecture":"amd64","x-extra":1,"comment":null,"config":{"Cmd":["/bin/sh"]}}"#
        let (service, dir, _) = try Self.load(try Self.archive([(Self.base, json, try Self.layerTar("a/b", "b"))], repositories: #"{"old":{"1":"\#(Self.base)"}}"#))
        defer { dir.remove() }
        let d = try service.details(of: try service.resolve("old:1"))
        let raw = try JSONSerialization.jsonObject(with: Data(try service.layout.readBlob(d.configDigest))) as! [String: Any]
        #expect(raw.keys.sorted() == ["architecture", "config", "created", "docker_version", "history", "os", "rootfs"])
        #expect(raw["os"] as? String == "linux")
        #expect(raw["history"] as? [[String: String]] == [["created": "2015-01-01T00:00:00Z"]])
    }

    /// moby's own pre-1.10 fixture (2013–2015 layers; one layer.tar of 0 bytes, which
    /// docker's loader took as an empty layer): three layers, one name, verify clean.
    @Test func mobysLegacyFixtureLoadsWithItsChain() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let loaded = try service.load(path: "\(publicData)/moby/emptyLayer.tar")
        #expect(loaded.images.flatMap(\.names).map(\.description) == ["docker.io/matthughes/library-centos:6-2015.03.20"])
        let d = try service.details(of: try service.resolve("matthughes/library-centos:6-2015.03.20"))
        #expect(d.config.rootfs.diffIDs.map(\.description) == [
            "sha256:f624397841595b2369935cbd47fde10171ff91347afa9a5c793275d3765e8e0d",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha256:3b90aed61465a1f294fdd312108c1e7f476b3e1b7246c8eebc0f537dec42f2de",
        ])
        #expect(d.config.history?.map(\.comment) == ["Imported from -", nil, nil])
        #expect(d.config.history?.map(\.created) == ["2013-06-13T14:03:50.821769-07:00", "2014-10-01T20:46:13.51090041Z", "2015-03-04T21:38:56.769279623Z"])
        #expect(d.config.history?.last?.createdBy == "/bin/sh -c #(nop) ADD file:2b2b26209d285cd1a96e8168dfb25338aa09155d0a9a6ed54a94be0bd9914461 in /")
        #expect(d.config.author == "The CentOS Project <cloud-ops@centos.org> - ami_creator")
        #expect(d.config.config?.env == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
        let v = try run([ladingBinary, "verify", "--store", service.layout.root, "matthughes/library-centos:6-2015.03.20"])
        #expect(v.status == 0 && v.out == "matthughes/library-centos:6-2015.03.20: OK (5 blobs checked)\n", "\(v.out)\(v.err)")
    }

    // Bad input: the entry at fault is named, nothing is written.

    @Test func aParentCycleIsRefused() throws {
        try BadInputTests.expectRejected(try Self.archive([
            (Self.base, Self.json(Self.base, parent: Self.app, cmd: "x", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/b", "b")),
            (Self.app, Self.json(Self.app, parent: Self.base, cmd: "y", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/c", "c")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.app)"}}"#), "\(Self.base)/json: the parent chain loops back to \(Self.app)")
    }

    @Test func theCommandSaysWhichEntryAndExits1() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/cycle.tar"
        try Data(try Self.archive([
            (Self.app, Self.json(Self.app, parent: Self.app, cmd: "y", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/c", "c")),
        ], repositories: nil)).write(to: URL(fileURLWithPath: path))
        let r = try run([ladingBinary, "load", "--store", dir.path + "/store", "-i", path])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        #expect(r.err == "Error: \(path): \(Self.app)/json: the parent chain loops back to \(Self.app)\n")
        let images = try run([ladingBinary, "images", "-q", "--store", dir.path + "/store"])
        #expect(images.status == 0 && images.out.isEmpty)
    }

    @Test func aMissingParentIsRefused() throws {
        try BadInputTests.expectRejected(try Self.archive([
            (Self.app, Self.json(Self.app, parent: Self.base, cmd: "y", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/c", "c")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.app)"}}"#), "\(Self.app)/json: parent \(Self.base) is not in the archive")
    }

    @Test func aMissingLayerTarIsRefused() throws {
        try BadInputTests.expectRejected(try Self.archive([
            (Self.base, Self.json(Self.base, parent: nil, cmd: "x", created: "2015-01-01T00:00:00Z"), nil),
            (Self.app, Self.json(Self.app, parent: Self.base, cmd: "y", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/c", "c")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.app)"}}"#), "\(Self.base)/layer.tar is not in the archive")
    }

    @Test func aJSONThatIsNotJSONIsRefused() throws {
        try BadInputTests.expectRejected(try Self.archive([
            (Self.base, "{\"id\": \"\(Self.base)\", not json", try Self.layerTar("a/b", "b")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.base)"}}"#), "\(Self.base)/json: not a JSON object")
    }

    @Test func aNameForAnAbsentLayerIsRefused() throws {
        try BadInputTests.expectRejected(try Self.archive([
            (Self.base, Self.json(Self.base, parent: nil, cmd: "x", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/b", "b")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.app)"}}"#), "repositories: legacy/app:1 names layer \(Self.app), which is not in the archive")
    }
    /// Docker read `created` as a Go time: a date that is not RFC 3339 failed its load. The
    /// input is the archive fuzzer's finding (a lower layer's date shuffled), which loaded
    /// a config `verify` then refused.
    @Test func aLayerDateThatIsNotRFC3339IsRefused() throws {
        try BadInputTests.expectRejected(try Self.archive([
            (Self.base, Self.json(Self.base, parent: nil, cmd: "x", created: "201--01633T14:03:50.821769-07:00"), try Self.layerTar("a/b", "b")),
            (Self.app, Self.json(Self.app, parent: Self.base, cmd: "y", created: "2015-01-01T00:00:00Z"), try Self.layerTar("a/c", "c")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.app)"}}"#), "\(Self.base)/json: created \"201--01633T14:03:50.821769-07:00\" is not an RFC 3339 date-time")
        try BadInputTests.expectRejected(try Self.archive([
            (Self.base, Self.json(Self.base, parent: nil, cmd: "x", created: "2015-01-01T00:00:00Z", extra: #","config":{"Env":"A=1"}"#), try Self.layerTar("a/b", "b")),
        ], repositories: #"{"legacy/app":{"1":"\#(Self.base)"}}"#), "\(Self.base)/json (the image's config): config.Env: is string, expected an array")
    }
}
