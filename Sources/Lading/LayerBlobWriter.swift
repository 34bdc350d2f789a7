import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

/// Writes a new layer into the store in one pass: the tar stream is hashed as it is
/// produced (its digest is the diff ID), compressed, and the compressed bytes hashed
/// as they go into a blob (its digest names the blob).
final class LayerBlobWriter: ByteSink {
    private let blob: BlobWriter
    /// gzip: compressed on worker threads; zstd: libarchive's filter.
    private let gzip: ParallelGzipSink?
    private let compressor: TarWriter?
    private var diff = StreamDigester()
    let compression: MediaType.LayerCompression
    /// The tar writer to produce entries with.
    private(set) var tar: TarWriter!
    /// The cap on the tar stream (bytes; `--max-layer-size`), and the layer's name for
    /// the message.
    private let limit: Int64?
    private let name: String

    /// - Parameters:
    ///   - tarStream: false when the caller writes an existing tar stream's bytes
    ///     with `write` (no `tar` writer, no end-of-archive blocks added).
    ///   - limit: refuse a tar stream longer than this many bytes, as it is written
    ///     (`TransportError.tooLarge` naming `name`).
    init(layout: OCILayout, compression: MediaType.LayerCompression, level: Int? = nil, tarStream: Bool = true,
         limit: Int64? = nil, name: String = "new layer") throws {
        self.limit = limit
        self.name = name
        blob = try layout.newBlob()
        self.compression = compression
        switch compression {
        case .none:
            gzip = nil
            compressor = nil
        case .gzip:
            gzip = try ParallelGzipSink(downstream: blob, level: level ?? 6, name: "layer compressor")
            compressor = nil
        case .zstd:
            let c = try TarWriter(sink: blob, format: .raw,
                                  options: .init(compression: .zstd, level: level),
                                  name: "layer compressor")
            try c.beginRawStream()
            gzip = nil
            compressor = c
        }
        if tarStream { tar = try TarWriter(sink: self, name: "new layer") }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try SizeLimit.check(diff.count + Int64(bytes.count), limit, name: name)
        diff.update(bytes)
        if let gzip {
            try gzip.write(bytes)
        } else if let compressor {
            try compressor.write(bytes)
        } else {
            try blob.write(bytes)
        }
    }

    /// Finishes the tar stream and the compression. The blob stays staged: it is
    /// installed with the index update that references it (`ImageService.record`), so a
    /// concurrent garbage collection never sees it unreferenced.
    /// - Returns: the layer's descriptor (OCI media type of its compression), diff ID and staged blob.
    /// - Throws: what finishing the compression or the blob throws; the layer is then dropped.
    func finish() throws -> (descriptor: Descriptor, diffID: Digest, staged: StagedBlob) {
        do {
            try tar?.finish()
            // The tar writer holds this writer as its sink: let both go.
            tar = nil
            try gzip?.finish()
            try compressor?.finish()
            let staged = try blob.stage()
            let d = Descriptor(mediaType: MediaType.ociLayer(compression), digest: staged.digest, size: staged.size)
            return (d, Digest(sha256Hex: diff.finalizeHex()), staged)
        } catch {
            abort()
            throw error
        }
    }

    /// Stops the compression and removes the temporary blob, after a failure: nothing of
    /// the layer stays in the ingest area. The tar writer, which holds this writer as its
    /// sink, is let go, so the layout (and its ingest directory) is not kept alive.
    func abort() {
        tar = nil
        try? gzip?.finish()
        try? compressor?.finish()
        blob.abort()
    }
}
