import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// A tarball being written, used as the `BlobStore` blobs are staged into: each blob
/// read from a source is written once, straight into the output as a
/// `blobs/sha256/<hex>` entry, so a copy into a tarball needs no staging directory.
///
/// An entry's header is written when its blob ends (its name is its digest, known only
/// then): the output must be a regular file open for reading and writing. Blobs of up
/// to 1 MiB whose size is announced (`sizeHint`) are kept in memory instead, 32 MiB
/// in all, since sources carry small files no image needs (legacy `<id>/json`).
/// A blob already present is dropped at once (the file is cut back); entries never
/// installed are removed by `finishBlobs()`, which moves the later ones down.
///
/// Entry headers are ustar (a size of 8 GiB or more in base-256, as GNU tar and Go's
/// archive/tar read it), owner 0:0, mtime 0, mode 0444 (directories 0755).
public final class TarSpool: BlobStore {
    /// Sees the bytes of each blob written into the archive in place (progress), and is
    /// checked before each new blob: a cancelled copy stops there.
    public var monitor: TransferMonitor?
    private let fd: Int32
    private let name: String
    private var end: Int64
    private var entries: [Digest: FileEntry] = [:]
    private var memory: [Digest: [UInt8]] = [:]
    private var reserved: Int64 = 0
    private var writing = false
    private let blobsStart: Int64

    static let smallLimit: Int64 = 1 << 20
    static let memoryBudget: Int64 = 32 << 20

    final class FileEntry: StagedContent {
        unowned let spool: TarSpool
        var header: Int64
        let digest: Digest
        let size: Int64
        var installed = false
        init(spool: TarSpool, header: Int64, digest: Digest, size: Int64) {
            self.spool = spool
            self.header = header
            self.digest = digest
            self.size = size
        }
        var length: Int64 { 512 + TarSpool.padded(size) }
        func readAll(limit: Int) throws -> [UInt8] { try spool.read(self, limit: limit) }
        func sync() {}
        func install() throws { installed = true }
    }

