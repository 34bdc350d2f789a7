import Foundation

/// The content of a `TarReader`'s current entry, in chunks.
public final class EntrySource: BufferedSource {
    private let reader: TarReader
    public init(_ reader: TarReader) { self.reader = reader }
    override public func fill() throws -> Int { try reader.read(into: buffer) }
}

/// The decoded content of a `.raw` `TarReader`, as chunks: the decoder's own blocks,
/// passed on in place (each valid until the next call), never copied.
public final class DecodedSource: ChunkSource {
    private let reader: TarReader
    private var started = false

    public init(_ reader: TarReader) { self.reader = reader }

    public func nextChunk() throws -> UnsafeRawBufferPointer {
        if !started {
            started = true
            if try reader.next() == nil { return UnsafeRawBufferPointer(start: nil, count: 0) }
        }
        return try reader.nextBlock()
    }
}

/// Forwards bytes into a `TarWriter`'s raw stream (a compressor).
public final class WriterSink: ByteSink {
    let writer: TarWriter
    public init(_ writer: TarWriter) { self.writer = writer }
    public func write(_ bytes: UnsafeRawBufferPointer) throws { try writer.write(bytes) }
}

