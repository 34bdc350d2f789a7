import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// What a new user's trial of `copy` and `verify` found: stopped copies, names, indexes
/// without images, failed copies into the store, reports that cannot be written.
@Suite struct CopyTrialTests {
    /// Starts `lading ARGS` reading a tarball's first 1.5 MB from a pipe kept open (so it
    /// waits there, its first blob half staged), runs `whileWaiting`, stops it with
    /// `signal`, and returns its exit status.
    static func stopWhileReading(_ args: [String], signal: Int32, whileWaiting: () throws -> Void = {}) throws -> Int32 {
        let tar = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.require("\(corpus)/v2.skopeo.docker.tar")))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ladingBinary)
        p.arguments = args
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        try input.fileHandleForWriting.write(contentsOf: tar.prefix(1_500_000))
        usleep(500_000)
        try whileWaiting()
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        try input.fileHandleForWriting.close()
        return p.terminationStatus
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aStoppedCopyLeavesNothingBehind(_ signal: Int32) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir.path + "/keep.tar"))
        #expect(try Self.stopWhileReading(["copy", "docker-archive:-", "docker-archive:\(dir.path)/keep.tar"], signal: signal) == 128 + signal)
        #expect(try Self.stopWhileReading(["copy", "docker-archive:-", "oci:\(dir.path)/new/layout"], signal: signal) == 128 + signal)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.tar"])
        #expect(try String(contentsOfFile: dir.path + "/keep.tar", encoding: .utf8) == "old")
    }

    @Test func whatAKilledCopyLeftIsSweptOrIgnored() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A process that is gone: its temporary archive and staging layout.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let pid = gone.processIdentifier
        try Data("partial".utf8).write(to: URL(fileURLWithPath: "\(dir.path)/.out.tar.\(pid).tmp"))
        try FileManager.default.createDirectory(atPath: "\(dir.path)/.lading-copy-\(pid)-0A1B2C3D/blobs", withIntermediateDirectories: true)
        #expect(try run([ladingBinary, "copy", "oci:\(corpus)/layout:v2", "docker-archive:\(dir.path)/out.tar"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.tar"])
        // A layout whose creation was killed: lock, hidden temporary file, empty blobs/.
        let half = dir.path + "/half"
        try FileManager.default.createDirectory(atPath: half + "/blobs/sha256", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: half + "/.lock"))
        try Data("{".utf8).write(to: URL(fileURLWithPath: half + "/.6F1E2D3C.tmp"))
        let retry = try run([ladingBinary, "copy", "oci:\(corpus)/layout:v2", "oci:\(half):v2"])
        #expect(retry.status == 0, "\(retry.err)")
    }

    @Test func destinationNamesAreCheckedFirst() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try TransportAddress(parsing: "docker-archive:-:example.com/team/app:base") == .dockerArchive(path: "-", reference: "example.com/team/app:base"))
        #expect(try TransportAddress(parsing: "oci:\(dir.path)/n5:busybox:latest") == .ociLayout(directory: "\(dir.path)/n5", reference: "busybox:latest"))
        let bad = try run([ladingBinary, "copy", "oci:\(corpus)/layout:v2", "oci:\(dir.path)/n7:bad tag"])
        #expect(bad.status == 1)
        #expect(bad.err.contains("\"bad tag\" is not a valid reference name"), "\(bad.err)")
        let digest = "sha256:" + String(repeating: "c", count: 64)
        let named = try run([ladingBinary, "copy", "oci:\(corpus)/layout:v2", "docker-archive:\(dir.path)/n2.tar:x@\(digest)"])
        #expect(named.status == 1)
        #expect(named.err.contains("names a digest; an image name here needs a tag"), "\(named.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let piped = try run(["sh", "-c", "cat \(corpus)/multi.containerd.docker.tar | \(ladingBinary) copy docker-archive:-:example.com/team/app:base oci:\(dir.path)/base"])
        #expect(piped.status == 0, "\(piped.err)")
    }

    @Test func anIndexOfNoPlatformStaysOutOfManifestJSON() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.path + "/z.tar"
        let r = try run([ladingBinary, "copy", "oci:\(Fixtures.publicData)/oras/zot-images", "docker-archive:\(out)"])
        #expect(r.status == 0, "\(r.err)")
        // oras pushed image configs without `rootfs` (config.md: REQUIRED): copied with a
        // warning, and verify's only errors.
        let v = try run([ladingBinary, "verify", out])
        let errors = v.out.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(v.status == 1 && errors.count == 3 && errors.allSatisfy { $0.hasSuffix("\"rootfs\" is required [config.required: config.md \"Properties\"]") }, "\(v.out)")
        let index = try JSON.decode(ImageIndex.self, from: Array(try run(["tar", "-xOf", out, "index.json"]).out.utf8), what: "index.json")
        let manifest = try JSON.decode([DockerSaveManifestEntry].self, from: Array(try run(["tar", "-xOf", out, "manifest.json"]).out.utf8), what: "manifest.json")
        #expect(manifest.count < index.manifests.count, "\(manifest.count) of \(index.manifests.count)")
    }

    @Test func aRefusedCopyIntoTheStoreLeavesNoBlobs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let r = try run([ladingBinary, "copy", "--store", store, "docker-archive:\(corpus)/multi.containerd.docker.tar", "store:x:1"])
        #expect(r.status == 1 && r.err.contains("needs exactly one source image (got 2)"), "\(r.err)")
        let report = Verifier.verify(layout: try OCILayout(root: store, create: false), target: "store")
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store + "/blobs/sha256").isEmpty)
    }

    @Test func aJUnitReportThatCannotBeWrittenExitsTwo() throws {
        let r = try run([ladingBinary, "verify", "oci:\(corpus)/layout", "--junit", "/nonexistent/dir/j.xml"])
        #expect(r.status == 2)
        #expect(r.err == "Error: cannot write the JUnit report /nonexistent/dir/j.xml: No such file or directory\n")
    }
}

