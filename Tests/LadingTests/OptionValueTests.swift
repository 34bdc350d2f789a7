import Foundation
import Lading
import Testing
import TestSupport

/// Bad option values and arguments are usage errors (exit 2) naming the option, found
/// before any work; options that have no effect are warned about.
@Suite struct OptionValueTests {
    static let digestName = "x@sha256:2984000000000000000000000000000000000000000000000000000000000000"

    /// The first line of standard error (the rest is the usage text).
    func firstLine(_ s: String) -> String { String(s.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }

    @Test(arguments: [
        (["import", "--compression-level", "13"], "Error: --compression-level: gzip takes 0 to 12, not 13"),
        (["import", "--compression", "gzip", "--compression-level=-1"], "Error: --compression-level: gzip takes 0 to 12, not -1"),
        (["import", "--compression", "zstd", "--compression-level", "22"], "Error: --compression-level: zstd takes 1 to 19, not 22"),
        (["import", "--compression", "zstd", "--compression-level", "0"], "Error: --compression-level: zstd takes 1 to 19, not 0"),
        (["import", "--platform", "bogus"], "Error: --platform: \"bogus\": unknown operating system or architecture: invalid argument"),
        (["import", "--compression", "lz4"], "Error: --compression must be keep, gzip, zstd or none"),
    ])
    func importOptionValues(_ args: [String], _ message: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let r = try run([ladingBinary] + args + ["--store", store, "\(corpus)/rootfs.tar", "x:1"])
        #expect(r.status == 2)
        #expect(firstLine(r.err) == message)
        #expect(r.out == "")
        #expect(!FileManager.default.fileExists(atPath: store + "/index.json"))
    }

    @Test func otherCommandsValidateLevelsPlatformsAndSizes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let cases: [([String], String)] = [
            (["commit", "--compression-level", "13", "scratch", dir.path], "Error: --compression-level: gzip takes 0 to 12, not 13"),
            (["squash", "--compression", "zstd", "--compression-level", "20", "x:1"], "Error: --compression-level: zstd takes 1 to 19, not 20"),
            (["copy", "--compression", "zstd", "--compression-level", "22", "x:1", "oci:\(dir.path)/o"], "Error: --compression-level: zstd takes 1 to 19, not 22"),
            (["load", "--max-layer-size", "10Q", "-i", "\(corpus)/v2.skopeo.docker.tar"], "Error: --max-layer-size: not a size: 10Q"),
            (["load", "--platform", "bogus", "-i", "\(corpus)/v2.skopeo.docker.tar"], "Error: --platform: \"bogus\": unknown operating system or architecture: invalid argument"),
            (["unpack", "--platform", "a/b/c/d", "x:1", "\(dir.path)/u"], "Error: --platform: \"a/b/c/d\": cannot parse platform specifier: invalid argument"),
            (["load", "-i", "-", "-"], "Error: standard input can be read once"),
        ]
        for (args, message) in cases {
            let r = try run([ladingBinary] + args + ["--store", store])
            #expect(r.status == 2, "\(args)")
            #expect(firstLine(r.err) == message)
        }
        #expect(!FileManager.default.fileExists(atPath: store + "/index.json"))
    }

    @Test func aCompressionLevelWithNoEffectIsWarnedAbout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let kept = try run([ladingBinary, "import", "--store", store, "--compression-level", "9", "\(corpus)/rootfs.tar.gz", "x:1"])
        #expect(kept.status == 0)
        #expect(kept.err == "Warning: --compression-level has no effect: the gzip input is stored as is (--compression keep)\n")
        let zstd = try run([ladingBinary, "import", "--store", store, "--compression-level", "9", "\(corpus)/rootfs.tar.zst", "x:2"])
        #expect(zstd.status == 0)
        #expect(zstd.err == "Warning: --compression-level has no effect: the zstd input is stored as is (--compression keep)\n")
        let none = try run([ladingBinary, "import", "--store", store, "--compression", "none", "--compression-level", "9", "\(corpus)/rootfs.tar", "x:3"])
        #expect(none.status == 0)
        #expect(none.err == "Warning: --compression-level has no effect with --compression none\n")
        let used = try run([ladingBinary, "import", "--store", store, "--compression-level", "1", "\(corpus)/rootfs.tar", "x:4"])
        #expect(used.status == 0)
        #expect(used.err == "")
        let copy = try run([ladingBinary, "copy", "--store", store, "--compression-level", "3", "x:1", "oci:\(dir.path)/o"])
        #expect(copy.status == 0)
        #expect(copy.err == "Warning: --compression-level has no effect with --compression keep (blobs are copied as they are)\n")
    }

    @Test(arguments: ["import", "commit", "squash"])
    func aDigestReferenceCannotNameANewImage(_ command: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "import", "--store", store, "\(corpus)/rootfs.tar", "base:1"]).status == 0)
        let before = snapshot(store)
        let args: [String]
        switch command {
        case "import": args = ["\(corpus)/rootfs.tar"]
        case "commit": args = ["base:1", dir.path]
        default: args = ["base:1"]
        }
        let r = try run([ladingBinary, command, "--store", store] + args + [Self.digestName])
        #expect(r.status == 2)
        let verb = command == "import" ? "cannot import digest reference" : "cannot \(command) to digest reference"
        #expect(firstLine(r.err) == "Error: \(verb): \(Self.digestName)")
        #expect(snapshot(store) == before)
    }

    @Test func theLibraryRefusesADigestReferenceBeforeAnyWork() throws {
        let (s, dir) = try makeStore()
        defer { dir.remove() }
        #expect(throws: LadingError.self) { try s.importTarball(path: "\(corpus)/rootfs.tar", options: ImportOptions(reference: Self.digestName)) }
        do {
            _ = try s.importTarball(path: "\(corpus)/rootfs.tar", options: ImportOptions(reference: Self.digestName))
        } catch {
            #expect("\(error)" == "cannot import digest reference: \(Self.digestName)")
        }
        #expect(try s.images().isEmpty)
        #expect(ingestLeftovers(s).isEmpty)
        // tag keeps its own wording.
        _ = try s.importTarball(path: "\(corpus)/rootfs.tar", options: ImportOptions(reference: "base:1"))
        do {
            try s.tag("base:1", Self.digestName)
            Issue.record("tag accepted a digest reference")
        } catch {
            #expect("\(error)" == "refusing to create a tag with a digest reference: \(Self.digestName)")
        }
    }
}
