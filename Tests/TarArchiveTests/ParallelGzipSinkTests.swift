import Foundation
import Testing
import TarArchive
import TestSupport

/// Deterministic pseudo-random bytes (SplitMix64).
private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var out = [UInt8]()
    out.reserveCapacity(count + 8)
    while out.count < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        withUnsafeBytes(of: z.littleEndian) { out.append(contentsOf: $0) }
    }
    return Array(out.prefix(count))
}

/// Text-like bytes: words from a small vocabulary with numbers, so gzip gets about 3:1.
private func compressibleBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    let words = ["usr", "lib", "share", "doc", "bin", "x86_64-linux-gnu", "copyright", "changelog.Debian.gz",
                 "python3", "dist-packages", "__init__.py", "locale", "man", "zoneinfo", "Europe", "systemd"]
    let noise = randomBytes(count / 2 + 16, seed: seed)
    var out = [UInt8]()
    out.reserveCapacity(count + 64)
    var i = 0
    while out.count < count {
        let r = Int(noise[i % noise.count])
        out.append(contentsOf: Array(words[r % words.count].utf8))
        out.append(r & 0x10 == 0 ? UInt8(ascii: "/") : UInt8(ascii: "\n"))
        if r % 7 == 0 { out.append(contentsOf: Array(String(r * 131 + i % 1000).utf8)) }
        i += 1
    }
    return Array(out.prefix(count))
}

/// Compresses `input` with a `ParallelGzipSink`, writing it in pieces of the sizes in `chunks` (cycled).
private func pgzip(_ input: [UInt8], level: Int = 6, blockSize: Int = ParallelGzipSink.defaultBlockSize,
                   threads: Int = 2, chunks: [Int] = [1 << 20]) throws -> [UInt8] {
    let out = MemorySink()
    let sink = try ParallelGzipSink(downstream: out, level: level, blockSize: blockSize, threads: threads)
    try input.withUnsafeBytes { all in
        var off = 0
        var i = 0
        while off < all.count {
            let n = min(chunks[i % chunks.count], all.count - off)
            try sink.write(UnsafeRawBufferPointer(rebasing: all[off..<(off + n)]))
            off += n
            i += 1
        }
    }
    try sink.finish()
    return out.bytes
}

/// Decodes a gzip stream with `TarReader` (igzip ahead of libarchive's raw format), from
/// a file named `x.gz`. (The raw format refuses an empty decoded stream, from any gzip,
/// so empty input is checked with `gzip -dc` only.)
func gunzipLibarchive(_ gz: [UInt8]) throws -> [UInt8] {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/x.gz"
    try Data(gz).write(to: URL(fileURLWithPath: path))
    let r = try TarReader(.path(path), mode: .raw, name: "x.gz")
    guard try r.next() != nil else { return [] }
    #expect(r.compression == .gzip)
    return try r.readAll(limit: 1 << 30)
}

/// Decodes a gzip stream with the system's `gzip -dc`; nil when it refuses the stream.
private func gunzipSystem(_ gz: [UInt8]) throws -> [UInt8]? {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let inPath = dir.path + "/x.gz"
    let outPath = dir.path + "/x"
    try Data(gz).write(to: URL(fileURLWithPath: inPath))
    FileManager.default.createFile(atPath: outPath, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "exec gzip -dc < \"$1\" > \"$2\"", "sh", inPath, outPath]
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    return Array(try Data(contentsOf: URL(fileURLWithPath: outPath)))
}

private struct SinkFailure: Error, Equatable { let n: Int }

/// Accepts `limit` bytes, then throws.
private final class FailingSink: ByteSink, @unchecked Sendable {
    let limit: Int
    private(set) var written = 0
    init(after limit: Int) { self.limit = limit }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if written + bytes.count > limit { throw SinkFailure(n: limit) }
        written += bytes.count
    }
}

@Suite struct ParallelGzipSinkTests {
    static let block = ParallelGzipSink.defaultBlockSize
    static let sizes = [0, 1, block - 1, block, block + 1, 3 * block + 12_345, 5 << 20]