@Suite struct OtherIndexEntryTests {
    /// go-containerregistry's test_index names, besides images, a blob of type
    /// `application/vnd.oci.descriptor.v1+json` (ref `2`): a whole-layout copy dropped it.
    @Test func entriesOfOtherTypesTravelWithTheLayout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = "\(Fixtures.publicData)/go-containerregistry/layout/test_index"
        #expect(try run([ladingBinary, "copy", "oci:\(src)", "oci:\(dir.path)/all"]).status == 0)
        let index = try JSON.decode(ImageIndex.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/all/index.json"))), what: "index.json")
        #expect(index.manifests.compactMap { $0.annotations?[AnnotationKey.refName] }.sorted() == ["1", "2", "3", "4"])
        let other = try #require(index.manifests.first { $0.mediaType == "application/vnd.oci.descriptor.v1+json" })
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/all/\(other.digest.blobPath)"))
                == Data(contentsOf: URL(fileURLWithPath: "\(src)/\(other.digest.blobPath)")))
        #expect(try run([ladingBinary, "copy", "oci:\(src):2", "oci:\(dir.path)/two"]).status == 0)
        let tar = dir.path + "/all.tar"
        #expect(try run([ladingBinary, "copy", "oci:\(src)", "docker-archive:\(tar)"]).status == 0)
        let verify = try run([ladingBinary, "verify", tar])
        #expect(verify.status == 0 && verify.out.hasSuffix("OK (6 blobs checked)\n"), "\(verify.out)")
    }
}

@Suite struct VerifySameFindingsTests {
    /// The same images as a layout and as an oci-archive give the same findings (an image
    /// config without rootfs was noted for the archive only).
    @Test func aLayoutAndItsArchiveGiveTheSameFindings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tar = dir.path + "/za.tar"
        #expect(try run([ladingBinary, "copy", "oci:\(Fixtures.publicData)/oras/zot-artifacts", "oci-archive:\(tar)"]).status == 0)
        try FileManager.default.createDirectory(atPath: dir.path + "/za", withIntermediateDirectories: true)
        #expect(try run(["tar", "-C", dir.path + "/za", "-xf", tar]).status == 0)
        func messages(_ target: String) throws -> [String] {
            try run([ladingBinary, "verify", target]).out.split(separator: "\n").filter { $0.hasPrefix("warning:") || $0.hasPrefix("error:") }
                .map { String($0.split(separator: ": ", maxSplits: 1).last ?? "") }.sorted()
        }
        let layout = try messages("oci:\(dir.path)/za"), archive = try messages("oci-archive:\(tar)")
        #expect(layout.count == 5 && layout == archive, "\(layout)\n\(archive)")
    }
}

