import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// rmi and prune write the new index.json before they delete a blob, and delete nothing
/// when a document an image needs cannot be read.
@Suite(.serialized) struct RemovalOrderTests {
    /// A store with two images sharing a base layer: `app:v2` (tagged also `keep:1`) and `app:base`.
    private func store() throws -> (ImageService, TemporaryDirectory) {
        let (service, dir) = try makeStore()
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        try service.tag("example.com/team/app:v2", "keep.example/k:1")
        return (service, dir)
    }

    /// `strace` injects `fault` into every rename(2) of `argv` run against the store.
    private func underFault(_ fault: String, _ store: String, _ argv: [String]) throws -> (status: Int32, out: String, err: String) {
        try run(["strace", "-f", "-o", "/dev/null", "-e", "trace=rename", "-e", "inject=rename:\(fault)",
                 ladingBinary, argv[0], "--store", store] + argv.dropFirst())
    }

    @Test(arguments: [
        (["rmi", "example.com/team/app:base"], "signal=KILL"),
        (["rmi", "example.com/team/app:base"], "error=EIO"),
        (["rmi", "-f", "example.com/team/app:v2"], "signal=KILL"),
        (["prune", "-a", "-f"], "signal=KILL"),
        (["prune", "-a", "-f"], "error=EIO"),
    ])
    func aRemovalStoppedAtTheIndexWriteDeletesNoBlob(argv: [String], fault: String) throws {
        let (service, dir) = try store()
        defer { dir.remove() }
        let root = service.layout.root
        let blobsBefore = try FileManager.default.contentsOfDirectory(atPath: root + "/blobs/sha256").sorted()
        let namesBefore = try service.images().flatMap(\.names).map(\.description).sorted()
        let r = try underFault(fault, root, argv)
        if fault == "signal=KILL" {
            #expect(r.status == 137 || r.status == 128 + SIGKILL || r.status == SIGKILL, "\(r)")
        } else {
            #expect(r.status == 1)
            #expect(r.err.contains("Error: cannot rename") && r.err.contains("index.json: Input/output error"), "\(r.err)")
        }
        // Nothing was renamed, so nothing changed: every name keeps every blob.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/blobs/sha256").sorted() == blobsBefore)
        let check = try ImageService(storePath: root)
        #expect(try check.images().flatMap(\.names).map(\.description).sorted() == namesBefore)
        let report = Verifier.verify(layout: check.layout, target: "store")
        #expect(report.findings.isEmpty, "\(report.findings)")
    }

