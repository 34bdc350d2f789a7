import CArchive
import Foundation

/// Reads a tar archive, or a single compressed stream, one entry at a time.
///
/// gzip, zstd, xz (and lzma) and bzip2 are decoded whatever the stream is called;
/// no external program is ever started. In `.tar` mode ustar, pax and GNU tar are
/// read (PAX `path`/`linkpath`, GNU long names, `SCHILY.xattr.*`); an empty input is an
/// empty archive. In `.raw` mode the whole decoded stream is one entry.
///
/// The reader never buffers an entry: `read(into:)` copies the current entry's
/// content chunk by chunk.
public final class TarReader {
    public enum Source {
        case path(String)
        case fileDescriptor(Int32)
        case chunks(ChunkSource)
    }

    public enum Mode { case tar, raw }

    private(set) var handle: OpaquePointer?
    let context: ReadContext
    /// The name used in error messages (a file name, or an entry of an outer archive).
    public let name: String
    private(set) var entryName = ""
    private var sawHeader = false
    /// Where `nextBlock` is in the current entry's content.
    var blockPosition: Int64 = 0

    /// Opens `source` for reading.
    /// - Parameter decompress: false takes the stream as it is, for one already decoded
    ///   (a compressed stream inside it is then not a tar, never something to inflate).
    /// - Throws: `ArchiveError` `.io` when the file cannot be opened.
    public init(_ source: Source, mode: Mode = .tar, name: String, decompress: Bool = true) throws {
        _ = localeSetUp
        self.name = name
        self.context = ReadContext()
        guard let a = archive_read_new() else { throw ArchiveError(.io, "\(name): cannot allocate a reader") }
        handle = a
        if decompress {
            archive_read_support_filter_gzip(a)
            archive_read_support_filter_bzip2(a)
            archive_read_support_filter_xz(a)
            archive_read_support_filter_lzma(a)
            archive_read_support_filter_zstd(a)
        }
        switch mode {
        case .tar:
            archive_read_support_format_tar(a)
            archive_read_support_format_empty(a)
        case .raw:
            archive_read_support_format_raw(a)
        }
        // gzip is decoded by igzip ahead of libarchive (`GzipDecodingSource`), which
        // then sees the tar stream; other compressions go through libarchive's filters.
        var source = source
        if decompress, case .path(let p) = source, Self.startsWithGzipMagic(p) {
            let fd = open(p, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                ownedDescriptor = fd
                source = .chunks(DescriptorSource(fd: fd, name: name))
            }
        }
        let rc: Int32
        switch source {
        case .path(let p):
            rc = archive_read_open_filename(a, p, 1 << 20)
        case .fileDescriptor(let fd):
            rc = archive_read_open_fd(a, fd, 1 << 20)
        case .chunks(let upstream):
            if decompress {
                let src = GzipDecodingSource(upstream, name: name)
                gzipSource = src
                context.source = src
            } else {
                context.source = upstream
            }
            let ctx = Unmanaged.passUnretained(context).toOpaque()
            rc = archive_read_open2(a, ctx, nil, { _, client, buffer in
                let c = Unmanaged<ReadContext>.fromOpaque(client!).takeUnretainedValue()
                do {
                    let chunk = try c.source!.nextChunk()
                    buffer?.pointee = chunk.baseAddress.map { UnsafeRawPointer($0) }
                    return chunk.count
                } catch {
                    c.error = error
                    return -1
                }
            }, nil, nil)
        }
        if rc != ARCHIVE_OK {
            let msg = errorString()
            close()
            if let e = context.error { throw e }
            if msg.contains("Unrecognized archive format") {
                throw ArchiveError(.notAnArchive, "\(name): not a tar archive", cause: msg)
            }
            if msg.hasPrefix("Failed to open") || msg.contains("No such file") {
                throw ArchiveError(.io, "\(name): cannot open", cause: msg)
            }
            throw ArchiveError(.corrupt, "\(name): damaged or truncated stream", cause: msg)
        }
    }

