import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// `lading sync LIST DEST`, sharded and merged, resumed, and refused for an unreadable source.
@Suite struct SyncShardTests {
    /// A layout of 8 small images sharing a layer (scripts/make-many-images), a
    /// docker-archive of one of them, and a list of 8 entries (one with a name).
    private func sources(_ dir: TemporaryDirectory) throws -> String {
        let layout = dir.path + "/many"
        #expect(try run(["python3", "\(Fixtures.packageRoot)/scripts/make-many-images", layout, "8"]).status == 0)
        #expect(try run([ladingBinary, "copy", "oci:\(layout):example.com/many/img-7:v1", "docker-archive:\(dir.path)/seven.tar"]).status == 0)
        var list = "# images for the site\n\n"
        for i in 0..<6 { list += "oci:\(layout):example.com/many/img-\(i):v1\n" }
        list += "oci:\(layout):example.com/many/img-6:v1 mirror/six:1   # renamed\n"
        list += "docker-archive:\(dir.path)/seven.tar\n"
        try list.write(toFile: dir.path + "/list.txt", atomically: true, encoding: .utf8)
        return dir.path + "/list.txt"
    }

    /// index.json's entries as (digest, annotations) strings, sorted; and the blob files.
    private func contents(_ layout: String) throws -> (names: [String], blobs: [String]) {
        let index = try JSON.decode(ImageIndex.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))), what: "index.json")
        let names = index.manifests.map { "\($0.digest) \(($0.annotations ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })" }.sorted()
        return (names, try FileManager.default.contentsOfDirectory(atPath: layout + "/blobs/sha256").sorted())
    }

    @Test func fourShardsThenAMergeEqualOneProcess() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let list = try sources(dir)
        let one = try run([ladingBinary, "sync", list, "oci:\(dir.path)/one"])
        #expect(one.status == 0, "\(one.err)")
        #expect(one.out.hasSuffix("Synced 8 sources to oci:\(dir.path)/one: 8 copied (8 images), 0 already complete\n"), "\(one.out)")
        var shards = ""
        for i in 0..<4 {
            // Shard 2 takes its index from JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job's pod.
            let argv = i == 2 ? [ladingBinary, "sync", "--shard", "4", list, "oci:\(dir.path)/shard-\(i)"]
                              : [ladingBinary, "sync", "--shard", "\(i)/4", list, "oci:\(dir.path)/shard-\(i)"]
            var env = ProcessInfo.processInfo.environment
            env["JOB_COMPLETION_INDEX"] = "2"
            let r = try run(argv, environment: env)
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("Synced 2 sources"), "\(r.out)")
            shards += "oci:\(dir.path)/shard-\(i)\n"
        }
        // Entries 0 and 4 in shard 0, 1 and 5 in shard 1, ...
        #expect(try contents(dir.path + "/shard-1").names.count == 2)
        #expect(try contents(dir.path + "/shard-2").names.joined().contains("org.opencontainers.image.ref.name=mirror/six:1"))
        try shards.write(toFile: dir.path + "/shards.txt", atomically: true, encoding: .utf8)
        let merge = try run([ladingBinary, "sync", dir.path + "/shards.txt", "oci:\(dir.path)/merged"])
        #expect(merge.status == 0, "\(merge.err)")
        let a = try contents(dir.path + "/one"), b = try contents(dir.path + "/merged")
        #expect(a.names.count == 8)
        #expect(a.names == b.names)
        #expect(a.blobs == b.blobs)
        // 8 images × (manifest, config, own layer) + the shared layer.
        #expect(a.blobs.count == 25)
    }

    @Test func aRerunSkipsWhatIsComplete() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let list = try sources(dir)
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "sync", "--store", store, list, "store"]).status == 0)
        let before = snapshot(store)
        let again = try run([ladingBinary, "sync", "--store", store, list, "store"])
        #expect(again.status == 0)
        #expect(again.out.hasSuffix("Synced 8 sources to store: 0 copied (0 images), 8 already complete\n"), "\(again.out)")
        #expect(snapshot(store) == before)
        #expect(try ImageService(storePath: store).resolve("mirror/six:1").names.map(\.description) == ["docker.io/mirror/six:1"])
        // Into an archive: gathered beside it, written at the end, loadable.
        let tar = dir.path + "/all.tar"
        #expect(try run([ladingBinary, "sync", list, "docker-archive:\(tar)"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/.all.tar.sync"))
        let l = try run([ladingBinary, "load", "--store", dir.path + "/s2", tar])
        #expect(l.status == 0 && l.out.split(separator: "\n").count == 8, "\(l)")
    }

    @Test func anUnreadableSourceFailsBeforeAnythingIsCopied() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let list = try sources(dir)
        try (try String(contentsOfFile: list, encoding: .utf8) + "docker-archive:\(dir.path)/nope.tar\n").write(toFile: list, atomically: true, encoding: .utf8)
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "--store", store, "\(corpus)/v2.skopeo.oci.tar"]).status == 0)
        let before = snapshot(store)
        let r = try run([ladingBinary, "sync", "--store", store, list, "store"])
        #expect(r.status == 1)
        #expect(r.err == "Error: 1 source cannot be read (nothing was copied): \(list):11: docker-archive:\(dir.path)/nope.tar: no such file or directory\n", "\(r.err)")
        #expect(snapshot(store) == before)
        let bad = try run([ladingBinary, "sync", "--shard", "4/4", list, "store"])
        #expect(bad.status == 2 && bad.err.contains("--shard 4/4: the shard index 4 is not between 0 and 3"), "\(bad.err)")
    }
}
