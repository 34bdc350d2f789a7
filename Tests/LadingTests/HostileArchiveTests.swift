import Foundation
import ImageSpec
import ImageTransport
import Lading
import TarArchive
import Testing
import TestSupport

/// Crafted archives for the formats and resource rules: bombs, huge claimed sizes,
/// compressed-stream quirks, foreign formats. Each asserts the exact outcome and that a
/// refused input leaves the store as it was.
@Suite struct HostileArchiveTests {
    /// A one-image docker-save archive whose only layer is `layer` (any bytes).
    static func archive(layer: [UInt8], diffID: Digest) throws -> [UInt8] {
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(diffID)"]}}"#.utf8)
        let cfgName = "\(Digest.sha256(of: config).encoded).json"
        return try TarBuilder()
            .file(cfgName, bytes: config)
            .file("l/layer.tar", bytes: layer)
            .file("manifest.json", #"[{"Config":"\#(cfgName)","RepoTags":["hostile.example/x:1"],"Layers":["l/layer.tar"]}]"#)
            .bytes()
    }

    static func gzipOfZeros(_ count: Int) throws -> [UInt8] {
        let sink = MemorySink()
        let w = try TarWriter(sink: sink, format: .raw, options: .init(compression: .gzip), name: "bomb")
        try w.beginRawStream()
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<(count >> 20) { try w.write(zeros) }
        try w.finish()
        return sink.bytes
    }

    func attempt(_ bytes: [UInt8], options: ImageLoader.Options = .init()) throws -> (Result<Void, Error>, Bool) {
        let (s, d) = try makeStore()
        defer { d.remove() }
        let before = snapshot(s.layout.root)
        let path = d.path + "/input"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let r = Result { _ = try s.load(path: path, options: options) }
        if case .failure = r { #expect(snapshot(s.layout.root) == before) }
        return (r, ingestLeftovers(s).isEmpty)
    }

    @Test func decompressionBombStopsAtTheLimit() throws {
        let size = 64 << 20
        let bomb = try Self.gzipOfZeros(size)
        #expect(bomb.count < 200_000)
        var zeros = StreamDigester()
        zeros.update([UInt8](repeating: 0, count: size))
        let tar = try Self.archive(layer: bomb, diffID: Digest(sha256Hex: zeros.finalizeHex()))
        let (ok, clean) = try attempt(tar)
        #expect(throws: Never.self) { try ok.get() }
        #expect(clean)
        let (limited, clean2) = try attempt(tar, options: .init(maxBlobSize: 1 << 20))
        #expect(clean2)
        #expect(throws: (any Error).self) { try limited.get() }
        if case .failure(let e) = limited { #expect("\(e)".hasSuffix(": l/layer.tar is larger than the limit of 1048576 bytes")) }
    }

    @Test func uncompressedEntryOverTheLimitIsRefusedBeforeCopying() throws {
        let layer = [UInt8](repeating: 0, count: 3 << 20)
        let tar = try Self.archive(layer: layer, diffID: Digest.sha256(of: layer))
        let (r, clean) = try attempt(tar, options: .init(maxBlobSize: 1 << 20))
        #expect(clean)
        if case .failure(let e) = r { #expect("\(e)".hasSuffix(": l/layer.tar is 3145728 bytes, over the limit of 1048576 bytes")) } else { Issue.record("loaded") }
    }

    /// A ustar header claiming a 9 GiB entry (GNU base-256 size) with no data behind it.
    @Test func hugeClaimedSizeIsATruncatedArchive() throws {
        var h = [UInt8](repeating: 0, count: 512)
        let name = Array("blobs/sha256/huge".utf8)
        h.replaceSubrange(0..<name.count, with: name)
        h.replaceSubrange(100..<108, with: Array("0000644\0".utf8))
        h.replaceSubrange(108..<116, with: Array("0000000\0".utf8))
        h.replaceSubrange(116..<124, with: Array("0000000\0".utf8))
        let size: UInt64 = 9 << 30
        h[124] = 0x80
        for i in 0..<8 { h[135 - i] = UInt8(truncatingIfNeeded: size >> (8 * UInt64(i))) }
        h.replaceSubrange(136..<148, with: Array("00000000000\0".utf8))
        h[156] = UInt8(ascii: "0")
        h.replaceSubrange(257..<265, with: Array("ustar  \0".utf8))
        h.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        let sum = h.reduce(0) { $0 + Int($1) }
        h.replaceSubrange(148..<156, with: Array(String(format: "%06o\0 ", sum).utf8))
        let (r, clean) = try attempt(h + [UInt8](repeating: 0x41, count: 4096))
        #expect(clean)
        if case .failure(let e) = r { #expect("\(e)".hasSuffix("input: cannot read entry blobs/sha256/huge: Truncated tar archive"), "\(e)") } else { Issue.record("loaded") }
    }

    @Test func zipIsNotATar() throws {
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 2000)
        let (r, _) = try attempt(zip)
        if case .failure(let e) = r { #expect("\(e)".hasSuffix("not a tar archive: Unrecognized archive format")) } else { Issue.record("loaded") }
    }

    /// Policy: an outer gzip stream of several members reads as one stream (as `gzip -d`
    /// does); zero bytes after the last member are ignored.
    @Test func gzipMembersAndTrailingZeros() throws {
        let tar = Array(try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/v2.skopeo.docker.tar")))
        func gz(_ b: ArraySlice<UInt8>) throws -> [UInt8] {
            let sink = MemorySink()
            let w = try TarWriter(sink: sink, format: .raw, options: .init(compression: .gzip), name: "gz")
            try w.beginRawStream()
            try w.write(Array(b))
            try w.finish()
            return sink.bytes
        }
        let half = tar.count / 2
        let twoMembers = try gz(tar[..<half]) + gz(tar[half...])
        let (r1, _) = try attempt(twoMembers)
        #expect(throws: Never.self) { try r1.get() }
        let (r2, _) = try attempt(try gz(tar[...]) + [UInt8](repeating: 0, count: 4096))
        #expect(throws: Never.self) { try r2.get() }
    }

    @Test func longAndNonUTF8EntryNamesInTheArchiveAreHarmless() throws {
        var p = try BadInputTests.Parts.make()
        p.extra = { b in
            try b.file(String(repeating: "d/", count: 200) + "x", "ignored")
            var e = TarEntry(path: "", kind: .regular, size: 1)
            e.pathBytes = [0x66, 0xFF, 0xFE, 0x2E, 0x6A]
            try b.entry(e, content: [0x31])
        }
        let (r, clean) = try attempt(try p.archive())
        #expect(throws: Never.self) { try r.get() }
        #expect(clean)
    }
}
