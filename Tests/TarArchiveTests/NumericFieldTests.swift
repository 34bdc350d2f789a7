import Foundation
import TarArchive
import Testing
import TestSupport

/// Numeric header fields that do not fit what a file can carry on Linux (containerd's and
/// moby's device-range cases, owners past 32 bits) are refused by the reader, naming the
/// archive and the entry; they used to trap on conversion (devices) or be truncated (owners).
@Suite struct NumericFieldTests {
    /// Reads every header of `bytes`, returning the entries or the error.
    static func read(_ bytes: [UInt8]) throws -> Result<[TarEntry], Error> {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data(bytes).write(to: URL(fileURLWithPath: dir.path + "/t.tar"))
        let reader = try TarReader(.path(dir.path + "/t.tar"), name: "t.tar")
        return Result {
            var out: [TarEntry] = []
            while let e = try reader.next() { out.append(e) }
            return out
        }
    }

    static func refusal(_ bytes: [UInt8]) throws -> ArchiveError? {
        guard case .failure(let e) = try read(bytes) else { return nil }
        return e as? ArchiveError
    }

    static let ok = RawTar.file("ok", "x")

    /// One entry (with its PAX header) and the refusal's exact message.
    struct Case: CustomTestStringConvertible, Sendable {
        let bytes: [UInt8], message: String
        init(_ bytes: [UInt8], _ message: String) { self.bytes = bytes; self.message = message }
        var testDescription: String { String(message.split(separator: ":", maxSplits: 2)[2]) }
    }

    static let cases: [Case] = [
        Case(RawTar.pax([("SCHILY.devmajor", "4294967296")]) + RawTar.header(name: "dev/blk", type: "4"),
         "t.tar: entry dev/blk: device major 4294967296 is out of range (0 to 4294967295)"),
        Case(RawTar.pax([("SCHILY.devmajor", "-1")]) + RawTar.header(name: "dev/chr", type: "3"),
         "t.tar: entry dev/chr: device major -1 is out of range (0 to 4294967295)"),
        Case(RawTar.pax([("SCHILY.devminor", "4294967296")]) + RawTar.header(name: "dev/chr", type: "3", devMajor: 1),
         "t.tar: entry dev/chr: device minor 4294967296 is out of range (0 to 4294967295)"),
        Case(RawTar.pax([("SCHILY.devminor", "-1")]) + RawTar.header(name: "dev/blk", type: "4"),
         "t.tar: entry dev/blk: device minor -1 is out of range (0 to 4294967295)"),
        Case(RawTar.header(name: "dev/b256", type: "4", devMajor: -1, devMinor: 1),
         "t.tar: entry dev/b256: device major -1 is out of range (0 to 4294967295)"),
        Case(RawTar.pax([("uid", "1099511627776")]) + RawTar.file("big-uid", "x"),
         "t.tar: entry big-uid: uid 1099511627776 is out of range (0 to 4294967294)"),
        Case(RawTar.pax([("gid", "-1")]) + RawTar.file("neg-gid", "x"),
         "t.tar: entry neg-gid: gid -1 is out of range (0 to 4294967294)"),
        Case(RawTar.pax([("uid", "4294967295")]) + RawTar.file("minus-one", "x"),
         "t.tar: entry minus-one: uid 4294967295 is out of range (0 to 4294967294)"),
        Case(RawTar.header(name: "b256-uid", type: "0", uid: 1 << 40),
         "t.tar: entry b256-uid: uid 1099511627776 is out of range (0 to 4294967294)"),
        Case(RawTar.header(name: "b256-gid", type: "0", gid: -2),
         "t.tar: entry b256-gid: gid -2 is out of range (0 to 4294967294)"),
        Case(RawTar.pax([("mtime", "99999999999999999999")]) + RawTar.file("late", "x"),
         "t.tar: entry late: mtime 9223372036854775807 is out of range (-9223372036854775806 to 9223372036854775806)"),
        Case(RawTar.pax([("mtime", "-99999999999999999999.5")]) + RawTar.file("early", "x"),
         "t.tar: entry early: mtime -9223372036854775807 is out of range (-9223372036854775806 to 9223372036854775806)"),
        Case(RawTar.header(name: "b256-mtime", type: "0", mtime: Int64.min),
         "t.tar: entry b256-mtime: mtime -9223372036854775808 is out of range (-9223372036854775806 to 9223372036854775806)"),
    ]

    @Test(arguments: cases)
    func outOfRangeFieldIsRefusedNamingTheEntry(_ c: Case) throws {
        let e = try #require(try Self.refusal(Self.ok + c.bytes + Self.ok + RawTar.end))
        #expect(e.code == .refusedEntry)
        #expect(e.message == c.message)
    }

