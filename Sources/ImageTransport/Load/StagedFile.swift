import ImageLayout
import ImageSpec
import TarArchive

/// An input file copied into the store's ingest area: its digest and size, and — when
/// it is a compressed stream or a tar — the digest of its uncompressed content
/// (the diff ID, were it a layer), computed in the same pass.
///
/// A layer may be re-encoded on the way (`recode`): then `blob` holds the new encoding
/// while `digest` and `size` stay the input's, checked against its descriptor.
public final class StagedFile {
    /// What gets installed: the input's bytes, or their re-encoding.
    public let blob: any StagedContent
    /// Digest and size of the input as read.
    public let digest: Digest
    public let size: Int64
    /// The compression `blob` was re-encoded into; nil when it holds the input's bytes.
    public let encoding: Compression?
    /// The input's name (archive entry or file path), for messages.
    public let name: String
    /// The compression found by magic bytes.
    public let compression: Compression
    /// SHA-256 of the decompressed stream; for uncompressed input, the blob digest.
    public let uncompressedDigest: Digest?
    /// Why the content could not be decompressed, if it could not.
    public let decompressError: String?
    /// The refusal of the first tar entry whose numeric fields do not fit (a uid or a
    /// device number out of range; `TarReader.next()`), `entry <path>: <what>`; nil when
    /// none (or when the content is no tar). Only a layer is refused for it.
    public let entryRefusal: String?

    init(blob: any StagedContent, name: String, compression: Compression, uncompressedDigest: Digest?, decompressError: String?,
         entryRefusal: String? = nil, source: (digest: Digest, size: Int64)? = nil, encoding: Compression? = nil) {
        self.blob = blob
        self.digest = source?.digest ?? blob.digest
        self.size = source?.size ?? blob.size
        self.encoding = encoding
        self.name = name
        self.compression = compression
        self.uncompressedDigest = uncompressedDigest
        self.decompressError = decompressError
        self.entryRefusal = entryRefusal
    }

    /// Copies a stream into a new blob of `layout`, hashing the raw bytes and, for a
    /// compressed stream, decompressing on the fly to hash the content: one pass.
    /// - Parameters:
    ///   - limit: refuse content (decompressed) larger than this many bytes, as soon as it
    ///     passes the mark: a decompression bomb costs no more than the limit.
    ///   - source: the input (an archive entry, a file).
    /// - Throws: `TransportError.tooLarge` naming the input past the limit.
    ///   - sizeHint: the input's size when known (a tar entry's), passed to the store.
    static func copy(into layout: any BlobStore, name: String, limit: Int64? = nil, sizeHint: Int64? = nil, source: BufferedSource, recode: Recode? = nil) throws -> StagedFile {
        let compression = Compression.detect(magic: try source.peek().prefix(8))
        if let recode, (recode.declared ?? compression) != recode.target {
            return try recode.copy(into: layout, name: name, limit: limit, source: source, compression: compression)
        }
        let writer = try layout.newBlob(sizeHint: sizeHint)
        // The content (the input itself when uncompressed) is counted against the limit and
        // its tar headers read on the way (`TarHeaderScan`): a layer with an entry no
        // command would accept is refused by the diff ID check.
        guard compression != .none else {
            let counter = ContentSink(name: name, limit: limit, hash: false)
            let refusal = try TarHeaderScan.run(TeeChunks(source, sinks: [counter, writer]), sinks: [], name: name)
            let blob = try writer.stageContent()
            return StagedFile(blob: blob, name: name, compression: .none, uncompressedDigest: blob.digest, decompressError: nil,
                              entryRefusal: refusal.map { Self.entryPart($0, name) })
        }
        // Compressed: the decoder pulls the input through a tee that stores and hashes it.
        let tee = TeeChunks(source, sinks: [writer])
        let content = ContentSink(name: name, limit: limit, hash: true)
        var decodeError: String?
        var refusal: ArchiveError?
        do {
            let decoder = try TarReader(.chunks(tee), mode: .raw, name: name)
            refusal = try TarHeaderScan.run(DecodedSource(decoder), sinks: [content], name: name)
        } catch let e as ArchiveError where tee.sourceError == nil {
            decodeError = e.description
        }
        if let e = tee.sourceError { throw e }
        try tee.drain()
        let blob = try writer.stageContent()
        return StagedFile(blob: blob, name: name, compression: compression,
                          uncompressedDigest: decodeError == nil ? Digest(sha256Hex: content.digester.finalizeHex()) : nil,
                          decompressError: decodeError, entryRefusal: decodeError == nil ? refusal.map { Self.entryPart($0, name) } : nil)
    }

    /// The refusal without the reader's name (the file's own), which the layer check
    /// names its own way: `entry <path>: <what>`.
    static func entryPart(_ refusal: ArchiveError, _ name: String) -> String {
        let prefix = "\(name): "
        return refusal.message.hasPrefix(prefix) ? String(refusal.message.dropFirst(prefix.count)) : refusal.message
    }
}
