import ImageLayout
import ImageSpec
import TarArchive

/// The one way a layer's tar stream becomes a blob: counted against a size cap and
/// hashed as it passes (its digest is the diff ID), compressed by `StreamEncoder` (the
/// one compressor: gzip members over libdeflate on every core, zstd on libzstd's workers,
/// xz and bzip2 by libarchive), and written into a new blob of a store, which hashes what
/// it receives (the blob's digest). The same content, compression and level give the
/// same bytes whichever command writes the layer (import, commit, squash, copy).
public final class LayerEncoder: ByteSink {
    public let compression: Compression
    private let blob: any BlobStaging
    private let encoder: StreamEncoder
    private let content: ContentSink
    private var done = false

    /// - Parameters:
    ///   - level: nil for the compressor's default (6 for gzip, 3 for zstd).
    ///   - threads: compressing threads (0: one per active processor).
    ///   - limit: refuse a tar stream longer than this many bytes (`--max-layer-size`),
    ///     as it passes: `TransportError.tooLarge` naming `name`.
    /// - Throws: `ArchiveError` for a level the compressor refuses; the store's errors.
    public init(into store: any BlobStore, compression: Compression, level: Int? = nil, threads: Int = 0,
                limit: Int64? = nil, name: String) throws {
        self.compression = compression
        blob = try store.newBlob(sizeHint: nil)
        do {
            encoder = try StreamEncoder(compression, level: level, threads: threads, downstream: blob, name: "\(name): compressor")
        } catch {
            blob.abort()
            throw error
        }
        content = ContentSink(name: name, limit: limit, hash: true)
    }

    /// Bytes of tar stream written so far.
    public var length: Int64 { content.count }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try content.write(bytes)
        try encoder.write(bytes)
    }

    /// Ends the compression: the blob is staged (installed by the caller, with the index
    /// update that names it).
    /// - Returns: the staged blob and the tar stream's digest (the diff ID).
    /// - Throws: the compressor's or the store's error; the blob is then dropped.
    public func finish() throws -> (blob: any StagedContent, diffID: Digest) {
        do {
            try encoder.finish()
            done = true
            return (try blob.stageContent(), Digest(sha256Hex: content.digester.finalizeHex()))
        } catch {
            abort()
            throw error
        }
    }

    /// Stops the compressor and drops the blob, after a failure.
    public func abort() {
        if !done { encoder.abort() }
        done = true
        blob.abort()
    }
}

extension Compression {
    /// The codec for a layer compression a media type names.
    public init(_ layer: MediaType.LayerCompression) {
        switch layer {
        case .none: self = .none
        case .gzip: self = .gzip
        case .zstd: self = .zstd
        }
    }
}

extension MediaType.LayerCompression {
    /// The layer compression of a codec; nil for those no layer media type names (xz, bzip2).
    public init?(_ codec: Compression) {
        switch codec {
        case .none: self = .none
        case .gzip: self = .gzip
        case .zstd: self = .zstd
        case .xz, .bzip2: return nil
        }
    }
}