    @Test func valuesAtTheLimitsAreRead() throws {
        let bytes = RawTar.pax([("SCHILY.devmajor", "4294967295"), ("SCHILY.devminor", "4294967295")])
            + RawTar.header(name: "dev/max", type: "4")
            + RawTar.pax([("uid", "4294967294"), ("gid", "4294967294")]) + RawTar.file("owner", "x")
            + RawTar.header(name: "b256", type: "3", uid: 1 << 31, devMajor: 1 << 31, devMinor: 7)
            + RawTar.pax([("mtime", "-86400")]) + RawTar.file("pre-epoch", "x")
            + RawTar.header(name: "far", type: "0", mtime: 1 << 40)
            + RawTar.end
        let entries = try Self.read(bytes).get()
        #expect(entries.map(\.path) == ["dev/max", "owner", "b256", "pre-epoch", "far"])
        #expect(entries[3].mtime == -86400)
        #expect(entries[4].mtime == 1 << 40)
        #expect(entries[0].kind == .blockDevice)
        #expect(entries[0].deviceMajor == UInt32.max && entries[0].deviceMinor == UInt32.max)
        #expect(entries[1].uid == 4294967294 && entries[1].gid == 4294967294)
        #expect(entries[2].uid == 1 << 31 && entries[2].deviceMajor == 1 << 31 && entries[2].deviceMinor == 7)
    }

    /// A negative size is refused by libarchive itself, before the entry is read (its
    /// name unknown): the error names the archive and the entry before it.
    @Test func negativeSizeIsADamagedArchive() throws {
        let bytes = Self.ok + RawTar.header(name: "neg", type: "0", size: -1) + RawTar.end
        guard case .failure(let e) = try Self.read(bytes), let a = e as? ArchiveError else {
            Issue.record("negative size read")
            return
        }
        #expect(a.code == .corrupt)
        #expect(a.description == "t.tar: damaged or truncated archive after entry ok: Tar entry has negative size")
    }

    /// Only devices carry device numbers: any other entry's are read as 0, whatever they are.
    @Test func deviceNumbersOfOtherEntriesAreIgnored() throws {
        let bytes = RawTar.pax([("SCHILY.devmajor", "4294967296"), ("SCHILY.devminor", "-1")]) + RawTar.file("f", "x")
            + RawTar.header(name: "fifo", type: "6", devMajor: -1, devMinor: 3) + RawTar.end
        let entries = try Self.read(bytes).get()
        #expect(entries.map(\.path) == ["f", "fifo"])
        #expect(entries.map(\.deviceMajor) == [0, 0])
        #expect(entries.map(\.deviceMinor) == [0, 0])
    }

    /// The header scan of `load` and `verify` reports the first refused entry, and still
    /// passes every byte on (the diff ID is the hash of all of them).
    @Test func headerScanReportsTheRefusalAndPassesEveryByte() throws {
        let bytes = Self.ok + RawTar.pax([("SCHILY.devmajor", "4294967296")]) + RawTar.header(name: "dev/blk", type: "4")
            + RawTar.end + [1, 2, 3]
        let sink = MemorySink()
        let refusal = try TarHeaderScan.run(MemorySource(bytes), sinks: [sink], name: "layer x")
        #expect(refusal?.message == "layer x: entry dev/blk: device major 4294967296 is out of range (0 to 4294967295)")
        #expect(sink.bytes == bytes)

        let clean = Self.ok + RawTar.end
        let sink2 = MemorySink()
        #expect(try TarHeaderScan.run(MemorySource(clean), sinks: [sink2], name: "layer y") == nil)
        #expect(sink2.bytes == clean)
        // Not a tar at all (a config, say): no refusal, every byte passed on.
        let json = Array(#"{"architecture":"amd64"}"#.utf8)
        let sink3 = MemorySink()
        #expect(try TarHeaderScan.run(MemorySource(json), sinks: [sink3], name: "blob") == nil)
        #expect(sink3.bytes == json)
    }
}

/// Bytes as chunks of at most 700 bytes (so headers straddle chunks).
final class MemorySource: ChunkSource {
    private let bytes: [UInt8]
    private var at = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 700, alignment: 16)
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    deinit { buffer.deallocate() }
    func nextChunk() throws -> UnsafeRawBufferPointer {
        let n = min(buffer.count, bytes.count - at)
        bytes[at..<at + n].withUnsafeBytes { buffer.copyMemory(from: $0) }
        at += n
        return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
    }
}