    @Test func aCorruptManifestStopsPruneAndRmiAndNothingIsDeleted() throws {
        let (service, dir) = try store()
        defer { dir.remove() }
        let root = service.layout.root
        let v2 = try service.resolve("example.com/team/app:v2")
        // Bit rot: the manifest of a named image is a few bytes now.
        let path = service.layout.blobPath(v2.id)
        chmod(path, 0o644)
        try Data("{\"sch".utf8).write(to: URL(fileURLWithPath: path))
        let before = snapshot(root)
        let position = try service.layout.readIndex().manifests.firstIndex { $0.digest == v2.id }!
        for argv in [["prune", "-f"], ["rmi", "example.com/team/app:base"], ["rmi", "keep.example/k:1"]] {
            let r = try run([ladingBinary, argv[0], "--store", root] + argv.dropFirst())
            #expect(r.status == 1, "\(argv): \(r)")
            #expect(r.err.hasPrefix("Error: manifest \(v2.id) (index.json manifests[\(position)] ("), "\(argv): \(r.err)")
            #expect(r.err.contains(") cannot be read: "), "\(r.err)")
            #expect(snapshot(root) == before, "\(argv) changed the store")
        }
        // verify names it and says how to repair.
        let report = Verifier.verify(layout: service.layout, target: "store", isStore: true)
        #expect(report.findings.contains { $0.blob == v2.id && $0.message.contains("load the image again, or rmi its names") },
                "\(report.findings)")
        // Removing the broken image's names is the way out: its own blobs then go.
        let r = try run([ladingBinary, "rmi", "--store", root, "-f", v2.id.description])
        #expect(r.status == 0, "\(r)")
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(Verifier.verify(layout: service.layout, target: "store").findings.isEmpty)
        #expect(try service.images().flatMap(\.names).map(\.description) == ["example.com/team/app:base"])
    }

    @Test func anUnreadableIndexChildStopsPrune() throws {
        // A nested document: the manifest below an index is unreadable, and only the
        // index (named) reaches it.
        let (service, dir) = try store()
        defer { dir.remove() }
        let v2 = try service.resolve("example.com/team/app:v2")
        let index = ImageIndex(manifests: [v2.descriptor])
        let bytes = try JSON.encode(index)
        let digest = try service.layout.putBlob(bytes)
        try service.layout.updateIndex { idx in
            idx.manifests = [Descriptor(mediaType: MediaType.ociIndex, digest: digest, size: Int64(bytes.count),
                                        annotations: [AnnotationKey.imageName: "idx.example/i:1"])]
        }
        chmod(service.layout.blobPath(v2.id), 0o644)
        try Data("[]".utf8).write(to: URL(fileURLWithPath: service.layout.blobPath(v2.id)))
        let before = snapshot(service.layout.root)
        let e = try #require(throws: LayoutError.self) { try service.prune(PruneOptions()) }
        #expect(e.description.hasPrefix("manifest \(v2.id) (index.json manifests[0] (idx.example/i:1) > manifests[0]) cannot be read: "), "\(e)")
        #expect(snapshot(service.layout.root) == before)
    }

    @Test func pruneSweepsIndexTemporariesAndLeavesOtherFiles() throws {
        let (service, dir) = try store()
        defer { dir.remove() }
        let root = service.layout.root
        let stale = "\(root)/.\(UUID().uuidString).tmp"
        let other = "\(root)/.notes.tmp"
        for p in [stale, other] { #expect(FileManager.default.createFile(atPath: p, contents: Data("{}".utf8))) }
        let r = try run([ladingBinary, "prune", "--store", root, "-f"])
        #expect(r.status == 0, "\(r)")
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test func commitAndSquashLeaveNoIngestDirectory() throws {
        let (service, dir) = try store()
        defer { dir.remove() }
        let root = service.layout.root
        let tree = dir.path + "/tree"
        try service.unpack("example.com/team/app:v2", into: tree)
        try "x\n".write(toFile: tree + "/added", atomically: false, encoding: .utf8)
        // This process's own ingest directory (it loaded the images) stays while it runs.
        let ours = Set((try? FileManager.default.contentsOfDirectory(atPath: root + "/.ingest")) ?? [])
        for argv in [["commit", "example.com/team/app:v2", tree, "c.example/c:1"],
                     ["squash", "example.com/team/app:v2", "s.example/s:1"],
                     ["commit", "example.com/team/app:v2", dir.path + "/absent", "c.example/c:2"]] {
            _ = try run([ladingBinary, argv[0], "--store", root] + argv.dropFirst())
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/.ingest")) ?? []).filter { !ours.contains($0) }
            #expect(left.isEmpty, "\(argv) left .ingest/\(left)")
        }
    }

    @Test func aDryRunPrunesNothingOnAReadOnlyStore() throws {
        let (service, dir) = try store()
        defer { dir.remove() }
        try service.tag("example.com/team/app:base", "gone.example/g:1")
        _ = try service.remove("gone.example/g:1")
        _ = try service.remove("example.com/team/app:base")
        let ro = dir.path + "/ro"
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        #expect(try run(["mount", "--bind", service.layout.root, ro]).status == 0)
        defer { _ = try? run(["umount", ro]) }
        #expect(try run(["mount", "-o", "remount,ro,bind", ro]).status == 0)
        let r = try run([ladingBinary, "prune", "--store", ro, "-a", "--dry-run"])
        #expect(r.status == 0, "\(r)")
        #expect(r.out.contains("would untag: example.com/team/app:v2\nwould untag: keep.example/k:1\n"), "\(r.out)")
        #expect(r.out.contains("would delete blob: "), "\(r.out)")
    }
}

/// What other tools name is never taken for dangling, and a name is matched with its
/// repository and digest together.
@Suite struct NamedForOthersTests {
    @Test func pruneKeepsBareTagsAndNamesItCannotParse() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let v2 = try service.resolve("example.com/team/app:v2")
        let base = try service.resolve("example.com/team/app:base")
        // As `skopeo copy … oci:STORE:mytag` writes it, and a name that is no reference.
        try service.layout.updateIndex { index in
            index.manifests = [v2.descriptor.tagged("mytag"),
                               base.descriptor.named(nil).merging([AnnotationKey.imageName: "UPPER/Case:1"])]
        }
        let r = try service.prune(PruneOptions())
        #expect(r.deletedImages.isEmpty && r.deletedBlobs.isEmpty, "\(r.deletedImages)")
        #expect(try service.layout.readIndex().manifests.count == 2)
    }

    @Test func aDigestInAnotherRepositoryIsNoSuchImage() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let v2 = try service.resolve("example.com/team/app:v2")
        let r = try run([ladingBinary, "rmi", "--store", service.layout.root, "other.io/nope@\(v2.id)"])
        #expect(r.status == 1 && r.err == "Error: No such image: other.io/nope@\(v2.id)\n", "\(r)")
        #expect(try service.resolve("example.com/team/app@\(v2.id)").id == v2.id)
        // A name that reads as an ID would hide one.
        let t = try run([ladingBinary, "tag", "--store", service.layout.root, "example.com/team/app:v2", "sha256:\(String(repeating: "a", count: 64))"])
        #expect(t.status == 1 && t.err.contains("refusing to create an ambiguous tag"), "\(t)")
    }
}

