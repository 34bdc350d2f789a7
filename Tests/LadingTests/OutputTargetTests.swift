import Foundation
import Testing
import TestSupport

/// Where lading writes, and where it must not: outputs that are devices, and
/// directories that are not stores.
@Suite struct OutputTargetTests {
    /// A character device node like /dev/null, made in a scratch directory (tests run as root).
    func deviceNode(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.path + "/null"
        #expect(mknod(path, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0, "mknod: \(errno)")
        return path
    }

    func isCharacterDevice(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFCHR
    }

    @Test func saveAndCopyWriteIntoADeviceWithoutReplacingIt() throws {
        // `save -o /dev/null` once replaced /dev/null with a regular file (temporary file renamed over it).
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let null = try deviceNode(dir)
        let store = dir.path + "/s"
        #expect(try run([ladingBinary, "load", "--store", store, "-q", "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let save = try run([ladingBinary, "save", "--store", store, "example.com/team/app:v2", "-o", null])
        #expect(save.status == 0, "\(save.err)")
        #expect(isCharacterDevice(null))
        let copy = try run([ladingBinary, "copy", "--store", store, "example.com/team/app:v2", "docker-archive:\(null)"])
        #expect(copy.status == 0, "\(copy.err)")
        #expect(isCharacterDevice(null))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["null", "s"])
        // A directory is refused by name.
        let onDir = try run([ladingBinary, "save", "--store", store, "example.com/team/app:v2", "-o", dir.path])
        #expect(onDir.status == 1)
        #expect(onDir.err == "Error: \(dir.path) is a directory\n")
    }

    @Test func noCommandTurnsAnotherDirectoryIntoAStore() throws {
        // `lading count --store DIR` once wrote blobs/, index.json and oci-layout into any DIR (even /etc).
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let other = dir.path + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: other + "/file"))
        for args in [["count"], ["images"], ["du"], ["history", "a"], ["inspect", "a"], ["prune", "--dry-run"], ["verify", "store"]] {
            let r = try run([ladingBinary] + args + ["--store", other])
            #expect(r.status == 1, "\(args)")
            #expect((r.err + r.out).contains("\(other) is not an OCI image layout (no oci-layout file)"), "\(args): \(r.err)")
        }
        // A writing command refuses too, naming the directory.
        let load = try run([ladingBinary, "load", "--store", other, "-q", "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(load.status == 1)
        #expect(load.err == "Error: \(other) is not an OCI image layout (no oci-layout file) and is not empty; not writing one into it\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["file"])
        // A named store that does not exist: read-only commands refuse it and create nothing.
        let missing = dir.path + "/missing"
        #expect(try run([ladingBinary, "count", "--store", missing]).err == "Error: \(missing) does not exist\n")
        #expect(try run([ladingBinary, "images", "--store", missing]).err == "Error: \(missing) does not exist\n")
        let verify = try run([ladingBinary, "verify", "--store", missing, "store"])
        #expect(verify.status == 1)
        #expect(verify.out.contains("\(missing) does not exist"), "\(verify.out)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func verifyStoreMeansTheStoreWhateverTheCurrentDirectoryHolds() throws {
        // With a directory named `store` in the current directory, `verify store` checked it instead.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let decoy = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "--store", decoy, "-q", "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let real = dir.path + "/real"
        #expect(try run([ladingBinary, "load", "--store", real, "-q", "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let layers = try FileManager.default.contentsOfDirectory(atPath: real + "/blobs/sha256").sorted()
        let blob = try #require(layers.first, "the store holds no blob")
        let victim = real + "/blobs/sha256/" + blob
        try Data("corrupt".utf8).write(to: URL(fileURLWithPath: victim))
        let r = try run(["/bin/sh", "-c", "cd \"$1\" && exec \"$2\" verify --store \"$3\" store", "sh", dir.path, ladingBinary, real])
        #expect(r.status == 1, "\(r.out)")
        #expect(r.out.contains(blob), "\(r.out)")
    }
}
