import Foundation
import ImageLayout
import ImageSpec
@testable import ImageTransport
import Lading
import TarArchive
import Testing
import TestSupport

/// Copies into a tarball write each blob straight into the output (`TarSpool`).
@Suite struct TarSpoolTests {
    /// `count` bytes that do not compress and differ per `seed`.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var r = SeededRandom(state: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: r.next()) }
    }

    static func entries(_ tar: String) throws -> [(String, Int64, Digest)] {
        let reader = try TarReader(.path(tar), name: tar)
        var out: [(String, Int64, Digest)] = []
        while let e = try reader.next() {
            var d = StreamDigester()
            try reader.forEachChunk { d.update($0) }
            out.append((e.path, e.size, Digest(sha256Hex: d.finalizeHex())))
        }
        return out
    }

    @discardableResult
    static func blob(_ spool: TarSpool, _ bytes: [UInt8], hint: Int64? = nil, install: Bool) throws -> any StagedContent {
        let w = try spool.newBlob(sizeHint: hint)
        try bytes.withUnsafeBytes { try w.write($0) }
        let s = try w.stageContent()
        if install { try s.install() }
        return s
    }

    @Test func eachBlobIsWrittenOnceAndWhatIsNotInstalledIsDropped() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.tar"
        let sink = try FileSink(creating: path)
        let spool = try #require(try TarSpool(sink: sink))
        let a = Self.noise(2 << 20, seed: 1), b = Self.noise(1_500_000, seed: 2), c = Self.noise(3_000_001, seed: 3)
        let small = Array("small document".utf8)
        try Self.blob(spool, a, install: true)
        try Self.blob(spool, b, install: false)
        let again = try Self.blob(spool, a, install: true)
        #expect(again.digest == Digest.sha256(of: a))
        // The second copy of a was cut off again: a's entry, then b's.
        #expect(FileOps2.size(path) == 1024 + 512 + Int64(2 << 20) + 512 + 1_500_160)
        try Self.blob(spool, c, install: true)
        let aborted = try spool.newBlob(sizeHint: nil)
        try Self.noise(4096, seed: 4).withUnsafeBytes { try aborted.write($0) }
        aborted.abort()
        try Self.blob(spool, small, hint: Int64(small.count), install: true)
        #expect(spool.blobSize(Digest.sha256(of: small)) == Int64(small.count))
        #expect(spool.blobSize(Digest.sha256(of: b)) == nil)
        #expect(try spool.readBlob(Digest.sha256(of: c), limit: 4 << 20) == c)

        let written = try spool.finishBlobs()
        #expect(written == [Digest.sha256(of: a), Digest.sha256(of: c)])
        let w = try TarWriter(sink: sink, name: "rest")
        try w.writeHeader(TarEntry(path: Digest.sha256(of: small).blobPath, kind: .regular, size: Int64(small.count), permissions: 0o444))
        try w.write(small)
        try w.finish()

        let listed = try Self.entries(path)
        #expect(listed.map(\.0) == ["blobs/", "blobs/sha256/", Digest.sha256(of: a).blobPath, Digest.sha256(of: c).blobPath,
                                    Digest.sha256(of: small).blobPath])
        #expect(listed[2].1 == Int64(a.count) && listed[2].2 == Digest.sha256(of: a))
        #expect(listed[3].1 == Int64(c.count) && listed[3].2 == Digest.sha256(of: c))
        // GNU tar reads the headers too: modes, owners, sizes.
        let gnu = try run(["tar", "-tvf", path])
        #expect(gnu.status == 0, "\(gnu.err)")
        let lines = gnu.out.split(separator: "\n")
        #expect(lines[2].hasPrefix("-r--r--r-- 0/0         2097152 1970-01-01 00:00 blobs/sha256/"), "\(lines[2])")
        #expect(lines[0].hasPrefix("drwxr-xr-x 0/0               0 1970-01-01 00:00 blobs/"), "\(lines[0])")
    }

    @Test func sizesOf8GiBAndMoreAreWrittenInBase256() throws {
        let size: Int64 = 9 << 30
        let h = TarSpool.header(path: "blobs/sha256/x", size: size, directory: false)
        #expect(h[124] == 0x80)
        #expect(h[125...135].reduce(Int64(0)) { $0 << 8 | Int64($1) } == size)
        let small = TarSpool.header(path: "blobs/sha256/x", size: 0o77777777776, directory: false)
        #expect(String(decoding: small[124..<135], as: UTF8.self) == "77777777776")
        // The checksum: six octal digits, NUL, space, over the header with the field blank.
        var blank = h
        for i in 148..<156 { blank[i] = 0x20 }
        let sum = blank.reduce(0) { $0 + Int($1) }
        #expect(String(decoding: h[148..<154], as: UTF8.self) == String(format: "%06o", sum))
        #expect(h[154] == 0 && h[155] == 0x20)
    }

    /// An oci-archive with two images, each with a layer of over 1 MiB, in this order:
    /// layer one, layer two, then the small blobs.
    static func twoImageArchive(at path: String) throws -> (one: Digest, two: Digest) {
        let layers = try [1, 2].map { i in try TarBuilder().file("data\(i)", bytes: noise(1_200_000 + i, seed: UInt64(10 + i))).bytes() }
        let b = try TarBuilder()
        try b.directory("blobs").directory("blobs/sha256")
        var index: [String] = []
        for l in layers { try b.file(Digest.sha256(of: l).blobPath, bytes: l, mode: 0o444) }
        for (i, l) in layers.enumerated() {
            let d = Digest.sha256(of: l)
            let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(d)"]}}"#.utf8)
            let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(Digest.sha256(of: config))","size":\#(config.count)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(d)","size":\#(l.count)}]}"#.utf8)
            try b.file(Digest.sha256(of: config).blobPath, bytes: config, mode: 0o444)
            try b.file(Digest.sha256(of: manifest).blobPath, bytes: manifest, mode: 0o444)
            index.append(#"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(Digest.sha256(of: manifest))","size":\#(manifest.count),"annotations":{"org.opencontainers.image.ref.name":"\#(i == 0 ? "one" : "two")"}}"#)
        }
        try b.file("index.json", #"{"schemaVersion":2,"manifests":[\#(index.joined(separator: ","))]}"#)
        try b.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try b.write(to: path)
        return (Digest.sha256(of: layers[0]), Digest.sha256(of: layers[1]))
    }

    @Test func copyingOneImageOfAnArchiveLeavesItsNeighbourOut() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (one, two) = try Self.twoImageArchive(at: dir.path + "/src.tar")
        let out = dir.path + "/out.tar"
        try ImageCopier(storePath: dir.path + "/store").copy(from: try TransportAddress(parsing: "oci-archive:\(dir.path)/src.tar:two"),
                                                             to: try TransportAddress(parsing: "oci-archive:\(out)"))
        let names = try Self.entries(out).map(\.0)
        // Layer one was written while the source was read, then removed: layer two moved down.
        #expect(names.prefix(3) == ["blobs/", "blobs/sha256/", two.blobPath])
        #expect(!names.contains(one.blobPath))
        #expect(names.filter { $0.hasPrefix("blobs/sha256/") && $0 != "blobs/sha256/" }.count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["out.tar", "src.tar"])
        let peer = try run(["skopeo", "inspect", "--raw", "oci-archive:\(out):two"])
        #expect(peer.status == 0 && peer.out.contains(two.description), "\(peer.err)")
        let verify = try run([ladingBinary, "verify", "oci-archive:\(out)"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
    }

    @Test func aPipeIsWrittenThroughAStagingLayout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (_, two) = try Self.twoImageArchive(at: dir.path + "/src.tar")
        let r = try run(["sh", "-c", "\(ladingBinary) copy oci-archive:\(dir.path)/src.tar:two oci-archive:- | tar -tf -"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").contains(Substring(two.blobPath)))
    }
}

enum FileOps2 {
    static func size(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : -1
    }
}
