import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import Lading
import Testing
import TestSupport

/// Errors are told apart by their codes, never by their text: the cases whose handling
/// once matched on a message.
@Suite struct ErrorShapeTests {
    /// A Docker 25 archive of the corpus `v2` image, extracted into `dir/x`, with
    /// `index.json` edited by `edit`, packed again as `dir/NAME.tar`.
    static func edited(_ name: String, in dir: String, dropDockerFiles: Bool = false,
                       _ edit: (inout [String: Any]) -> Void) throws -> String {
        let store = dir + "/src"
        if !FileManager.default.fileExists(atPath: dir + "/a.tar") {
            #expect(try run([ladingBinary, "load", "-q", "-i", corpus + "/v2.skopeo.docker.tar", "--store", store]).status == 0)
            #expect(try run([ladingBinary, "save", "example.com/team/app:v2", "-o", dir + "/a.tar", "--store", store]).status == 0)
        }
        let x = dir + "/x-" + name
        try FileManager.default.createDirectory(atPath: x, withIntermediateDirectories: true)
        #expect(try run(["tar", "xf", dir + "/a.tar", "-C", x]).status == 0)
        var index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: x + "/index.json"))) as? [String: Any])
        edit(&index)
        try JSONSerialization.data(withJSONObject: index).write(to: URL(fileURLWithPath: x + "/index.json"))
        if dropDockerFiles {
            try FileManager.default.removeItem(atPath: x + "/manifest.json")
            try FileManager.default.removeItem(atPath: x + "/repositories")
        }
        let out = dir + "/\(name).tar"
        #expect(try run(["tar", "cf", out, "-C", x, "."]).status == 0)
        return out
    }

    @Test func anUnreadableIndexBesideManifestJSONIsReadFromManifestJSON() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tar = try Self.edited("null", in: dir.path) { $0["manifests"] = NSNull() }
        let r = try run([ladingBinary, "load", "-i", tar, "--store", dir.path + "/s"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "Loaded image: example.com/team/app:v2\n")
        #expect(r.err == "Warning: \(tar): index.json: index has no \"manifests\" array; read manifest.json instead\n")
        // Without manifest.json the same index is an error naming it, with its own code.
        let bare = try Self.edited("bare", in: dir.path, dropDockerFiles: true) { $0["manifests"] = NSNull() }
        let e = try run([ladingBinary, "load", "-i", bare, "--store", dir.path + "/s2"])
        #expect(e.status == 1)
        #expect(e.err == "Error: \(bare): index.json: index has no \"manifests\" array\n")
        #expect(throws: TransportError.self) { try ImageLoader.read(path: bare, into: try OCILayoutStub.make(dir.path + "/s3"), options: .init()) }
        #expect(try run([ladingBinary, "images", "-q", "--store", dir.path + "/s2"]).out == "")
    }

    @Test(arguments: [
        ("org.opencontainers.image.ref.name", "Latest"),
        ("io.containerd.image.name", "Bad Name:1"),
    ])
    func aNameAnnotationThatIsNoReferenceIsNamedOnce(key: String, value: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tar = try Self.edited("named", in: dir.path, dropDockerFiles: true) { index in
            var m = (index["manifests"] as? [[String: Any]]) ?? []
            m[0]["annotations"] = [key: value]
            index["manifests"] = m
        }
        let r = try run([ladingBinary, "load", "-i", tar, "--store", dir.path + "/s"])
        #expect(r.status == 1)
        let lower = value == "Latest" ? "Latest" : "Bad Name:1"
        #expect(r.err == "Error: \(tar): index.json manifests[0]: annotation \(key): invalid reference \"\(lower)\": repository name must be lowercase\n")
    }
}

/// A fresh layout to load into, for the library-level check.
enum OCILayoutStub {
    static func make(_ path: String) throws -> ImageLayout.OCILayout { try ImageLayout.OCILayout(root: path, create: true) }
}
