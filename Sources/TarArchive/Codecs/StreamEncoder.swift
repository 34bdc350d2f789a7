import Foundation

/// Compresses a byte stream into a downstream sink, off the caller's thread: gzip with
/// `ParallelGzipSink`, zstd with `ZstdSink` (libzstd's workers), xz and bzip2 with
/// libarchive's filter on a worker thread, `.none` straight through. The caller decodes
/// and hashes while this compresses.
///
/// One producer calls `write` and then `finish` (or `abort`); memory stays bounded by
/// the queues of the sinks used (a few MiB).
public final class StreamEncoder: ByteSink {
    private var writer: TarWriter?
    private var threaded: ThreadedSink?
    private var gzip: ParallelGzipSink?
    private var direct: ByteSink?
    private var zstd: ZstdSink?
    private var finished = false

    /// - Parameters:
    ///   - compression: the output's compression.
    ///   - level: nil uses 6 for gzip and 3 for zstd.
    ///   - threads: compressing threads for gzip and zstd (0: one per active processor).
    ///   - downstream: receives the compressed stream.
    ///   - name: used in error messages.
    /// - Throws: `ArchiveError` `.io` for a level the compressor refuses.
    public init(_ compression: Compression, level: Int? = nil, threads: Int = 0, downstream: ByteSink, name: String) throws {
        switch compression {
        case .none:
            direct = downstream
        case .gzip:
            gzip = try ParallelGzipSink(downstream: downstream, level: level ?? 6, threads: threads, name: name)
        case .zstd:
            zstd = try ZstdSink(downstream: downstream, level: level ?? 3, workers: threads, name: name)
        case .xz, .bzip2:
            let w = try TarWriter(sink: downstream, format: .raw, options: .init(compression: compression, level: level), name: name)
            try w.beginRawStream()
            (writer, threaded) = (w, ThreadedSink(WriterSink(w)))
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let zstd { try zstd.write(bytes) }
        if let direct { try direct.write(bytes) }
        if let gzip { try gzip.write(bytes) }
        if let threaded { try threaded.write(bytes) }
    }

    /// Compresses what is queued and flushes the compressor's trailer downstream.
    /// - Throws: the compressor's or the downstream sink's error.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try zstd?.finish()
        try gzip?.finish()
        try threaded?.finish()
        try writer?.finish()
    }

    /// Stops the worker threads after a failure; whatever reached downstream is to be discarded.
    public func abort() {
        guard !finished else { return }
        finished = true
        try? gzip?.finish()
        try? threaded?.finish()
    }
}