    /// - Returns: nil when `sink` is not a regular file open for reading and writing
    ///   (a pipe, a device): such outputs need a staging directory.
    /// - Throws: `ArchiveError` `.io` when the directory entries cannot be written.
    public init?(sink: FileSink) throws {
        var st = stat()
        guard fstat(sink.fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
              fcntl(sink.fd, F_GETFL) & O_ACCMODE == O_RDWR else { return nil }
        let at = Int64(lseek(sink.fd, 0, SEEK_CUR))
        guard at >= 0, at % 512 == 0 else { return nil }
        fd = sink.fd
        name = sink.name
        end = at + 1024
        blobsStart = end
        for (i, dir) in ["blobs/", "blobs/sha256/"].enumerated() {
            let h = Self.header(path: dir, size: 0, directory: true)
            try h.withUnsafeBytes { try put($0, at: at + Int64(i) * 512) }
        }
    }

    // MARK: BlobStore

    public func newBlob(sizeHint: Int64?) throws -> any BlobStaging {
        try monitor?.check()
        if let h = sizeHint, h <= Self.smallLimit, reserved + h <= Self.memoryBudget {
            reserved += h
            return MemoryWriter(spool: self, limit: h)
        }
        guard !writing else { throw ArchiveError(.write, "\(name): two blobs written at once") }
        writing = true
        return EntryWriter(spool: self, header: end)
    }

    public func hasBlob(_ d: Digest) -> Bool { blobSize(d) != nil }

    public func blobSize(_ d: Digest) -> Int64? {
        if let m = memory[d] { return Int64(m.count) }
        if let e = entries[d], e.installed { return e.size }
        return nil
    }

    public func readBlob(_ d: Digest, limit: Int) throws -> [UInt8] {
        let bytes: [UInt8]
        if let m = memory[d] {
            guard m.count <= limit else { throw LayoutError(.tooLarge, "blob \(d) is \(m.count) bytes, over the limit of \(limit) bytes") }
            bytes = m
        } else if let e = entries[d], e.installed {
            bytes = try read(e, limit: limit)
        } else {
            throw LayoutError(.blobNotFound, "blob \(d) not found")
        }
        let actual = Digest.sha256(of: bytes)
        if actual != d { throw LayoutError(.digestMismatch, "blob \(d) has digest \(actual)") }
        return bytes
    }

    @discardableResult
    public func putBlob(_ bytes: [UInt8]) throws -> Digest {
        let d = Digest.sha256(of: bytes)
        if !hasBlob(d) { memory[d] = bytes }
        return d
    }

    public func chunks(of d: Digest) throws -> ChunkSource {
        if let m = memory[d] { return BytesSource(m) }
        guard let e = entries[d], e.installed else { throw LayoutError(.blobNotFound, "blob \(d) not found") }
        return RangeSource(spool: self, entry: e)
    }

    /// An entry's content read back with `pread`, 1 MiB at a time.
    final class RangeSource: ChunkSource {
        let spool: TarSpool
        let entry: FileEntry
        private var at: Int64 = 0
        private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        init(spool: TarSpool, entry: FileEntry) {
            self.spool = spool
            self.entry = entry
        }
        deinit { buffer.deallocate() }
        func nextChunk() throws -> UnsafeRawBufferPointer {
            let want = Int(min(Int64(buffer.count), entry.size - at))
            guard want > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            while true {
                let n = pread(spool.fd, buffer.baseAddress, want, off_t(entry.header + 512 + at))
                if n < 0 { if errno == EINTR { continue }; throw ArchiveError.errno("cannot read \(spool.name)") }
                if n == 0 { throw ArchiveError(.io, "\(spool.name): ends inside an entry written before") }
                at += Int64(n)
                return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            }
        }
    }

    // MARK: Finishing

    /// Removes the entries of blobs never installed, or not in `keeping` when it is given
    /// (an original a layer was re-encoded from), moving later entries down, and leaves
    /// the descriptor at the end of the last one, where the rest of the archive (small
    /// blobs, `index.json`, …) is to be written.
    /// - Returns: the blobs whose entries are in the file.
    /// - Throws: `ArchiveError` `.io` when the file cannot be read, written or cut.
    public func finishBlobs(keeping: Set<Digest>? = nil) throws -> Set<Digest> {
        var to = blobsStart
        var kept: Set<Digest> = []
        for e in entries.values.sorted(by: { $0.header < $1.header }) {
            guard e.installed, keeping?.contains(e.digest) ?? true else { continue }
            if e.header != to {
                try move(from: e.header, count: e.length, to: to)
                e.header = to
            }
            to += e.length
            kept.insert(e.digest)
        }
        if ftruncate(fd, off_t(to)) != 0 { throw ArchiveError.errno("cannot truncate \(name)") }
        end = to
        if lseek(fd, off_t(to), SEEK_SET) < 0 { throw ArchiveError.errno("cannot seek in \(name)") }
        return kept
    }

    // MARK: Writers

    /// Streams a blob into the file after a header-sized gap, hashing it on another
    /// thread; the header is written when the blob ends.
    final class EntryWriter: BlobStaging {
        let spool: TarSpool
        let header: Int64
        private var size: Int64 = 0
        private let digestSink = DigestSink()
        private let hasher: ThreadedSink
        private var done = false

        init(spool: TarSpool, header: Int64) {
            self.spool = spool
            self.header = header
            hasher = ThreadedSink(digestSink)
        }

        deinit { abort() }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            try spool.monitor?.advance(bytes.count)
            try hasher.write(bytes)
            try spool.put(bytes, at: header + 512 + size)
            size += Int64(bytes.count)
        }

        func stageContent() throws -> any StagedContent {
            try hasher.finish()
            done = true
            spool.writing = false
            return try spool.close(header: header, size: size, digest: Digest(sha256Hex: digestSink.digester.finalizeHex()))
        }

        func abort() {
            guard !done else { return }
            done = true
            spool.writing = false
            try? hasher.finish()
            spool.cut(to: header)
        }
    }

    /// Collects a small blob in memory, no larger than announced.
    final class MemoryWriter: BlobStaging {
        let spool: TarSpool
        let limit: Int64
        private var bytes: [UInt8] = []
        init(spool: TarSpool, limit: Int64) {
            self.spool = spool
            self.limit = limit
        }
        func write(_ chunk: UnsafeRawBufferPointer) throws {
            if Int64(bytes.count + chunk.count) > limit {
                throw ArchiveError(.corrupt, "\(spool.name): a blob announced as \(limit) bytes is longer (did its file grow while read?)")
            }
            bytes.append(contentsOf: chunk)
        }
        func stageContent() throws -> any StagedContent { MemoryContent(spool: spool, bytes: bytes) }
        func abort() { bytes = [] }
    }

