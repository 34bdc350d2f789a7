import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// A name given to another image leaves the old image dangling (docker keeps it as
/// `<none>:<none>`), unless another name still refers to it.
@Suite struct DanglingNameTests {
    static let baseID = "sha256:8a38695edb836f0dcaed26308119eef4999dcda95cc78c98ddb05bf04682d706"
    static let v2ID = "sha256:291324df1c87c2c9886672b2e883ea43a7709468d856cd1638d88309a150053a"
    static let skopeoV2ID = "sha256:2984e26d971ac4b9e8be83ad61ef21d25074e16156be51da99cbd17fb971d606"

    /// index.json entries of `digest`, as (name annotation) pairs.
    func records(_ s: ImageService, _ digest: String) throws -> [String?] {
        try s.layout.readIndex().manifests.filter { $0.digest.description == digest }
            .map { $0.annotations?["io.containerd.image.name"] }
    }

    @Test func loadOverATakenNameKeepsTheOldImageDanglingAndSaysSo() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = "0"
        let imp = try run([ladingBinary, "import", "--store", store, "-m", "first", "\(corpus)/rootfs.tar", "example.com/team/app:v2"], environment: env)
        #expect(imp.status == 0, "\(imp.err)")
        let oldID = imp.out.trimmingCharacters(in: .newlines)
        #expect(oldID.hasPrefix("sha256:") && oldID.count == 71)
        let load = try run([ladingBinary, "load", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(load.status == 0, "\(load.err)")
        #expect(load.out == """
            The image example.com/team/app:v2 already exists, renaming the old one with ID \(oldID) to empty string
            Loaded image: example.com/team/app:v2

            """)
        let images = try run([ladingBinary, "images", "--store", store])
        let rows = images.out.split(separator: "\n").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        #expect(rows.sorted() == ["<none> <none> \(oldID.dropFirst(7).prefix(12))", "REPOSITORY TAG IMAGE",
                                  "example.com/team/app v2 \(Self.skopeoV2ID.dropFirst(7).prefix(12))"])
        let s = try ImageService(storePath: store)
        #expect(try records(s, oldID) == [nil], "kept as an entry without name annotations")
        // Loading the same image again moves nothing and says nothing more.
        let again = try run([ladingBinary, "load", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(again.out == "Loaded image: example.com/team/app:v2\n")
        #expect(try s.images().map(\.id.description).sorted() == [Self.skopeoV2ID, oldID].sorted())
    }

    @Test func tagKeepsTheOldImageOnlyWhenItsLastNameMoves() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        _ = try s.load(path: "\(corpus)/multi.containerd.docker.tar")
        // v2's image keeps its other name: no unnamed record is added.
        try s.tag("example.com/team/app:base", "example.com/team/app:latest")
        #expect(try s.resolve(Self.v2ID).names.map(\.description) == ["example.com/team/app:v2"])
        #expect(try records(s, Self.v2ID) == ["example.com/team/app:v2"])
        // Its last name goes: the image stays, dangling.
        try s.tag("example.com/team/app:base", "example.com/team/app:v2")
        #expect(try s.resolve(Self.v2ID).names.isEmpty)
        #expect(try records(s, Self.v2ID) == [nil])
        #expect(try s.resolve("example.com/team/app:v2").id.description == Self.baseID)
        // Named again, the unnamed record goes.
        try s.tag(Self.v2ID, "example.com/team/app:again")
        #expect(try records(s, Self.v2ID) == ["example.com/team/app:again"])
    }

    @Test func importReusingANameKeepsTheOldImageDangling() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        var first = ImportOptions(reference: "x:1")
        first.message = "first"
        let old = try s.importTarball(path: "\(corpus)/rootfs.tar", options: first)
        var second = ImportOptions(reference: "x:1")
        second.message = "second"
        let new = try s.importTarball(path: "\(corpus)/rootfs.tar", options: second)
        #expect(old != new)
        #expect(try s.resolve("x:1").id == new)
        #expect(try s.resolve(old.description).names.isEmpty)
        #expect(try records(s, old.description) == [nil])
        // prune then removes it as dangling.
        var dry = PruneOptions()
        dry.dryRun = true
        #expect(try s.prune(dry).deletedImages == [old])
    }
}
