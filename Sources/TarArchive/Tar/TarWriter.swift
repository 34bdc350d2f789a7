import CArchive
import Foundation

/// Writes a tar archive (pax, ustar headers where they suffice) or a single raw
/// stream, through an optional compression filter, to a `ByteSink`.
///
/// Output is deterministic: no padding past the two end-of-archive blocks, gzip
/// headers carry neither a name nor a timestamp, and nothing but the entry's own
/// fields goes into a header.
public final class TarWriter {
    public enum Format { case tar, raw }

    /// Options for the compression filter.
    public struct Options: Sendable {
        /// The compression applied to the whole output.
        public var compression: Compression = .none
        /// The compression level; nil uses 6 for gzip and 3 for zstd.
        public var level: Int? = nil
        /// Worker threads for zstd (0 = one per core); ignored by other filters. The
        /// default, 1, keeps memory near 50 MiB; zstd's multithreaded mode needs about
        /// 60 MiB more per worker at level 3.
        public var threads: Int = 1
        public init(compression: Compression = .none, level: Int? = nil, threads: Int = 1) {
            self.compression = compression
            self.level = level
            self.threads = threads
        }
    }

    private var handle: OpaquePointer?
    private let context: WriteContext
    private let name: String
    private let format: Format
    private var finished = false

    /// - Parameters:
    ///   - sink: receives the output bytes.
    ///   - format: `.tar` for an archive, `.raw` to compress a single stream.
    ///   - options: the compression filter.
    ///   - name: used in error messages.
    /// - Throws: `ArchiveError` `.io` when libarchive refuses the set-up.
    public init(sink: ByteSink, format: Format = .tar, options: Options = Options(), name: String) throws {
        _ = localeSetUp
        self.name = name
        self.format = format
        self.context = WriteContext(sink: sink)
        guard let a = archive_write_new() else { throw ArchiveError(.io, "\(name): cannot allocate a writer") }
        handle = a
        switch format {
        case .tar: archive_write_set_format_pax_restricted(a)
        case .raw: archive_write_set_format_raw(a)
        }
        archive_write_set_bytes_per_block(a, 10240)
        archive_write_set_bytes_in_last_block(a, 1)
        var opts: [String] = []
        switch options.compression {
        case .none: archive_write_add_filter_none(a)
        case .gzip:
            archive_write_add_filter_gzip(a)
            opts.append("gzip:compression-level=\(options.level ?? 6)")
            opts.append("gzip:!timestamp")
        case .zstd:
            archive_write_add_filter_zstd(a)
            opts.append("zstd:compression-level=\(options.level ?? 3)")
            let threads = options.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : options.threads
            if threads > 1 { opts.append("zstd:threads=\(threads)") }
        case .xz:
            archive_write_add_filter_xz(a)
            if let l = options.level { opts.append("xz:compression-level=\(l)") }
        case .bzip2:
            archive_write_add_filter_bzip2(a)
            if let l = options.level { opts.append("bzip2:compression-level=\(l)") }
        }
        for o in opts where archive_write_set_options(a, o) < ARCHIVE_WARN {
            let msg = archive_error_string(a).map { String(cString: $0) } ?? ""
            throw ArchiveError(.io, "\(name): bad compression option \(o)", cause: msg)
        }
        let ctx = Unmanaged.passUnretained(context).toOpaque()
        let rc = archive_write_open2(a, ctx, nil, { _, client, buf, len in
            let c = Unmanaged<WriteContext>.fromOpaque(client!).takeUnretainedValue()
            do {
                try c.sink.write(UnsafeRawBufferPointer(start: buf, count: len))
                return len
            } catch {
                c.error = error
                return -1
            }
        }, nil, nil)
        if rc != ARCHIVE_OK { throw failure("cannot open output") }
    }

    deinit {
        if let a = handle { archive_write_free(a) }
    }

    private func failure(_ what: String) -> Error {
        if let e = context.error { return e }
        let msg = handle.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? ""
        return ArchiveError(.write, "\(name): \(what)", cause: msg)
    }

    /// Writes a header. For regular files exactly `entry.size` bytes of content must follow.
    public func writeHeader(_ entry: TarEntry) throws {
        guard let a = handle else { throw ArchiveError(.write, "\(name): writer is closed") }
        let e = archive_entry_new2(a)
        defer { archive_entry_free(e) }
        entry.fill(e!)
        let rc = archive_write_header(a, e)
        if rc < ARCHIVE_WARN { throw failure("cannot write header of \(entry.path)") }
    }

    /// Writes content of the current entry (or of the raw stream).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let a = handle else { throw ArchiveError(.write, "\(name): writer is closed") }
        var off = 0
        while off < bytes.count {
            let n = archive_write_data(a, bytes.baseAddress! + off, bytes.count - off)
            if n <= 0 { throw failure("cannot write data") }
            off += n
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes the filter and the end-of-archive blocks.
    public func finish() throws {
        guard let a = handle, !finished else { return }
        finished = true
        if archive_write_close(a) != ARCHIVE_OK { throw failure("cannot finish output") }
    }

    /// Starts the single entry of a `.raw` stream.
    public func beginRawStream() throws {
        var e = TarEntry(path: "data", kind: .regular)
        e.size = 0
        guard let a = handle else { return }
        let entry = archive_entry_new2(a)
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, "data")
        archive_entry_set_filetype(entry, modeRegular)
        if archive_write_header(a, entry) < ARCHIVE_WARN { throw failure("cannot start stream") }
        _ = e
    }
}

final class WriteContext {
    let sink: ByteSink
    var error: Error?
    init(sink: ByteSink) { self.sink = sink }
}

extension TarEntry {
    func fill(_ e: OpaquePointer) {
        var path = pathBytes
        if kind == .directory, path.last != UInt8(ascii: "/") { path.append(UInt8(ascii: "/")) }
        path.append(0)
        path.withUnsafeBufferPointer { archive_entry_copy_pathname(e, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) }
        let type: UInt32
        switch kind {
        case .regular, .hardlink: type = modeRegular
        case .directory: type = modeDirectory
        case .symlink: type = modeSymlink
        case .characterDevice: type = modeCharacter
        case .blockDevice: type = modeBlock
        case .fifo: type = modeFIFO
        case .socket: type = modeSocket
        }
        archive_entry_set_filetype(e, type)
        archive_entry_set_perm(e, mode_t(permissions & 0o7777))
        archive_entry_set_size(e, kind == .regular ? size : 0)
        archive_entry_set_uid(e, uid)
        archive_entry_set_gid(e, gid)
        if let uname { archive_entry_copy_uname(e, uname) }
        if let gname { archive_entry_copy_gname(e, gname) }
        archive_entry_set_mtime(e, time_t(mtime), Int(mtimeNanoseconds))
        if var l = linkBytes {
            l.append(0)
            l.withUnsafeBufferPointer {
                let p = UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)
                if kind == .hardlink { archive_entry_copy_hardlink(e, p) } else { archive_entry_copy_symlink(e, p) }
            }
        }
        if kind == .characterDevice || kind == .blockDevice {
            archive_entry_set_rdevmajor(e, dev_t(deviceMajor))
            archive_entry_set_rdevminor(e, dev_t(deviceMinor))
        }
        for x in xattrs {
            x.value.withUnsafeBytes { archive_entry_xattr_add_entry(e, x.name, $0.baseAddress, $0.count) }
        }
    }
}
