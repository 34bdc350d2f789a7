import Foundation
import Testing
import TarArchive
import TestSupport

@Suite struct TarRoundTripTests {
    @Test(arguments: [Compression.none, .gzip, .zstd, .xz, .bzip2])
    func writesAndReadsBack(_ c: Compression) throws {
        let bytes = try TarBuilder(compression: c)
            .directory("etc")
            .file("etc/motd", "hello\n", mode: 0o4755, uid: 1000, gid: 100, mtime: 1_700_000_000)
            .symlink("etc/link", to: "motd")
            .hardlink("etc/hard", to: "etc/motd")
            .bytes()
        #expect(Compression.detect(magic: bytes.prefix(8)) == c)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/a.tar"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let r = try TarReader(.path(path), name: "a.tar")
        var seen: [String] = []
        while let e = try r.next() {
            seen.append("\(e.path) \(e.kind) \(String(e.permissions, radix: 8)) \(e.uid):\(e.gid) \(e.link ?? "-")")
            if e.path == "etc/motd" {
                #expect(try r.readAll(limit: 100) == Array("hello\n".utf8))
                #expect(e.mtime == 1_700_000_000)
            }
        }
        #expect(r.compression == c)
        #expect(seen == [
            "etc/ directory 755 0:0 -",
            "etc/motd regular 4755 1000:100 -",
            "etc/link symlink 777 0:0 motd",
            "etc/hard hardlink 644 0:0 etc/motd",
        ])
    }

    @Test func randomBytesAreNotATar() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/junk"
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(to: URL(fileURLWithPath: path))
        do {
            _ = try TarReader(.path(path), name: "junk").next()
            Issue.record("random bytes were read as a tar")
        } catch let e as ArchiveError {
            #expect(e.code == .notAnArchive)
            #expect(e.message == "junk: not a tar archive")
        }
    }

    @Test func uncompressedTarIsDeterministicAndUnpadded() throws {
        let a = try TarBuilder().file("x", "1").bytes()
        let b = try TarBuilder().file("x", "1").bytes()
        #expect(a == b)
        #expect(a.count == 512 + 512 + 1024)
    }
}