    @Test(arguments: sizes)
    func randomRoundTrip(_ size: Int) throws {
        let input = randomBytes(size, seed: UInt64(size) + 1)
        let gz = try pgzip(input)
        // libdeflate's member header: no flags, mtime 0, XFL 0 at level 6, OS unknown.
        #expect(Array(gz.prefix(10)) == [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF])
        // The last member's ISIZE is the length of the last block.
        let isize = gz.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        let lastBlock = size == 0 ? 0 : (size - 1) % Self.block + 1
        #expect(isize == UInt32(lastBlock))
        if size > 0 { #expect(try gunzipLibarchive(gz) == input) }
        #expect(try gunzipSystem(gz) == input)
    }

    @Test func eachBlockIsAMemberOfItsOwn() throws {
        // 2.5 blocks: three members, each exactly what compressing its block alone gives.
        let input = compressibleBytes(5 * Self.block / 2, seed: 21)
        let gz = try pgzip(input, threads: 2, chunks: [333_333])
        let one = try pgzip(Array(input[0..<Self.block]), threads: 1)
        let two = try pgzip(Array(input[Self.block..<(2 * Self.block)]), threads: 1)
        let three = try pgzip(Array(input[(2 * Self.block)...]), threads: 1)
        #expect(gz == one + two + three)
        #expect(try gunzipLibarchive(gz) == input)
    }

    @Test(arguments: sizes)
    func compressibleRoundTrip(_ size: Int) throws {
        let input = compressibleBytes(size, seed: UInt64(size) + 7)
        let gz = try pgzip(input, chunks: [4093, 1, 70_000])
        if size > 4096 { #expect(gz.count < input.count / 2) }
        if size > 0 { #expect(try gunzipLibarchive(gz) == input) }
        #expect(try gunzipSystem(gz) == input)
    }

    @Test func emptyInputIsOneEmptyMember() throws {
        let gz = try pgzip([])
        // Header, a final empty block, CRC 0 and length 0.
        #expect(Array(gz.prefix(10)) == [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF])
        #expect(Array(gz.suffix(8)) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(gz.count == 23)
        #expect(try gunzipSystem(gz) == [])
    }

    @Test func sameBytesWhateverTheThreadsAndWriteSizes() throws {
        let input = compressibleBytes(3 << 20, seed: 42) + randomBytes(300_000, seed: 43) + compressibleBytes(1 << 20, seed: 44)
        let reference = try pgzip(input, threads: 1, chunks: [input.count])
        #expect(try gunzipSystem(reference) == input)
        for threads in [1, 2, 4] {
            for chunks in [[1 << 20], [10240], [1, 2, 3, 131_071, 131_073, 65_536], [Self.block]] {
                let gz = try pgzip(input, threads: threads, chunks: chunks)
                #expect(gz == reference, "threads \(threads), chunks \(chunks)")
            }
        }
    }

    @Test(arguments: [1, 9])
    func otherLevelsRoundTripAndMarkTheHeader(_ level: Int) throws {
        let input = compressibleBytes(600_000, seed: UInt64(level))
        let gz = try pgzip(input, level: level, threads: 3)
        #expect(gz[8] == (level == 9 ? 2 : 4))
        #expect(try gunzipSystem(gz) == input)
    }

    @Test func levelZeroStores() throws {
        let input = compressibleBytes(300_000, seed: 5)
        let gz = try pgzip(input, level: 0)
        #expect(gz.count > input.count)
        #expect(try gunzipLibarchive(gz) == input)
    }

    @Test(arguments: [32 * 1024, 128 * 1024, 1 << 20])
    func otherBlockSizes(_ blockSize: Int) throws {
        let input = compressibleBytes(2 << 20, seed: 9) + randomBytes(blockSize + 3, seed: 10)
        let gz = try pgzip(input, blockSize: blockSize, threads: 2, chunks: [99_999])
        #expect(try gunzipSystem(gz) == input)
        #expect(try pgzip(input, blockSize: blockSize, threads: 4, chunks: [7777]) == gz)
    }

    @Test func cuttingIntoMembersCostsLittleRatio() throws {
        // Blocks do not reach back across their boundaries: against one 4 MiB member of
        // the same input, 1 MiB members cost well under 1%.
        let input = compressibleBytes(4 << 20, seed: 11)
        let whole = try pgzip(input, level: 6, blockSize: 4 << 20)
        let parallel = try pgzip(input, level: 6)
        let ratio = Double(parallel.count) / Double(whole.count)
        #expect(ratio > 1.0, "parallel \(parallel.count) vs whole \(whole.count)")
        #expect(ratio < 1.005, "parallel \(parallel.count) vs whole \(whole.count)")
        #expect(try gunzipLibarchive(parallel) == input)
    }

    @Test(arguments: [0, 10, 50_000])
    func downstreamErrorIsThrown(_ limit: Int) throws {
        let input = randomBytes(2 << 20, seed: 3)
        let sink = FailingSink(after: limit)
        let gz = try ParallelGzipSink(downstream: sink, threads: 2)
        var caught: Error?
        do {
            try input.withUnsafeBytes { all in
                for off in stride(from: 0, to: all.count, by: 10240) {
                    try gz.write(UnsafeRawBufferPointer(rebasing: all[off..<min(off + 10240, all.count)]))
                }
            }
            try gz.finish()
        } catch {
            caught = error
        }
        #expect(caught as? SinkFailure == SinkFailure(n: limit))
        // The error sticks.
        #expect(throws: SinkFailure.self) { try gz.finish() }
        #expect(sink.written <= limit)
    }

    @Test func errorWritingTheLastMemberComesFromFinish() throws {
        // The only member is written after `finish` submits it; the sink refuses it.
        let input = randomBytes(1000, seed: 4)
        let sink = FailingSink(after: 500)
        let gz = try ParallelGzipSink(downstream: sink, threads: 2)
        try input.withUnsafeBytes { try gz.write($0) }
        #expect(throws: SinkFailure(n: 500)) { try gz.finish() }
        #expect(sink.written == 0)
    }

    @Test func badSettingsAreRefused() throws {
        #expect(throws: ArchiveError.self) { _ = try ParallelGzipSink(downstream: MemorySink(), level: 13) }
        #expect(throws: ArchiveError.self) { _ = try ParallelGzipSink(downstream: MemorySink(), level: -1) }
        #expect(throws: ArchiveError.self) { _ = try ParallelGzipSink(downstream: MemorySink(), blockSize: 1000) }
    }

    @Test func writeAfterFinishIsRefused() throws {
        let gz = try ParallelGzipSink(downstream: MemorySink())
        try gz.finish()
        try gz.finish()
        #expect(throws: ArchiveError.self) { try [UInt8(1)].withUnsafeBytes { try gz.write($0) } }
    }

    @Test func droppingAnUnfinishedSinkStopsItsThreads() throws {
        let out = MemorySink()
        for _ in 0..<20 {
            let gz = try ParallelGzipSink(downstream: out, blockSize: 32 * 1024, threads: 3)
            let input = randomBytes(200_000, seed: 1)
            try input.withUnsafeBytes { try gz.write($0) }
            // No finish: deinit must stop and join the threads without hanging.
        }
    }

    @Test func theDownstreamSinkIsReleasedWithTheSink() throws {
        // import's temporary blob is removed by its deinit: it must go when the sink goes.
        weak var unfinished: MemorySink?
        weak var finished: MemorySink?
        do {
            let out = MemorySink()
            unfinished = out
            let gz = try ParallelGzipSink(downstream: out, blockSize: 32 * 1024, threads: 2)
            try randomBytes(100_000, seed: 2).withUnsafeBytes { try gz.write($0) }
        }
        #expect(unfinished == nil)
        var gz: ParallelGzipSink?
        do {
            let out = MemorySink()
            finished = out
            gz = try ParallelGzipSink(downstream: out, threads: 2)
            try gz?.finish()
        }
        #expect(finished == nil)
        _ = gz
    }

    @Test func feedsATarWriterOutput() throws {
        // A tar stream written through the sink reads back as a gzip tar.
        let tar = try TarBuilder().directory("etc").file("etc/motd", "hello\n").bytes()
        let gz = try pgzip(tar, chunks: [512])
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data(gz).write(to: URL(fileURLWithPath: dir.path + "/l.tar.gz"))
        let r = try TarReader(.path(dir.path + "/l.tar.gz"), name: "l.tar.gz")
        var names: [String] = []
        while let e = try r.next() { names.append(e.path) }
        #expect(names == ["etc/", "etc/motd"])
        #expect(r.compression == .gzip)
    }
}