    deinit { close() }

    private func close() {
        if let a = handle { archive_read_free(a) }
        handle = nil
        if let fd = ownedDescriptor { _ = Glibc.close(fd) }
        ownedDescriptor = nil
    }

    /// The descriptor this reader opened itself (a gzip file read through igzip).
    private var ownedDescriptor: Int32?
    private var gzipSource: GzipDecodingSource?

    private static func startsWithGzipMagic(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { _ = Glibc.close(fd) }
        var header = [UInt8](repeating: 0, count: 10)
        guard pread(fd, &header, 10, 0) == 10 else { return false }
        return header.withUnsafeBytes { GzipDecodingSource.isGzipHeader($0) }
    }

    func errorString() -> String {
        guard let a = handle, let s = archive_error_string(a) else { return "" }
        return String(cString: s)
    }

    /// The compression of the outer stream, known once the first header was read.
    public var compression: Compression {
        if gzipSource?.isGzip == true { return .gzip }
        guard let a = handle, archive_filter_count(a) > 1 else { return .none }
        return Compression(filterCode: archive_filter_code(a, 0))
    }

    /// The next entry's header, or nil at the end of the archive.
    /// - Throws: `ArchiveError` `.notAnArchive` when the first header is not tar,
    ///   `.corrupt` for a truncated or damaged archive or compressed stream, `.refusedEntry`
    ///   for an entry whose uid, gid, device numbers or size do not fit (see
    ///   `TarEntry.init(archiveEntry:source:)`), naming the entry.
    public func next() throws -> TarEntry? {
        guard let a = handle else { return nil }
        var e: OpaquePointer?
        let rc = archive_read_next_header(a, &e)
        if rc == ARCHIVE_EOF { return nil }
        if let err = context.error { throw err }
        if rc < ARCHIVE_WARN || e == nil {
            let msg = errorString()
            if !sawHeader && (msg.contains("Unrecognized archive format") || msg.contains("format")) {
                throw ArchiveError(.notAnArchive, "\(name): not a tar archive", cause: msg)
            }
            let at = sawHeader ? " after entry \(entryName)" : ""
            throw ArchiveError(.corrupt, "\(name): damaged or truncated archive\(at)", cause: msg)
        }
        sawHeader = true
        let entry = try TarEntry(archiveEntry: e!, source: name)
        entryName = entry.path
        return entry
    }

    /// Copies up to `buffer.count` bytes of the current entry's content into `buffer`.
    /// - Returns: the number of bytes copied; 0 at the end of the entry.
    /// - Throws: `ArchiveError` `.corrupt` when the content is truncated or fails to decode.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let a = handle else { return 0 }
        let n = archive_read_data(a, buffer.baseAddress, buffer.count)
        if n < 0 {
            if let err = context.error { throw err }
            throw ArchiveError(.corrupt, "\(name): cannot read entry \(entryName)", cause: errorString())
        }
        return n
    }

    /// Calls `body` with each chunk of the current entry's content, in order.
    public func forEachChunk(bufferSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buf.deallocate() }
        while true {
            let n = try read(into: buf)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
        }
    }

    /// Reads the current entry whole, refusing more than `limit` bytes.
    /// - Throws: `ArchiveError` `.refusedEntry` when the content is larger than `limit`.
    public func readAll(limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        try forEachChunk(bufferSize: 64 << 10) { chunk in
            if out.count + chunk.count > limit {
                throw ArchiveError(.refusedEntry, "\(name): entry \(entryName) is larger than the limit of \(limit) bytes")
            }
            out.append(contentsOf: chunk)
        }
        return out
    }
}

final class ReadContext {
    var source: ChunkSource?
    var error: Error?
}

let localeSetUp: Void = {
    // libarchive converts names with the C library's character set; UTF-8 keeps them lossless.
    if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "") }
}()
