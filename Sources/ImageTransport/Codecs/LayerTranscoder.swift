import ImageLayout
import ImageSpec
import TarArchive

/// Re-encodes a layer into another compression, keeping its diff ID: the input is
/// decoded once (`TarReader`, gzip through ISA-L), and its tar stream goes through a
/// `LayerEncoder` (counted, hashed: the diff ID; compressed; hashed as the new blob).
/// Used by `copy --compression` (a tarball's layers as they are staged, a layout's or the
/// store's layers), and by `import` when its input is compressed afresh.
public struct LayerTranscoder: Sendable {
    public var target: Compression
    /// nil: the compressor's default.
    public var level: Int?
    /// Compressing threads (0: one per active processor).
    public var threads: Int = 0
    /// The cap on the tar stream, in bytes (`--max-layer-size`).
    public var limit: Int64?

    public init(target: Compression, level: Int? = nil, threads: Int = 0, limit: Int64? = nil) {
        self.target = target
        self.level = level
        self.threads = threads
        self.limit = limit
    }

    /// The input does not decode (not a layer, or a damaged one); nothing was stored.
    public struct DecodeFailure: Error, CustomStringConvertible {
        public let error: ArchiveError
        public var description: String { error.description }
    }

    /// - Parameters:
    ///   - input: the layer's bytes.
    ///   - compression: the input's compression when known (`.none`: a plain tar stream,
    ///     passed as it is); nil lets the decoder tell from the bytes.
    ///   - name: the layer, for messages.
    /// - Returns: the new blob, staged; the diff ID; and the refusal of the first entry whose
    ///   numeric fields do not fit (`TarHeaderScan`, read in the same pass), if any.
    /// - Throws: `DecodeFailure` when the input does not decode; `TransportError.tooLarge`
    ///   past `limit`; what `input`, the compressor or the store throws. Nothing is left
    ///   staged then.
    public func run(_ input: ChunkSource, compression: Compression?, into store: any BlobStore,
                    name: String) throws -> (blob: any StagedContent, diffID: Digest, refusal: ArchiveError?) {
        let encoder = try LayerEncoder(into: store, compression: target, level: level, threads: threads, limit: limit, name: name)
        let sink = RecordingSink(encoder)
        let refusal: ArchiveError?
        do {
            let content: ChunkSource = compression == Compression.none ? input : DecodedSource(try TarReader(.chunks(input), mode: .raw, name: name))
            refusal = try TarHeaderScan.run(content, sinks: [sink], name: name)
        } catch let e as ArchiveError where sink.error == nil {
            encoder.abort()
            throw DecodeFailure(error: e)
        } catch {
            encoder.abort()
            throw error
        }
        let (blob, diffID) = try encoder.finish()
        return (blob, diffID, refusal)
    }
}

/// Passes bytes on, keeping the error the downstream sink threw (to tell it from the
/// decoder's).
private final class RecordingSink: ByteSink {
    let downstream: ByteSink
    private(set) var error: Error?
    init(_ downstream: ByteSink) { self.downstream = downstream }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        do { try downstream.write(bytes) } catch { self.error = error; throw error }
    }
}
