import Foundation
import Testing
import TestSupport

/// The `lading` binary: stdout, stderr and exit codes as a user sees them.
@Suite struct CLITests {
    @Test func loadThenImagesThenSaveThroughAPipe() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let load = try run([ladingBinary, "load", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(load.status == 0)
        #expect(load.out == "Loaded image: example.com/team/app:v2\n")
        let images = try run([ladingBinary, "images", "--store", store])
        let lines = images.out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("REPOSITORY             TAG       IMAGE ID       CREATED") == true)
        #expect(lines.first?.hasSuffix("   SIZE") == true)
        try #require(lines.count == 2)
        #expect(lines[1].hasPrefix("example.com/team/app   v2        "))
        let q = try run([ladingBinary, "images", "-q", "--store", store])
        #expect(q.out.count == 13)
        let json = try run([ladingBinary, "images", "--format", "json", "--store", store])
        let obj = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        #expect(obj["Repository"] as? String == "example.com/team/app")
        #expect(obj["Tag"] as? String == "v2")
        let save = try run(["sh", "-c", "'\(ladingBinary)' save --store '\(store)' example.com/team/app:v2 | tar tf - | sort"])
        #expect(save.status == 0)
        #expect(save.out.contains("manifest.json\noci-layout\nrepositories\n"))
        let inspect = try run([ladingBinary, "inspect", "--store", store, "example.com/team/app:v2"])
        let arr = try JSONSerialization.jsonObject(with: Data(inspect.out.utf8)) as! [[String: Any]]
        let first = try #require(arr.first, "inspect printed no image")
        #expect(first["RepoTags"] as? [String] == ["example.com/team/app:v2"])
        #expect(first["Os"] as? String == "linux")
        #expect((first["RootFS"] as? [String: Any])?["Layers"] as? [String] == [
            "sha256:285aa04819c4c1150ccf4a71cb4fd792942d366558dd2ba6b3badff1050ea9fe",
            "sha256:a8a0272c661e24eb0565ea7b1a50be38fa5da2ecbdd215f6ff41fd4ccb4be6c2",
        ])
    }

    @Test func progressIsDrawnOnATerminalOnly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let load = "\(ladingBinary) load --store \(dir.path)/s -i \(corpus)/v2.skopeo.docker.tar"
        // In a pipe: the command's output only.
        var env = ProcessInfo.processInfo.environment
        env["LADING_PROGRESS_AFTER"] = "0"
        env["TERM"] = "xterm"
        let piped = try run(["/bin/sh", "-c", load], environment: env)
        #expect(piped.status == 0)
        #expect(!piped.err.contains("\u{1B}") && !piped.out.contains("\u{1B}"))
        #expect(piped.out == "Loaded image: example.com/team/app:v2\n")
        // On a terminal (script(1) gives the command one): a progress line, cleared before the output.
        try FileManager.default.removeItem(atPath: dir.path + "/s")
        let tty = try run(["script", "-qec", load, "/dev/null"], environment: env)
        #expect(tty.status == 0, "\(tty.err)")
        #expect(tty.out.contains("\r\u{1B}[2KLoading  "), "\(tty.out)")
        #expect(tty.out.contains(" / 2.02MB  "), "\(tty.out)")
        #expect(tty.out.hasSuffix("\r\u{1B}[2KLoaded image: example.com/team/app:v2\r\n"), "\(tty.out)")
    }

    @Test func errorsGoToStderrWithNonZeroExit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let r = try run([ladingBinary, "load", "--store", store, "-i", "/nonexistent/x.tar"])
        #expect(r.status == 1)
        #expect(r.out == "")
        #expect(r.err.hasPrefix("Error: /nonexistent/x.tar: cannot open"))
        let m = try run([ladingBinary, "inspect", "--store", store, "nothing:here"])
        #expect(m.status == 1)
        #expect(m.err == "Error: No such image: nothing:here\n")
        let rmi = try run([ladingBinary, "rmi", "--store", store, "nothing:here"])
        #expect(rmi.status == 1)
        #expect(rmi.err == "Error: No such image: nothing:here\n")
    }

    @Test func storeComesFromTheEnvironment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["LADING_STORE"] = dir.path + "/envstore"
        let r = try run([ladingBinary, "load", "-q", "-i", "\(corpus)/v2.skopeo.docker.tar"], environment: env)
        #expect(r.status == 0)
        #expect(r.out == "")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/envstore/index.json"))
    }
}

/// Inputs a first user tried that broke the CLI, kept as regressions.
@Suite struct CLIRegressionTests {
    @Test func imagesListsArtifactsAndOnePlatformIndexes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "-q", "--store", s, "-i", "\(Fixtures.publicData)/oras/zot-images"]).status == 0)
        #expect(try run([ladingBinary, "load", "-q", "--store", s, "--platform", "linux/arm64", "-i", "\(Fixtures.publicData)/stereoscope/multiplatform_oci_dir"]).status == 0)
        let r = try run([ladingBinary, "images", "--store", s])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").count == 8, "header, multi-platform and 6 unnamed artifacts")
        // `empty_index` (an index with no manifest) is no image: shown with -a only.
        #expect(!r.out.contains("b2a5fcfb112c"))
        let all = try run([ladingBinary, "images", "-a", "--store", s])
        #expect(all.out.split(separator: "\n").count == 9, "header, multi-platform and 7 unnamed artifacts")
        #expect(all.out.split(separator: "\n").contains { $0.split(separator: " ") == ["<none>", "<none>", "b2a5fcfb112c", "N/A", "89B"] })
        #expect(r.out.contains("\nmulti-platform   latest    a1a8d08faa5f"))
        let i = try run([ladingBinary, "inspect", "--store", s, "multi-platform"])
        #expect(i.status == 0, "\(i.err)")
        #expect(i.out.contains("\"Architecture\" : \"arm64\""))
    }

    @Test func importOfEmptyInputIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try run([ladingBinary, "import", "--store", dir.path + "/s", "/dev/null", "e:1"])
        #expect(r.status == 1)
        #expect(r.err == "Error: /dev/null: empty input, not a tar archive\n")
    }

    @Test func usageErrorsExitWithTwo() throws {
        #expect(try run([ladingBinary, "verify"]).status == 2)
        #expect(try run([ladingBinary, "lod"]).status == 2)
        #expect(try run([ladingBinary, "images", "--format", "xml"]).status == 2)
        #expect(try run([ladingBinary, "verify", "--help"]).status == 0)
    }
}

@Suite struct VersionTests {
    @Test func versionPrintsTheVersion() throws {
        let r = try run([ladingBinary, "--version"])
        #expect(r.status == 0 && r.out == "lading 0.13.0\n" && r.err.isEmpty, "\(r)")
    }
}
