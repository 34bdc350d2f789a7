import ImageLayout
import ImageSpec
import TarArchive

/// An input file copied into the store's ingest area: its digest and size, and — when
/// it is a compressed stream or a tar — the digest of its uncompressed content
/// (the diff ID, were it a layer), computed in the same pass.
public final class StagedFile {
    public let blob: StagedBlob
    /// The input's name (archive entry or file path), for messages.
    public let name: String
    /// The compression found by magic bytes.
    public let compression: Compression
    /// SHA-256 of the decompressed stream; for uncompressed input, the blob digest.
    public let uncompressedDigest: Digest?
    /// Why the content could not be decompressed, if it could not.
    public let decompressError: String?

    init(blob: StagedBlob, name: String, compression: Compression, uncompressedDigest: Digest?, decompressError: String?) {
        self.blob = blob
        self.name = name
        self.compression = compression
        self.uncompressedDigest = uncompressedDigest
        self.decompressError = decompressError
    }

    public var digest: Digest { blob.digest }
    public var size: Int64 { blob.size }

    /// Copies a stream into a new blob of `layout`, hashing the raw bytes and, for a
    /// compressed stream, decompressing on the fly to hash the content: one pass.
    /// - Parameters:
    ///   - limit: refuse content (decompressed) larger than this many bytes, as soon as it
    ///     passes the mark: a decompression bomb costs no more than the limit.
    ///   - pull: fills the buffer with the next bytes, returning 0 at the end.
    /// - Throws: `TransportError.tooLarge` naming the input past the limit.
    static func copy(into layout: OCILayout, name: String, limit: Int64? = nil,
                     pull: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws -> StagedFile {
        func tooLarge() -> TransportError {
            TransportError(.tooLarge, "\(name) is larger than the limit of \(limit ?? 0) bytes")
        }
        let writer = try layout.newBlob()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        let first = try pull(buffer)
        let compression = Compression.detect(magic: UnsafeRawBufferPointer(rebasing: buffer[0..<min(first, 8)]))
        guard compression != .none else {
            var n = first
            var total: Int64 = 0
            while n > 0 {
                total += Int64(n)
                if let limit, total > limit { throw tooLarge() }
                try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                n = try pull(buffer)
            }
            let blob = try writer.stage()
            return StagedFile(blob: blob, name: name, compression: .none, uncompressedDigest: blob.digest, decompressError: nil)
        }
        // Compressed: the decoder pulls the input through a tee that stores and hashes it.
        let tee = TeeSource(pending: first, buffer: buffer, pull: pull, sink: writer)
        var content = StreamDigester()
        var decodeError: String?
        do {
            let decoder = try TarReader(.chunks(tee), mode: .raw, name: name)
            if try decoder.next() != nil {
                try decoder.forEachChunk {
                    content.update($0)
                    if let limit, content.count > limit { throw tooLarge() }
                }
            }
        } catch let e as ArchiveError where tee.sourceError == nil {
            decodeError = e.description
        }
        if let e = tee.sourceError { throw e }
        try tee.drain()
        let blob = try writer.stage()
        return StagedFile(blob: blob, name: name, compression: compression,
                          uncompressedDigest: decodeError == nil ? Digest(sha256Hex: content.finalizeHex()) : nil,
                          decompressError: decodeError)
    }
}

/// Feeds a decoder from a pull function while copying every byte to a sink.
final class TeeSource: ChunkSource {
    private var pending: Int?
    private let buffer: UnsafeMutableRawBufferPointer
    private let pull: (UnsafeMutableRawBufferPointer) throws -> Int
    private let sink: ByteSink
    private var ended = false
    var sourceError: Error?

    init(pending: Int, buffer: UnsafeMutableRawBufferPointer, pull: @escaping (UnsafeMutableRawBufferPointer) throws -> Int, sink: ByteSink) {
        self.pending = pending
        self.buffer = buffer
        self.pull = pull
        self.sink = sink
    }

    func nextChunk() throws -> UnsafeRawBufferPointer {
        if ended { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let n: Int
        do {
            if let p = pending { n = p; pending = nil } else { n = try pull(buffer) }
            if n == 0 { ended = true }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            try sink.write(chunk)
            return chunk
        } catch {
            sourceError = error
            throw error
        }
    }

    /// Copies what the decoder did not read.
    func drain() throws {
        while !ended { _ = try nextChunk() }
    }
}
