import Foundation
import ImageSpec
import ImageTransport
import Lading
import Testing
import TestSupport

/// `import /dev/zero` read for ever (26 GB in two minutes): /dev/zero is an empty tar
/// (two zero blocks) followed by endless zeros, and no size cap applied to import,
/// commit, squash or copy.
@Suite struct SizeCapTests {
    /// A store holding the corpus's v2 image, its files before the command under test.
    static func store(_ dir: TemporaryDirectory) throws -> (String, [String: String]) {
        let store = dir.path + "/store"
        let r = try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(r.status == 0, "\(r.err)")
        return (store, snapshot(store))
    }

    @Test(arguments: [
        ("exec timeout -s KILL 20 \"$0\" import --store \"$1\" /dev/zero zero:1", "/dev/zero"),
        ("exec timeout -s KILL 20 \"$0\" import --store \"$1\" - zero:1 </dev/zero", "standard input"),
        ("cat /dev/zero | timeout -s KILL 20 \"$0\" import --store \"$1\" - zero:1", "standard input"),
    ])
    func importOfDevZeroEndsAtOnce(_ script: String, _ name: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, before) = try Self.store(dir)
        let start = Date()
        let p = try Started(["bash", "-c", script, ladingBinary, store])
        let status = p.wait(seconds: 30)
        #expect(status == 1, "\(p.err)")
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(p.err == "Error: \(name): more than 1048576 bytes follow the tar end-of-archive blocks (at byte 1024); a tarball's padding is less\n")
        #expect(snapshot(store) == before)
        #expect(ingestEntries(store) == [])
    }

    /// Padding after the end-of-archive blocks up to 1 MiB is read and hashed with the
    /// rest (the diff ID covers it, as docker computes it); more is refused.
    @Test func paddingAfterTheEndOfArchive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, before) = try Self.store(dir)
        let tar = Array(try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/rootfs.tar")))
        let padded = tar + [UInt8](repeating: 0, count: 512 << 10)
        try Data(padded).write(to: URL(fileURLWithPath: dir.path + "/padded.tar"))
        let ok = try run([ladingBinary, "import", "--store", store, dir.path + "/padded.tar", "padded:1"])
        #expect(ok.status == 0, "\(ok.err)")
        let inspect = try run([ladingBinary, "inspect", "--store", store, "padded:1"])
        #expect(inspect.out.contains(Digest.sha256(of: padded).description))

        let long = tar + [UInt8](repeating: 0, count: 2 << 20)
        try Data(long).write(to: URL(fileURLWithPath: dir.path + "/long.tar"))
        let afterOK = snapshot(store)
        #expect(afterOK != before)
        let r = try run([ladingBinary, "import", "--store", store, dir.path + "/long.tar", "long:1"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("Error: \(dir.path)/long.tar: more than 1048576 bytes follow the tar end-of-archive blocks (at byte "))
        #expect(snapshot(store) == afterOK)
        #expect(ingestEntries(store) == [])
    }

    /// `--max-layer-size` on import (a file and a pipe), commit, squash and copy: under
    /// the cap the command works, over it the layer is refused naming it, and the store
    /// (or the destination) is left as it was.
    @Test func maxLayerSizeOnEveryCommandThatWritesALayer() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, _) = try Self.store(dir)
        let tar = dir.path + "/big.tar"
        try writeRandomTar(tar, bytes: 3 << 20)
        let ok = try run([ladingBinary, "import", "--store", store, "--max-layer-size", "4M", tar, "big:1"])
        #expect(ok.status == 0, "\(ok.err)")
        let before = snapshot(store)
        let limit = "limit of 2097152 bytes"

        var r = try run([ladingBinary, "import", "--store", store, "--max-layer-size", "2M", tar, "over:1"])
        #expect(r.status == 1)
        #expect(r.err == "Error: \(tar) is larger than the \(limit)\n")
        r = try run(["bash", "-c", "\"$0\" import --store \"$1\" --max-layer-size 2M - over:1 <\"$2\"", ladingBinary, store, tar])
        #expect(r.err == "Error: standard input is larger than the \(limit)\n")

        let tree = dir.path + "/tree"
        #expect(try run(["mkdir", "-p", tree]).status == 0)
        #expect(try run(["tar", "-xf", tar, "-C", tree]).status == 0)
        r = try run([ladingBinary, "commit", "--store", store, "--max-layer-size", "2M", "scratch", tree, "over:1"])
        #expect(r.status == 1)
        #expect(r.err == "Error: the layer committed from \(tree) is larger than the \(limit)\n")

        r = try run([ladingBinary, "squash", "--store", store, "--max-layer-size", "2M", "big:1", "over:1"])
        #expect(r.status == 1)
        #expect(r.err == "Error: the squashed layer of big:1 is larger than the \(limit)\n")
        #expect(snapshot(store) == before)
        #expect(ingestEntries(store) == [])

        r = try run([ladingBinary, "copy", "--store", store, "--compression", "zstd", "--max-layer-size", "2M", "big:1", "oci:\(dir.path)/out"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("Error: layer 0 (sha256:"))
        #expect(r.err.hasSuffix(") is larger than the \(limit)\n"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/out"))
        r = try run([ladingBinary, "copy", "--store", store, "--compression", "zstd", "--max-layer-size", "4M", "big:1", "oci:\(dir.path)/out"])
        #expect(r.status == 0, "\(r.err)")
    }

    /// No cap is given: regular files and directories have none, other input (a pipe,
    /// standard input, a device) 64 GiB.
    @Test func defaultCapByKindOfInput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fifo = dir.path + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(SizeLimit.effective(nil, input: "\(corpus)/rootfs.tar") == nil)
        #expect(SizeLimit.effective(nil, input: dir.path) == nil)
        #expect(SizeLimit.effective(nil, input: "/dev/zero") == 64 << 30)
        #expect(SizeLimit.effective(nil, input: fifo) == 64 << 30)
        #expect(SizeLimit.effective(5, input: "/dev/zero") == 5)
        #expect(SizeLimit.effective(5, input: "\(corpus)/rootfs.tar") == 5)
        let help = try run([ladingBinary, "import", "--help"]).out
        #expect(help.contains("64G for standard input, a pipe or a device"))
    }
}