    final class MemoryContent: StagedContent {
        let spool: TarSpool
        let bytes: [UInt8]
        let digest: Digest
        var size: Int64 { Int64(bytes.count) }
        init(spool: TarSpool, bytes: [UInt8]) {
            self.spool = spool
            self.bytes = bytes
            digest = Digest.sha256(of: bytes)
        }
        func readAll(limit: Int) throws -> [UInt8] {
            guard bytes.count <= limit else { throw LayoutError(.tooLarge, "blob \(digest) is \(bytes.count) bytes, over the limit of \(limit) bytes") }
            return bytes
        }
        func sync() {}
        func install() throws { if !spool.hasBlob(digest) { spool.memory[digest] = bytes } }
    }

    // MARK: File access

    /// Ends the entry at `header`: padding and header, or, when the blob is there
    /// already, the entry cut off again.
    private func close(header: Int64, size: Int64, digest: Digest) throws -> any StagedContent {
        if let existing = entries[digest] {
            cut(to: header)
            return existing
        }
        if let m = memory[digest] {
            cut(to: header)
            return MemoryContent(spool: self, bytes: m)
        }
        let pad = Int(Self.padded(size) - size)
        if pad > 0 {
            let zeros = [UInt8](repeating: 0, count: pad)
            try zeros.withUnsafeBytes { try put($0, at: header + 512 + size) }
        }
        let h = Self.header(path: digest.blobPath, size: size, directory: false)
        try h.withUnsafeBytes { try put($0, at: header) }
        let e = FileEntry(spool: self, header: header, digest: digest, size: size)
        entries[digest] = e
        end = header + e.length
        return e
    }

    private func cut(to offset: Int64) {
        _ = ftruncate(fd, off_t(offset))
        end = offset
    }

    fileprivate func put(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.errno("cannot write \(name)")
            }
            done += n
        }
    }

    private func chunks(from offset: Int64, count: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buf.deallocate() }
        var at: Int64 = 0
        while at < count {
            let n = pread(fd, buf.baseAddress, Int(min(Int64(buf.count), count - at)), off_t(offset + at))
            if n < 0 { if errno == EINTR { continue }; throw ArchiveError.errno("cannot read \(name)") }
            if n == 0 { throw ArchiveError(.io, "\(name): ends inside an entry written before") }
            try body(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
            at += Int64(n)
        }
    }

    private func read(_ e: FileEntry, limit: Int) throws -> [UInt8] {
        guard e.size <= Int64(limit) else { throw LayoutError(.tooLarge, "blob \(e.digest) is \(e.size) bytes, over the limit of \(limit) bytes") }
        var out: [UInt8] = []
        out.reserveCapacity(Int(e.size))
        try chunks(from: e.header + 512, count: e.size) { out.append(contentsOf: $0) }
        return out
    }

    /// Copies `count` bytes from `from` down to `to` (`to` < `from`), front to back.
    private func move(from: Int64, count: Int64, to: Int64) throws {
        var moved: Int64 = 0
        try chunks(from: from, count: count) { chunk in
            try put(chunk, at: to + moved)
            moved += Int64(chunk.count)
        }
    }

    static func padded(_ size: Int64) -> Int64 { (size + 511) / 512 * 512 }

    /// A ustar header block (POSIX.1-1988 as pax defines it).
    static func header(path: String, size: Int64, directory: Bool) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func field(_ offset: Int, _ s: String) {
            for (i, b) in s.utf8.enumerated() { h[offset + i] = b }
        }
        func octal(_ offset: Int, _ width: Int, _ v: Int64) {
            let s = String(v, radix: 8)
            field(offset, String(repeating: "0", count: max(0, width - 1 - s.count)) + s)
        }
        field(0, path)
        octal(100, 8, directory ? 0o755 : 0o444)
        octal(108, 8, 0)
        octal(116, 8, 0)
        if size < 0o77777777777 {
            octal(124, 12, size)
        } else {
            h[124] = 0x80
            var v = size
            for i in stride(from: 135, through: 125, by: -1) { h[i] = UInt8(v & 0xFF); v >>= 8 }
        }
        octal(136, 12, 0)
        h[156] = directory ? UInt8(ascii: "5") : UInt8(ascii: "0")
        field(257, "ustar")
        field(263, "00")
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int64($1) }
        octal(148, 7, sum)
        h[154] = 0
        h[155] = 0x20
        return h
    }
}
