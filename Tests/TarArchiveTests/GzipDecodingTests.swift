import Foundation
import Testing
import TarArchive
import TestSupport

/// gzip decoding through igzip ahead of libarchive (`TarReader` on a gzip file or chunks).
@Suite struct GzipDecodingTests {
    /// Bytes with some structure, so they compress.
    func sample(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: ($0 * 7) ^ ($0 >> 9)) } }

    func gzip(_ bytes: [UInt8], blockSize: Int = 64 * 1024) throws -> [UInt8] {
        let out = MemorySink()
        let g = try ParallelGzipSink(downstream: out, blockSize: blockSize, threads: 2)
        try bytes.withUnsafeBytes { try g.write($0) }
        try g.finish()
        return out.bytes
    }

    @Test func everyMemberIsDecoded() throws {
        let input = sample(300_000)
        let gz = try gzip(input)
        #expect(try gunzipLibarchive(gz) == input)
    }

    @Test(arguments: [Array("garbage\n".utf8), [0x1F], [UInt8](repeating: 0, count: 4096)])
    func aTailThatIsNotAMemberIsIgnored(_ tail: [UInt8]) throws {
        let input = sample(200_000)
        #expect(try gunzipLibarchive(try gzip(input) + tail) == input)
    }

    @Test func aMemberStartingAtTheLastByteOfAChunkIsFound() throws {
        // Members of 1 MiB - 1 compressed bytes would put a magic across the 1 MiB chunk
        // boundary; stored members (level 0) make the sizes exact.
        let first = sample((1 << 20) - 1 - 98)  // 16 stored blocks (5 bytes each) and the member frame (18)
        let out = MemorySink()
        let g0 = try ParallelGzipSink(downstream: out, level: 0, blockSize: 64 << 20, threads: 1)
        try first.withUnsafeBytes { try g0.write($0) }
        try g0.finish()
        #expect(out.bytes.count == (1 << 20) - 1)
        let second = sample(5000)
        #expect(try gunzipLibarchive(out.bytes + (try gzip(second))) == first + second)
    }

    @Test func aWrongCRCIsAnError() throws {
        var gz = try gzip(sample(10_000))
        gz[gz.count - 8] ^= 0xFF
        let e = #expect(throws: ArchiveError.self) { _ = try gunzipLibarchive(gz) }
        #expect("\(e!)".contains("x.gz: damaged or truncated gzip data"), "\(e!)")
        #expect("\(e!)".contains("CRC-32"), "\(e!)")
    }

    @Test func truncationIsAnError() throws {
        let gz = try gzip(sample(100_000))
        let e = #expect(throws: ArchiveError.self) { _ = try gunzipLibarchive(Array(gz.prefix(gz.count / 2))) }
        #expect("\(e!)".contains("x.gz: damaged or truncated gzip data"), "\(e!)")
    }

    @Test func aTarWhoseFirstNameStartsLikeGzipIsReadAsTar() throws {
        // Only a full gzip header (magic, method 8, no reserved flags) starts decoding:
        // a crafted first name beginning 1F 8B 08 80 stays a tar entry name.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var tar = try TarBuilder().file("XXXXname", "hello\n").bytes()
        tar.replaceSubrange(0..<4, with: [0x1F, 0x8B, 0x08, 0x80])
        let sum = tar[0..<512].enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 32 : Int($1.element)) }
        let field = Array(String(sum, radix: 8).utf8)
        tar.replaceSubrange(148..<156, with: [UInt8](repeating: 0x30, count: 6 - field.count) + field + [0, 0x20])
        let path = dir.path + "/odd.tar"
        try Data(tar).write(to: URL(fileURLWithPath: path))
        for r in [try TarReader(.path(path), name: "odd.tar"),
                  try TarReader(.chunks(DescriptorSource(fd: open(path, O_RDONLY), name: "odd.tar")), name: "odd.tar")] {
            let e = try r.next()
            #expect(e?.pathBytes == [0x1F, 0x8B, 0x08, 0x80] + Array("name".utf8))
            #expect(r.compression == .none)
        }
    }
}

@Suite struct BufferedSourceTests {
    /// Looking at a source twice before reading it used to lose the first chunk.
    @Test func peekingTwiceReturnsTheSameChunk() throws {
        let path = NSTemporaryDirectory() + "/peek-\(getpid()).bin"
        try Data("first chunk".utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let src = try DescriptorSource(opening: path, name: "peek test")
        #expect(Array(try src.peek()) == Array("first chunk".utf8))
        #expect(Array(try src.peek()) == Array("first chunk".utf8))
        #expect(Array(try src.nextChunk()) == Array("first chunk".utf8))
        #expect(try src.nextChunk().count == 0)
    }
}
