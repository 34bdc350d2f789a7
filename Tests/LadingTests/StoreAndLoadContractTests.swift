import Foundation
import Testing
import TestSupport

/// The rest of the scripting contract: a named store that does not exist is an error on
/// every command that reads it; `load` takes skopeo's addresses and points a filesystem
/// tarball to `import`; `prune --help` says what confirms; progress shows totals, fits
/// the terminal and ends its line when stopped.
@Suite struct StoreAndLoadContractTests {
    @Test(arguments: [
        ["images"], ["count"], ["du"], ["history", "a"], ["inspect", "a"], ["save", "-o", "OUT", "a"], ["unpack", "a", "OUT"],
        ["diff", "a", "b"], ["children", "a"], ["tag", "a", "b"], ["rmi", "a"], ["prune", "--dry-run"], ["prune", "-f"],
        ["copy", "a", "docker-archive:OUT"], ["manifest", "a"], ["config", "a"], ["tree", "a"],
    ])
    func aMissingStoreIsAnErrorOnEveryReadingCommand(_ args: [String]) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = dir.path + "/sotre"
        let argv = args.map { $0.replacingOccurrences(of: "OUT", with: dir.path + "/out") }
        let r = try run([ladingBinary] + argv + ["--store", missing])
        #expect(r.status == 1, "\(args)")
        #expect(r.out == "", "\(args)")
        #expect(r.err == "Error: \(missing) does not exist\n", "\(args)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [], "\(args)")
        // Named through the environment: the same.
        var env = ProcessInfo.processInfo.environment
        env["LADING_STORE"] = missing
        #expect(try run([ladingBinary] + argv, environment: env).err == "Error: \(missing) does not exist\n", "\(args)")
    }

    /// The default store before anything is loaded holds no images: an empty list, not an error.
    @Test func theDefaultStoreNotYetMadeListsNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["LADING_STORE"] = nil
        env["XDG_DATA_HOME"] = dir.path + "/data"
        let images = try run([ladingBinary, "images"], environment: env)
        #expect(images.status == 0 && images.out == "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n", "\(images)")
        #expect(try run([ladingBinary, "count"], environment: env).out == "0\n")
        #expect(try run([ladingBinary, "history", "a"], environment: env).err == "Error: \(dir.path)/data/lading does not exist\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }

    @Test(arguments: [
        ("docker-archive:", "v2.skopeo.docker.tar", "Loaded image: example.com/team/app:v2\n"),
        // skopeo's oci-archive names its image by a bare tag, which names nothing in a store.
        ("oci-archive:", "v2.skopeo.oci.tar", "Loaded image ID: sha256:c72678f805ee1363ae6f4d68530b67834188e419de97d8c8a5441b4ea1743e42\n"),
        ("oci:", "layout", "Loaded image ID: sha256:b8cd5147f63eb79ada67772ffaae886a8632942a1607d30240dd2eb1e6b883f9\nLoaded image ID: sha256:c72678f805ee1363ae6f4d68530b67834188e419de97d8c8a5441b4ea1743e42\n"),
    ])
    func loadTakesSkopeoAddresses(_ transport: String, _ file: String, _ output: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let plain = try run([ladingBinary, "load", "--store", dir.path + "/plain", "\(corpus)/\(file)"])
        #expect(plain.status == 0 && plain.out == output, "\(plain)")
        let r = try run([ladingBinary, "load", "--store", store, transport + "\(corpus)/\(file)"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == output)
        #expect(snapshot(store) == snapshot(dir.path + "/plain"))
        let i = try run([ladingBinary, "load", "--store", store, "-q", "-i", transport + "\(corpus)/\(file)"])
        #expect(i.status == 0 && i.err == "", "\(i.err)")
    }

    @Test func loadRefusesAReferenceAndPointsARootfsToImport() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let source = "docker-archive:\(corpus)/v2.skopeo.docker.tar:other:tag"
        let ref = try run([ladingBinary, "load", "--store", store, source])
        #expect(ref.status == 2)
        #expect(ref.err.hasPrefix("Error: \(source): load takes every image of a source, not one (other:tag); use lading copy \(source) NAME for one image\n"), "\(ref.err)")
        for file in ["rootfs.tar", "rootfs.tar.gz"] {
            let r = try run([ladingBinary, "load", "--store", store, "\(corpus)/\(file)"])
            #expect(r.status == 1)
            #expect(r.err == "Error: \(corpus)/\(file): not an image archive (no oci-layout, index.json or manifest.json); to make an image of a filesystem tarball, use lading import\n")
        }
        #expect(!FileManager.default.fileExists(atPath: store + "/index.json") || snapshot(store).keys.allSatisfy { !$0.hasPrefix("blobs/sha256/") })
    }

    @Test func pruneHelpSaysWhatItDoesAndWhatConfirms() throws {
        let help = try run([ladingBinary, "prune", "--help"]).out.replacingOccurrences(of: "\n", with: " ")
        #expect(help.contains("Removes the images no name refers to (with -a, every image the filters select, named or not), then every blob no remaining image reaches"))
        #expect(help.contains("only y or Y (blanks around it ignored) goes ahead; any other answer (yes included)"), "\(help)")
        #expect(!help.contains("y or yes"))
    }
}
