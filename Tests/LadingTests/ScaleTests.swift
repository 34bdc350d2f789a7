import Foundation
import ImageLayout
import ImageSpec
import Lading
import Testing
import TestSupport

/// Thousands of images: every command's work is linear in their number, so these run in
/// seconds; the results are checked in full (names, blob counts, a clean verify).
@Suite(.serialized) struct ScaleTests {
    static let count = 2000

    @Test func twoThousandImagesLoadSaveRemoveAndPrune() throws {
        let dir = try TemporaryDirectory("lading-scale")
        defer { dir.remove() }
        let layout = dir.path + "/many"
        let gen = try run(["python3", "\(Fixtures.packageRoot)/scripts/make-many-images", layout, "\(Self.count)"])
        #expect(gen.status == 0, "\(gen.err)")
        let store = dir.path + "/store"
        let names = (0..<Self.count).map { "example.com/many/img-\($0):v1" }

        let load = try run([ladingBinary, "load", "--store", store, "-i", layout])
        #expect(load.status == 0, "\(load.err)")
        #expect(load.out.split(separator: "\n").count == Self.count)
        #expect(load.out.hasPrefix("Loaded image: example.com/many/img-0:v1\n"), "\(load.out.prefix(200))")
        let service = try ImageService(storePath: store)
        #expect(Set(try service.images().flatMap(\.names).map(\.description)) == Set(names))
        // One shared layer, then a layer, a config and a manifest per image.
        let blobs = { try FileManager.default.contentsOfDirectory(atPath: store + "/blobs/sha256").count }
        #expect(try blobs() == 1 + 3 * Self.count)

        // Every image into one archive and back into a second store.
        let tar = dir.path + "/all.tar"
        let save = try run([ladingBinary, "save", "--store", store, "-o", tar] + names)
        #expect(save.status == 0, "\(save.err)")
        let second = dir.path + "/second"
        #expect(try run([ladingBinary, "load", "--store", second, "-q", "-i", tar]).status == 0)
        let again = try ImageService(storePath: second)
        #expect(try again.images().map(\.id) == service.images().map(\.id))

        // Half the names in one rmi: their own blobs go, the shared layer stays.
        let rmi = try run([ladingBinary, "rmi", "--store", store] + names.prefix(Self.count / 2))
        #expect(rmi.status == 0, "\(rmi.err)")
        #expect(rmi.out.split(separator: "\n").count == Self.count, "an Untagged and a Deleted line per image")
        #expect(try blobs() == 1 + 3 * (Self.count / 2))
        #expect(try service.images().count == Self.count / 2)

        // Names moved onto other images leave those dangling; prune takes exactly them.
        let moved = Array(names.suffix(100))
        let target = try service.resolve(names[Self.count / 2])
        for n in moved.prefix(10) { try service.tag(target.id.description, n) }
        let report = try service.prune(PruneOptions())
        #expect(report.deletedImages.count == 10)
        #expect(try blobs() == 1 + 3 * (Self.count / 2 - 10))
        #expect(Verifier.verify(layout: service.layout, target: "store").findings.isEmpty)
    }
}
