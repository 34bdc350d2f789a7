import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// Saving what users mean (a repository's tags, every named image, a digested name) and
/// loading several sources in one call.
@Suite struct CatalogueTests {
    /// A store with `app:base`, `app:v2` and `app:latest` (two images) and one dangling image.
    private func store(_ dir: TemporaryDirectory) throws -> String {
        let s = dir.path + "/s"
        let r = try run([ladingBinary, "load", "--store", s, "\(corpus)/multi.containerd.docker.tar", "\(corpus)/v2.skopeo.oci.tar"])
        #expect(r.status == 0, "\(r.err)")
        return s
    }

    private func repoTags(_ tar: String) throws -> [[String]] {
        let out = try run(["tar", "-xOf", tar, "manifest.json"]).out
        let entries = try JSON.decode([DockerSaveManifestEntry].self, from: Array(out.utf8), what: "manifest.json")
        return entries.map { ($0.repoTags ?? []).sorted() }
    }

    @Test func aRepositoryWithoutATagSavesEveryTag() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = try store(dir)
        let tar = dir.path + "/repo.tar"
        #expect(try run([ladingBinary, "save", "--store", s, "-o", tar, "example.com/team/app"]).status == 0)
        #expect(try repoTags(tar).flatMap { $0 }.sorted() == ["example.com/team/app:base", "example.com/team/app:latest", "example.com/team/app:v2"])
        // A name with a tag is that tag alone.
        #expect(try run([ladingBinary, "save", "--store", s, "-o", tar, "example.com/team/app:base"]).status == 0)
        #expect(try repoTags(tar) == [["example.com/team/app:base"]])
    }

    @Test func allSavesEveryNamedImageAndNoDanglingOne() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = try store(dir)
        #expect(try run([ladingBinary, "tag", "--store", s, "example.com/team/app:base", "other.example/x:1"]).status == 0)
        let tar = dir.path + "/all.tar"
        #expect(try run([ladingBinary, "save", "--store", s, "--all", "-o", tar]).status == 0)
        let ids = try run(["tar", "-xOf", tar, "index.json"]).out
        #expect(!ids.contains("c72678f805ee1363ae6f4d68530b67834188e419de97d8c8a5441b4ea1743e42"), "the dangling image was saved")
        #expect(try repoTags(tar).flatMap { $0 }.sorted() == ["example.com/team/app:base", "example.com/team/app:latest",
                                                           "example.com/team/app:v2", "other.example/x:1"])
        let none = try run([ladingBinary, "save", "--store", s, "-o", tar])
        #expect(none.status == 2 && none.err.contains("save needs at least one image, or --all"), "\(none)")
    }

    @Test func aDigestedNameTravelsWithTheImage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = try store(dir)
        let id = try ImageService(storePath: s).resolve("example.com/team/app:v2").id
        let tar = dir.path + "/dg.tar"
        #expect(try run([ladingBinary, "save", "--store", s, "-o", tar, "example.com/team/app@\(id)"]).status == 0)
        let index = try JSON.decode(ImageIndex.self, from: Array(try run(["tar", "-xOf", tar, "index.json"]).out.utf8), what: "index.json")
        #expect(index.manifests.map(\.annotations) == [[AnnotationKey.imageName: "example.com/team/app@\(id)"]])
        #expect(try repoTags(tar) == [[]])
        let other = dir.path + "/other"
        let load = try run([ladingBinary, "load", "--store", other, tar])
        #expect(load.out == "Loaded image: example.com/team/app@\(id)\n", "\(load)")
        #expect(try ImageService(storePath: other).resolve("example.com/team/app@\(id)").id == id)
    }

    @Test func severalSourcesLoadInTurnWithASummary() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = dir.path + "/s"
        let r = try run([ladingBinary, "load", "--store", s, "\(corpus)/v2.skopeo.docker.tar", "\(corpus)/layout", "\(corpus)/v2.containerd.docker.tar"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasSuffix("Loaded 4 images from 3 sources: 10 blobs written (3.1MB), 4 already present\n"), "\(r.out)")
        // -i is repeatable, as the arguments are: both sources load.
        let twice = try run([ladingBinary, "load", "--store", dir.path + "/u", "-i", "\(corpus)/v2.skopeo.docker.tar", "-i", "\(corpus)/multi.containerd.docker.tar"])
        #expect(twice.status == 0 && twice.out.hasSuffix("Loaded 3 images from 2 sources: 7 blobs written (2.01MB), 3 already present\n"), "\(twice)")
        // A failing source stops the load; the sources before it stay loaded.
        let bad = try run([ladingBinary, "load", "--store", dir.path + "/t", "\(corpus)/v2.skopeo.docker.tar", dir.path + "/absent.tar"])
        #expect(bad.status == 1)
        #expect(bad.err.contains("Loaded 1 image before \(dir.path)/absent.tar"), "\(bad.err)")
        #expect(try ImageService(storePath: dir.path + "/t").images().count == 1)
    }

    @Test func aStoppedLoadStillPrintsWhatItLoaded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // The second source is a FIFO nobody writes: the load waits there, and is stopped.
        let fifo = dir.path + "/never"
        #expect(mkfifo(fifo, 0o644) == 0)
        let outPath = dir.path + "/out"
        #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
        let out = try #require(FileHandle(forWritingAtPath: outPath))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ladingBinary)
        p.arguments = ["load", "--store", dir.path + "/s", "\(corpus)/v2.skopeo.docker.tar", fifo]
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // The first source is loaded when its image is in the store.
        for _ in 0..<200 where !(FileManager.default.fileExists(atPath: dir.path + "/s/index.json")
                                 && ((try? String(contentsOfFile: dir.path + "/s/index.json", encoding: .utf8)) ?? "").contains("app:v2")) {
            usleep(50_000)
        }
        usleep(200_000)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        try out.close()
        #expect(p.terminationStatus == 130)
        #expect(try String(contentsOfFile: outPath, encoding: .utf8) == "Loaded image: example.com/team/app:v2\n")
    }

    /// Thousands of names on one image: each removal costs O(1) in the image's names (it
    /// listed them all, per name, and copied the list per entry: 4,000 names took 12 s).
    @Test func manyNamesOfOneImageAreRemovedOneByOne() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = try store(dir)
        let service = try ImageService(storePath: s)
        let id = try service.resolve("example.com/team/app:v2").id
        // 3,000 more names for v2, written into index.json as `tag` would write each.
        let names = (0..<3000).map { "many.example/n\($0 % 7):t\($0)" }
        var index = try JSON.decode(ImageIndex.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: s + "/index.json"))), what: "index.json")
        let entry = index.manifests.first { $0.digest == id }!
        for n in names {
            var e = entry
            e.annotations = ["io.containerd.image.name": n, "org.opencontainers.image.ref.name": String(n.split(separator: ":").last!)]
            index.manifests.append(e)
        }
        try Data(try JSON.encode(index)).write(to: URL(fileURLWithPath: s + "/index.json"))
        #expect(try service.resolve("example.com/team/app:v2").names.count == 3002)

        let results = try service.remove(Array(names.dropLast()))
        let lines = try results.map { try $0.get() }
        #expect(lines.count == 2999)
        #expect(lines.allSatisfy { $0.count == 1 && $0[0].hasPrefix("Untagged: many.example/n") })
        #expect(lines[1234] == ["Untagged: many.example/n\(1234 % 7):t1234"])
        let left = try service.resolve("example.com/team/app:v2")
        #expect(left.id == id)
        #expect(left.names.map(\.description) == ["example.com/team/app:latest", "example.com/team/app:v2", names.last!])
        // The last three names: the image goes with the last one.
        #expect(try service.remove([names.last!, "example.com/team/app:v2", "example.com/team/app:latest"]).map { try $0.get() }
                == [["Untagged: \(names.last!)"], ["Untagged: example.com/team/app:v2"], ["Untagged: example.com/team/app:latest", "Deleted: \(id)"]])
        #expect(throws: (any Error).self) { try service.resolve(id.description) }
    }
}
