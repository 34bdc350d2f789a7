import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

/// The last field of the line for `path` (its digest prefix), or "" when missing.
func tail(_ lines: [String], _ path: String) -> String {
    lines.first { $0.hasPrefix(path + " ") }.map { String($0.suffix(8)) } ?? ""
}

@Suite struct FixtureTests {
    @Test func corpusBusyboxTwoLayers() throws {
        let s = try Sandbox()
        let layers = try ImageFixtures.layoutLayers(Fixtures.corpus + "/layout", ref: "v2")
        let lines = try ImageFixtures.unpackAndMerge(layers, root: s.root)
        #expect(lines.filter { !$0.hasPrefix("/bin/") } == [
            "/bin directory 755 0:0",
            "/etc directory 755 0:0",
            "/etc/motd regular 644 0:0 16 \(tail(lines, "/etc/motd"))",
            "/etc/passwd regular 644 0:0 30 \(tail(lines, "/etc/passwd"))",
            "/opt directory 755 0:0",
            "/opt/app directory 755 0:0",
            "/opt/app/bin directory 755 0:0",
            "/opt/app/bin/hello regular 644 0:0 6 \(sha8("hello\n"))",
            "/opt/app/bin/hello-hard regular 644 0:0 6 \(sha8("hello\n"))",
            "/opt/app/hello-link symlink 777 0:0 -> ../bin/hello",
            "\"/opt/app/name with spaces\" directory 755 0:0",
            "\"/opt/app/name with spaces/f\" regular 644 0:0 2 \(tail(lines, "\"/opt/app/name with spaces/f\""))",
            "/tmp directory 755 0:0",
            "/usr directory 755 0:0",
            "/usr/share directory 755 0:0",
            "/var directory 755 0:0",
            "/var/lib directory 755 0:0",
            "/var/lib/apt directory 755 0:0",
        ])
        let t = try DirectoryScanner().scan(s.root)
        #expect(ImageFixtures.groups(t) == [["/opt/app/bin/hello", "/opt/app/bin/hello-hard"]])
        #expect(t["etc/issue.net"] == nil)
        try s.expectContained()
    }

    @Test func laCroixWhiteouts() throws {
        let s = try Sandbox()
        let dir = Fixtures.publicData + "/container-diff"
        let lines = try ImageFixtures.unpackAndMerge([dir + "/la-croix2.tar", dir + "/la-croix-wh.tar"], root: s.root)
        #expect(lines.map { String($0.split(separator: " ")[0]) } == ["/nest2", "/nest2/hello", "/passionfruit.txt", "/peach-pear.txt"])
    }

    @Test(arguments: [
        ("whiteout_image.tar", ["/bar.txt"]),
        ("whiteout_dir.tar", ["/a", "/a/baz", "/b", "/b/bar"]),
        ("overwritten_file.tar", ["/bar.txt", "/foo.txt"]),
    ])
    func goContainerRegistryMutate(_ name: String, _ expected: [String]) throws {
        let s = try Sandbox()
        let layers = try ImageFixtures.dockerArchiveLayers(Fixtures.publicData + "/go-containerregistry/mutate/" + name, into: s.dir.path)
        let lines = try ImageFixtures.unpackAndMerge(layers, root: s.root)
        #expect(lines.map { String($0.split(separator: " ")[0]) } == expected)
        if name == "overwritten_file.tar" { #expect(lines.dropFirst().first == "/foo.txt symlink 777 0:0 -> bar.txt") }
    }

    @Test func escapeTarStaysInside() throws {
        let s = try Sandbox()
        let lines = try ImageFixtures.unpackAndMerge([Fixtures.publicData + "/osv-scalibr/unpack/escape.tar"], root: s.root)
        #expect(lines.map { String($0.split(separator: " ")[0]) } == [
            "/escape", "/trampoline", "/usr", "/usr/share", "/usr/share/doc",
            "/usr/share/doc/a", "/usr/share/doc/a/copyright", "/usr/share/doc/b", "/usr/share/doc/b/copyright",
            "/usr/share/doc/c", "/usr/share/doc/c/copyright",
        ])
        #expect(!FileManager.default.fileExists(atPath: "/tmp/poc.txt"))
        try s.expectContained()
    }

    @Test func sarusMaliciousImage() throws {
        let s = try Sandbox()
        let host = ["/tmp/malicious-file-through-symlink", "/tmp/malicious-file-through-abs-path", "/tmp/malicious-file-through-dotdots"]
        let before = host.map { FileManager.default.fileExists(atPath: $0) }
        let layers = try ImageFixtures.dockerArchiveLayers(Fixtures.publicData + "/sarus/saved_image_malicious.tar", into: s.dir.path)
        let e = layerError { try LayerApplier.unpack(try ImageFixtures.readers(layers), into: s.root) }
        #expect(e?.code == .unsafePath)
        #expect(e?.message.hasPrefix("layer 4: entry ../../") == true)
        #expect(e?.message.hasSuffix("/tmp/malicious-file-through-dotdots: path escapes the root") == true)
        let got = try s.tree().entries().map { $0.path.description }
        // Layer 2 carries a directory entry `malicious-symlink/`, which replaces the symlink.
        #expect(got == [
            "/malicious-symlink", "/malicious-symlink/malicious-file-through-symlink", "/tmp", "/tmp/malicious-file-through-abs-path",
        ])
        #expect(host.map { FileManager.default.fileExists(atPath: $0) } == before)
        try s.expectContained()
    }
}
