import ImageLayout
import ImageSpec
import TarArchive

/// Re-encoding of layers while they are staged (`copy --compression`): the input is
/// read once, hashed as it is read (its digest, checked against the descriptor),
/// decompressed once, the content hashed (the diff ID) and compressed into the new
/// blob, which is hashed as it is written. The input's own bytes are never stored.
public struct Recode: Sendable {
    /// The new compression.
    public var target: Compression
    /// nil: the compressor's default (6 for gzip, 3 for zstd).
    public var level: Int?
    /// Compressing threads (0: one per active processor).
    public var threads: Int
    /// The compression the layer's media type names, if it names one; else the bytes decide.
    var declared: Compression?

    public init(target: Compression, level: Int? = nil, threads: Int = 0) {
        self.target = target
        self.level = level
        self.threads = threads
    }

    /// This recode for a layer of media type `mediaType`.
    func layer(_ mediaType: String) -> Recode {
        var r = self
        r.declared = MediaType.layerCompression(mediaType).map(Compression.init)
        return r
    }

    /// - Parameter compression: the input's compression, by its magic bytes.
    /// - Returns: a staged file whose `blob` is the re-encoding (`LayerTranscoder`); on a
    ///   decoding error, one without `uncompressedDigest` holding nothing (never installed).
    func copy(into layout: any BlobStore, name: String, limit: Int64?, source: BufferedSource, compression: Compression) throws -> StagedFile {
        let raw = DigestSink()
        let tee = TeeChunks(source, sinks: [raw])
        let transcoder = LayerTranscoder(target: target, level: level, threads: threads, limit: limit)
        let out: (blob: any StagedContent, diffID: Digest, refusal: ArchiveError?)
        do {
            out = try transcoder.run(tee, compression: compression == .none ? .none : nil, into: layout, name: name)
        } catch let failure as LayerTranscoder.DecodeFailure where tee.sourceError == nil {
            // Not a layer after all: the caller reads the source again, keeping its bytes.
            try tee.drain()
            let empty = try layout.newBlob(sizeHint: 0).stageContent()
            return StagedFile(blob: empty, name: name, compression: compression, uncompressedDigest: nil,
                              decompressError: failure.description,
                              source: (Digest(sha256Hex: raw.digester.finalizeHex()), raw.digester.count), encoding: target)
        } catch {
            throw tee.sourceError ?? error
        }
        try tee.drain()
        return StagedFile(blob: out.blob, name: name, compression: compression, uncompressedDigest: out.diffID,
                          decompressError: nil, entryRefusal: out.refusal.map { StagedFile.entryPart($0, name) },
                          source: (Digest(sha256Hex: raw.digester.finalizeHex()), raw.digester.count), encoding: target)
    }
}
