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
        r.declared = MediaType.layerCompression(mediaType).flatMap { Compression(rawValue: $0.rawValue) }
        return r
    }

    /// - Parameter compression: the input's compression, by its magic bytes.
    /// - Returns: a staged file whose `blob` is the re-encoding; on a decoding error, one
    ///   without `uncompressedDigest` (its blob is never to be installed).
    func copy(into layout: any BlobStore, name: String, limit: Int64?, source: BufferedSource, compression: Compression) throws -> StagedFile {
        let writer = try layout.newBlob(sizeHint: nil)
        let encoder = try StreamEncoder(target, level: level, threads: threads, downstream: writer, name: "\(name): compressor")
        let raw = DigestSink()
        let tee = TeeChunks(source, sinks: [raw])
        var content = StreamDigester()
        var encodeError: Error?
        func take(_ chunk: UnsafeRawBufferPointer) throws {
            content.update(chunk)
            try SizeLimit.check(content.count, limit, name: name)
            do { try encoder.write(chunk) } catch { encodeError = error; throw error }
        }
        var decodeError: String?
        do {
            if compression == .none {
                while true {
                    let c = try tee.nextChunk()
                    if c.count == 0 { break }
                    try take(c)
                }
            } else {
                let decoder = try TarReader(.chunks(tee), mode: .raw, name: name)
                if try decoder.next() != nil { try decoder.forEachBlock { try take($0) } }
            }
            do { try encoder.finish() } catch { encodeError = error; throw error }
        } catch let e as ArchiveError where tee.sourceError == nil && encodeError == nil {
            decodeError = e.description
            encoder.abort()
        } catch {
            encoder.abort()
            writer.abort()
            throw tee.sourceError ?? error
        }
        try tee.drain()
        let blob = try writer.stageContent()
        return StagedFile(blob: blob, name: name, compression: compression,
                          uncompressedDigest: decodeError == nil ? Digest(sha256Hex: content.finalizeHex()) : nil,
                          decompressError: decodeError,
                          source: (Digest(sha256Hex: raw.digester.finalizeHex()), raw.digester.count), encoding: target)
    }
}
