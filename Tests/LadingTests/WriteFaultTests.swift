import Foundation
import Lading
import Testing
import TestSupport

/// Write errors for real: a file size limit (`ulimit -f`, SIGXFSZ killed lading with no
/// message and left its temporary files), a read-only file system, a parent that is a
/// file, a full file system ("cannot create directory …: The operation could not be
/// completed." lost errno's text).
@Suite struct WriteFaultTests {
    static let image = "example.com/team/app:v2"

    static func load(into store: String) throws {
        let r = try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(r.status == 0, "\(r.err)")
    }

    @Test func importPastTheFileSizeLimit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        try Self.load(into: store)
        let before = snapshot(store)
        try writeRandomTar(dir.path + "/big.tar", bytes: 1 << 20)
        let r = try run(["bash", "-c", "ulimit -f 100; exec \"$0\" import --store \"$1\" \"$2\" big:1", ladingBinary, store, dir.path + "/big.tar"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("Error: cannot write \(store)/.ingest/"), "\(r.err)")
        #expect(r.err.hasSuffix(".blob: File too large\n"), "\(r.err)")
        #expect(snapshot(store) == before)
        #expect(ingestEntries(store) == [])
    }

    @Test func saveToAFilePastTheFileSizeLimit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        try Self.load(into: store)
        let out = dir.path + "/out"
        #expect(try run(["mkdir", out]).status == 0)
        let r = try run(["bash", "-c", "ulimit -f 100; exec \"$0\" save --store \"$1\" -o \"$2\" \"$3\"", ladingBinary, store, out + "/image.tar", Self.image])
        #expect(r.status == 1)
        #expect(r.err == "Error: cannot write \(out)/image.tar: File too large\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [])
    }

    @Test func aStoreOnAReadOnlyFileSystem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let m = try TmpfsMount(size: "8m", at: dir.path + "/m")
        defer { m.unmount() }
        let store = m.path + "/store"
        try Self.load(into: store)
        let before = snapshot(store)
        try m.remountReadOnly()
        for args in [["import", "\(corpus)/rootfs.tar", "new:1"], ["load", "-i", "\(corpus)/v2.containerd.docker.tar"]] {
            let r = try run([ladingBinary] + args + ["--store", store])
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("Error: cannot create directory \(store)/.ingest/"), "\(r.err)")
            #expect(r.err.hasSuffix(": Read-only file system\n"), "\(r.err)")
        }
        #expect(snapshot(store) == before)
        let fresh = try run([ladingBinary, "load", "--store", m.path + "/other", "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(fresh.err == "Error: cannot create directory \(m.path)/other: Read-only file system\n")
    }

    @Test func aStoreBelowAFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.path + "/file", contents: Data("x".utf8))
        let r = try run([ladingBinary, "load", "--store", dir.path + "/file/store", "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("Error: cannot create directory \(dir.path)/file/store"), "\(r.err)")
        #expect(r.err.hasSuffix(": Not a directory\n"), "\(r.err)")
    }

    /// A 4 MiB file system holding a 2 MB store: a 3 MiB layer does not fit.
    @Test func aFullFileSystem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try writeRandomTar(dir.path + "/big.tar", bytes: 3 << 20)
        // The same layer as an image tarball, made in a store elsewhere.
        let side = dir.path + "/side"
        #expect(try run([ladingBinary, "import", "--store", side, "--compression", "none", dir.path + "/big.tar", "big:1"]).status == 0)
        #expect(try run([ladingBinary, "save", "--store", side, "-o", dir.path + "/image.tar", "big:1"]).status == 0)

        let m = try TmpfsMount(size: "4m", at: dir.path + "/m")
        defer { m.unmount() }
        let store = m.path + "/store"
        try Self.load(into: store)
        let before = snapshot(store)
        for args in [["import", "--compression", "none", dir.path + "/big.tar", "big:1"], ["import", dir.path + "/big.tar", "big:1"],
                     ["load", "-i", dir.path + "/image.tar"]] {
            let r = try run([ladingBinary] + args + ["--store", store])
            #expect(r.status == 1, "\(args)")
            #expect(r.err.hasPrefix("Error: cannot write \(store)/.ingest/"), "\(r.err)")
            #expect(r.err.hasSuffix(": No space left on device\n"), "\(r.err)")
            #expect(snapshot(store) == before)
            #expect(ingestEntries(store) == [])
        }
        // Nothing was left behind: the space is free again.
        let small = try run([ladingBinary, "import", "--store", store, "\(corpus)/rootfs.tar", "small:1"])
        #expect(small.status == 0, "\(small.err)")
    }
}
