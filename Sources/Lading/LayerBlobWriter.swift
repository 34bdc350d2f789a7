import ImageLayout
import ImageSpec
import TarArchive

/// Writes a new layer into the store in one pass: the tar stream is hashed as it is
/// produced (its digest is the diff ID), compressed, and the compressed bytes hashed
/// as they go into a blob (its digest names the blob).
final class LayerBlobWriter: ByteSink {
    private let blob: BlobWriter
    /// Compresses on worker threads (gzip: one per core; zstd: libzstd's).
    private let encoder: StreamEncoder
    private var diff = StreamDigester()
    let compression: MediaType.LayerCompression
    /// The tar writer to produce entries with.
    private(set) var tar: TarWriter!

    /// - Parameter tarStream: false when the caller writes an existing tar stream's bytes
    ///   with `write` (no `tar` writer, no end-of-archive blocks added).
    init(layout: OCILayout, compression: MediaType.LayerCompression, level: Int? = nil, tarStream: Bool = true) throws {
        blob = try layout.newBlob()
        self.compression = compression
        encoder = try StreamEncoder(Compression(rawValue: compression.rawValue) ?? .none, level: level,
                                    downstream: blob, name: "layer compressor")
        if tarStream { tar = try TarWriter(sink: self, name: "new layer") }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        diff.update(bytes)
        try encoder.write(bytes)
    }

    /// Finishes the tar stream and the compression. The blob stays staged: it is
    /// installed with the index update that references it (`ImageService.record`), so a
    /// concurrent garbage collection never sees it unreferenced.
    /// - Returns: the layer's descriptor (OCI media type of its compression), diff ID and staged blob.
    func finish() throws -> (descriptor: Descriptor, diffID: Digest, staged: StagedBlob) {
        try tar?.finish()
        try encoder.finish()
        let staged = try blob.stage()
        let d = Descriptor(mediaType: MediaType.ociLayer(compression), digest: staged.digest, size: staged.size)
        return (d, Digest(sha256Hex: diff.finalizeHex()), staged)
    }
}