private extension Descriptor {
    func merging(_ annotations: [String: String]) -> Descriptor {
        var d = self
        d.annotations = (d.annotations ?? [:]).merging(annotations) { _, b in b }
        return d
    }
}

/// `verify`'s advice works: loading the image again repairs blobs damaged on disk.
@Suite struct RepairByLoadTests {
    @Test func loadingAgainRepairsADamagedManifestAndLayer() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let base = try service.resolve("example.com/team/app:base")
        let layer = try service.details(of: base).manifest.layers[0].digest
        for d in [base.id, layer] {
            let p = service.layout.blobPath(d)
            chmod(p, 0o644)
            let fd = open(p, O_WRONLY)
            var b: UInt8 = 0x5a
            #expect(pwrite(fd, &b, 1, 100) == 1)
            close(fd)
        }
        #expect(!Verifier.verify(layout: service.layout, target: "store").clean)
        let r = try run([ladingBinary, "load", "--store", service.layout.root, "\(corpus)/multi.containerd.docker.tar"])
        #expect(r.status == 0, "\(r)")
        let report = Verifier.verify(layout: service.layout, target: "store")
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(try service.prune(PruneOptions()).deletedBlobs.isEmpty)
    }
}

/// A layer damaged on disk is never passed on: save, unpack, squash and commit check each
/// layer's digest as they read it.
@Suite struct DamagedLayerTests {
    @Test func saveUnpackSquashAndCommitRefuseADamagedLayer() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/multi.containerd.docker.tar")
        let base = try service.resolve("example.com/team/app:base")
        let layer = try service.details(of: base).manifest.layers[0].digest
        let p = service.layout.blobPath(layer)
        chmod(p, 0o644)
        let fd = open(p, O_RDWR)
        var b: UInt8 = 0
        #expect(pread(fd, &b, 1, 5000) == 1)
        b ^= 0xff
        #expect(pwrite(fd, &b, 1, 5000) == 1)
        close(fd)
        let root = service.layout.root
        let damaged = "is damaged in the store: its content has digest"
        for argv in [["save", "-o", dir.path + "/x.tar", "example.com/team/app:base"],
                     ["unpack", "example.com/team/app:base", dir.path + "/tree"],
                     ["squash", "example.com/team/app:v2", "sq.example/s:1"],
                     ["commit", "example.com/team/app:base", dir.path + "/empty", "c.example/c:1"]] {
            if argv[0] == "commit" { try FileManager.default.createDirectory(atPath: dir.path + "/empty", withIntermediateDirectories: true) }
            let r = try run([ladingBinary, argv[0], "--store", root] + argv.dropFirst())
            #expect(r.status == 1, "\(argv): \(r)")
            #expect(r.err.contains(layer.description) && r.err.contains(damaged), "\(argv): \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/x.tar"))
    }
}

/// A load whose index write fails leaves the store as it was: the blobs it added go too.
@Suite struct FailedLoadTests {
    @Test(arguments: ["rename:error=EIO:when=2", "rename:error=EIO:when=4", "rename:error=EIO:when=7"])
    func aFailedInstallOrIndexWriteLeavesNoBlob(fault: String) throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        _ = try service.load(path: "\(corpus)/v2.skopeo.docker.tar")
        let root = service.layout.root
        let before = snapshot(root)
        let r = try run(["strace", "-f", "-o", "/dev/null", "-e", "trace=rename", "-e", "inject=\(fault)",
                         ladingBinary, "load", "--store", root, "\(corpus)/multi.containerd.docker.tar"])
        #expect(r.status == 1, "\(fault): \(r)")
        #expect(snapshot(root) == before, "\(fault) changed the store")
        #expect(Verifier.verify(layout: service.layout, target: "store").findings.isEmpty)
    }
}
