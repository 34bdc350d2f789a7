import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

/// Writes a new layer into the store in one pass: entries written with `tar` (or an
/// existing tar stream's bytes with `write`) go through a `LayerEncoder`: hashed as they
/// are produced (the diff ID), compressed, and the compressed bytes hashed as they go
/// into a blob (its digest names the blob). With `SOURCE_DATE_EPOCH` set, entry mtimes
/// later than it are written as it, so the same tree gives the same layer on any machine.
final class LayerBlobWriter: ByteSink {
    private let encoder: LayerEncoder
    let compression: MediaType.LayerCompression
    /// The tar writer to produce entries with.
    private(set) var tar: TarWriter!

    /// - Parameters:
    ///   - tarStream: false when the caller writes an existing tar stream's bytes
    ///     with `write` (no `tar` writer, no end-of-archive blocks added).
    ///   - limit: refuse a tar stream longer than this many bytes, as it is written
    ///     (`TransportError.tooLarge` naming `name`).
    init(layout: OCILayout, compression: MediaType.LayerCompression, level: Int? = nil, tarStream: Bool = true,
         limit: Int64? = nil, name: String = "new layer") throws {
        self.compression = compression
        encoder = try LayerEncoder(into: layout, compression: Compression(compression), level: level, limit: limit, name: name)
        if tarStream {
            tar = try TarWriter(sink: self, name: "new layer")
            tar.mtimeClamp = try ImageBuilder.sourceDateEpoch()
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try encoder.write(bytes)
    }

    /// Finishes the tar stream and the compression. The blob stays staged: it is
    /// installed with the index update that references it (`ImageService.record`), so a
    /// concurrent garbage collection never sees it unreferenced.
    /// - Returns: the layer's descriptor (OCI media type of its compression), diff ID and staged blob.
    /// - Throws: what finishing the compression or the blob throws; the layer is then dropped.
    func finish() throws -> (descriptor: Descriptor, diffID: Digest, staged: any StagedContent) {
        do {
            try tar?.finish()
            // The tar writer holds this writer as its sink: let both go.
            tar = nil
            let (staged, diffID) = try encoder.finish()
            let d = Descriptor(mediaType: MediaType.ociLayer(compression), digest: staged.digest, size: staged.size)
            return (d, diffID, staged)
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
        encoder.abort()
    }
}
