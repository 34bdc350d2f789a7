import Foundation
import Lading
import LayerChangeset
import Testing
import TestSupport

/// What a new user tried that misbehaved: inspect with a missing name or two tags of one
/// repository, unpack onto a file, import of what unpack refuses.
@Suite struct UserReportTests {
    static let v2ID = "sha256:291324df1c87c2c9886672b2e883ea43a7709468d856cd1638d88309a150053a"

    func loadedStore(_ dir: TemporaryDirectory) throws -> String {
        let store = dir.path + "/store"
        let r = try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/multi.containerd.docker.tar"])
        #expect(r.status == 0, "\(r.err)")
        return store
    }

    @Test func inspectPrintsTheFoundImagesThenAnErrorPerMissingName() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try loadedStore(dir)
        let r = try run([ladingBinary, "inspect", "--store", store, "example.com/team/app:v2", "nope:1", "example.com/team/app:latest"])
        #expect(r.status == 1)
        #expect(r.err == "Error: No such image: nope:1\n")
        let arr = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [[String: Any]]
        #expect(arr.map { $0["Id"] as? String } == [Self.v2ID, Self.v2ID])
        let first = try #require(arr.first, "inspect printed no image")
        // Two tags of one repository: one RepoDigests entry.
        #expect(first["RepoDigests"] as? [String] == ["example.com/team/app@\(Self.v2ID)"])
        #expect(first["RepoTags"] as? [String] == ["example.com/team/app:latest", "example.com/team/app:v2"])
        let none = try run([ladingBinary, "inspect", "--store", store, "nope:1", "nope:2"])
        #expect(none.status == 1)
        #expect(none.out == "[]\n")
        #expect(none.err == "Error: No such image: nope:1\nError: No such image: nope:2\n")
    }

    @Test func inspectGivesOneRepoDigestPerRepository() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try loadedStore(dir)
        for t in ["other/app:1", "other/app:2"] {
            #expect(try run([ladingBinary, "tag", "--store", store, "example.com/team/app:v2", t]).status == 0)
        }
        let r = try run([ladingBinary, "inspect", "--store", store, "other/app:1"])
        #expect(r.status == 0)
        #expect(r.err == "")
        let arr = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [[String: Any]]
        try #require(arr.count == 1)
        // In the order of the full names (docker.io/other/app sorts first).
        #expect(arr[0]["RepoDigests"] as? [String] == ["other/app@\(Self.v2ID)", "example.com/team/app@\(Self.v2ID)"])
        #expect(arr[0]["RepoTags"] as? [String] == ["other/app:1", "other/app:2", "example.com/team/app:latest", "example.com/team/app:v2"])
    }

    @Test func unpackOntoWhatIsNotADirectoryIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try loadedStore(dir)
        let file = dir.path + "/file"
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: file))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.path + "/tofile", withDestinationPath: "file")
        try fm.createSymbolicLink(atPath: dir.path + "/dangling", withDestinationPath: "nowhere")
        let cases = [
            (file, "unpack: \(file) exists and is not a directory"),
            (file + "/", "unpack: \(file)/ exists and is not a directory"),
            (dir.path + "/tofile", "unpack: \(dir.path)/tofile exists and is not a directory"),
            (dir.path + "/dangling", "unpack: \(dir.path)/dangling exists and is not a directory"),
            (file + "/sub/x", "unpack: cannot create \(file)/sub/x: \(file) exists and is not a directory"),
        ]
        for (target, message) in cases {
            let r = try run([ladingBinary, "unpack", "--store", store, "example.com/team/app:v2", target])
            #expect(r.status == 1, "\(target)")
            #expect(r.out == "")
            #expect(r.err == "Error: \(message)\n")
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep\n")
        #expect(try fm.destinationOfSymbolicLink(atPath: dir.path + "/dangling") == "nowhere")
        #expect(!fm.fileExists(atPath: dir.path + "/nowhere"))
        // A symlink to a directory will do; missing parents are created.
        try fm.createDirectory(atPath: dir.path + "/real", withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: dir.path + "/todir", withDestinationPath: "real")
        for target in [dir.path + "/todir", dir.path + "/new/a/b"] {
            let r = try run([ladingBinary, "unpack", "--store", store, "example.com/team/app:v2", target])
            #expect(r.status == 0, "\(r.err)")
            #expect(try fm.contentsOfDirectory(atPath: target).sorted() == ["bin", "etc", "opt", "tmp", "usr", "var"])
        }
    }

    @Test(arguments: [
        ("whiteout", "entry .wh.b: whiteout marker: .wh. names are not allowed in a filesystem tarball"),
        ("emptyWhiteout", "entry .wh.: whiteout marker: .wh. names are not allowed in a filesystem tarball"),
        ("opaque", "entry d/.wh..wh..opq: whiteout marker: .wh. names are not allowed in a filesystem tarball"),
        ("whiteoutParent", "entry .wh.d/f: whiteout marker: .wh. names are not allowed in a filesystem tarball"),
        ("missingTarget", "entry h: hardlink target /etc/passwd is not an earlier entry of the archive"),
        ("laterTarget", "entry h: hardlink target /a is not an earlier entry of the archive"),
        ("laterTargetInDirectory", "entry h: hardlink target /d/f is not an earlier entry of the archive"),
        ("rootTarget", "entry h: hardlink target is the root"),
        ("directoryTarget", "entry h: hardlink target /d does not exist or is a directory"),
        ("escapingTarget", "entry h: hardlink target ../a escapes the root"),
        ("longName", "entry d/\(String(repeating: "n", count: 98))…: a name in the path is 300 bytes, longer than 255 (NAME_MAX)"),
        ("longDirectory", "entry \(String(repeating: "n", count: 100))…: a name in the path is 256 bytes, longer than 255 (NAME_MAX)"),
    ])
    func importRefusesWhatUnpackWouldRefuse(_ kind: String, _ message: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        _ = try ImageService(storePath: store)
        let tar = dir.path + "/in.tar"
        let b = try TarBuilder().file("a", "x\n").directory("d")
        switch kind {
        case "whiteout": try b.file(".wh.b")
        case "emptyWhiteout": try b.file(".wh.")
        case "opaque": try b.file("d/.wh..wh..opq")
        case "whiteoutParent": try b.file(".wh.d/f", "y")
        case "missingTarget": try b.hardlink("h", to: "/etc/passwd")
        case "laterTarget": try TarBuilder().hardlink("h", to: "a").file("a", "x\n").write(to: tar)
        case "laterTargetInDirectory": try b.hardlink("h", to: "d/f").file("d/f", "y")
        case "longName": try b.file("d/" + String(repeating: "n", count: 300), "y")
        case "longDirectory": try b.file(String(repeating: "n", count: 256) + "/f", "y")
        case "rootTarget": try b.hardlink("h", to: "/")
        case "directoryTarget": try b.hardlink("h", to: "d")
        default: try b.hardlink("h", to: "../a")
        }
        if kind != "laterTarget" { try b.write(to: tar) }
        let before = snapshot(store)
        let r = try run([ladingBinary, "import", "--store", store, tar, "bad:1"])
        #expect(r.status == 1)
        #expect(r.err == "Error: \(tar): \(message)\n")
        #expect(snapshot(store) == before)
    }

    @Test func importKeepsAHardlinkWithAnAbsoluteTargetThatExists() throws {
        let (s, d) = try makeStore()
        defer { d.remove() }
        let tar = d.path + "/in.tar"
        try TarBuilder().file("etc/a", "x\n").hardlink("b", to: "/etc/a").write(to: tar)
        _ = try s.importTarball(path: tar, options: ImportOptions(reference: "ok:1"))
        try s.unpack("ok:1", into: d.path + "/out", options: ApplyOptions(rootless: true))
        #expect(try String(contentsOfFile: d.path + "/out/b", encoding: .utf8) == "x\n")
    }
}