@Suite struct CopyTrialTwoTests {
    /// `--compression` gzipped an artifact's blobs: notation's signed image moved to
    /// another digest, and its signature no longer matched it.
    @Test func artifactsKeepTheirBlobsWhenLayersAreReEncoded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = "\(Fixtures.publicData)/notation/e2e-valid-signature"
        for target in ["oci:\(dir.path)/l", "oci-archive:\(dir.path)/a.tar"] {
            let r = try run([ladingBinary, "copy", "--compression", "gzip", "oci:\(src)", target])
            #expect(r.status == 0, "\(r.err)")
        }
        let before = try JSON.decode(ImageIndex.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: src + "/index.json"))), what: "index.json")
        let after = try JSON.decode(ImageIndex.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/l/index.json"))), what: "index.json")
        #expect(Set(after.manifests.map(\.digest)) == Set(before.manifests.map(\.digest)))
        let archived = try JSON.decode(ImageIndex.self, from: Array(try run(["tar", "-xOf", dir.path + "/a.tar", "index.json"]).out.utf8), what: "index.json")
        #expect(Set(archived.manifests.map(\.digest)) == Set(before.manifests.map(\.digest)))
    }

    /// A REF is written as ref.name as given (skopeo reads `oci:DIR:repo:tag` back), and
    /// a copy reads any ref.name the image spec allows (uppercase was refused).
    @Test func refNamesAreWrittenAndReadAsGiven() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try run([ladingBinary, "copy", "oci:\(corpus)/layout:v2", "oci:\(dir.path)/d:repo:tag"]).status == 0)
        let index = try JSON.decode(ImageIndex.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/d/index.json"))), what: "index.json")
        #expect(index.manifests.map { $0.annotations ?? [:] } == [[AnnotationKey.refName: "repo:tag"]])
        #expect(try run(["skopeo", "inspect", "--raw", "oci:\(dir.path)/d:repo:tag"]).status == 0)
        #expect(try run([ladingBinary, "copy", "oci:\(corpus)/layout:v2", "oci:\(dir.path)/up:UPPER"]).status == 0)
        let back = try run([ladingBinary, "copy", "oci:\(dir.path)/up:UPPER", "oci-archive:\(dir.path)/up.tar:Repo:Tag"])
        #expect(back.status == 0, "\(back.err)")
        #expect(try run(["skopeo", "inspect", "--raw", "oci-archive:\(dir.path)/up.tar:Repo:Tag"]).status == 0)
    }

    @Test func aStoppedCopyIntoTheStoreLeavesNoIngest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "--store", store, "-i", "\(corpus)/multi.containerd.docker.tar"]).status == 0)
        let status = try CopyTrialTests.stopWhileReading(["copy", "--store", store, "docker-archive:-", "store:new:1"], signal: SIGTERM) {
            let staging = try FileManager.default.contentsOfDirectory(atPath: store + "/.ingest")
            #expect(staging.count == 1, "the copy is staging a blob")
        }
        #expect(status == 128 + SIGTERM)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store + "/.ingest").isEmpty)
    }

    /// A reader that goes away (`| head -c 100`) left the staging layout in $TMPDIR.
    @Test func aClosedPipeLeavesNothingInTheTemporaryDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tmp = try ArchiveToPipeTests.emptyTemporaryDirectory(in: dir)
        let r = try run(["sh", "-c", "TMPDIR=\(tmp) \(ladingBinary) copy docker-archive:\(corpus)/v2.skopeo.docker.tar docker-archive:- | head -c 100 > /dev/null"])
        #expect(r.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
    }
}
