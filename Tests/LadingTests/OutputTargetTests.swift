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
}
