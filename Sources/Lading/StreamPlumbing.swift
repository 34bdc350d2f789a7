import Foundation
import TarArchive

/// Reads a file descriptor in 1 MiB chunks, optionally replaying a first chunk already read.
final class DescriptorSource: ChunkSource {
    let fd: Int32
    let name: String
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    private var pendingCount: Int?

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    deinit { buffer.deallocate() }

    /// Reads the first chunk and keeps it for the next `nextChunk()`.
    func peek() throws -> UnsafeRawBufferPointer {
        let n = try fill()
        pendingCount = n
        return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
    }

    private func fill() throws -> Int {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw ArchiveError.errno("cannot read \(name)") }
        }
    }

    func nextChunk() throws -> UnsafeRawBufferPointer {
        if let p = pendingCount {
            pendingCount = nil
            return UnsafeRawBufferPointer(rebasing: buffer[0..<p])
        }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<(try fill())])
    }
}

/// The decoded content of a `.raw` `TarReader`, as chunks.
final class DecodedSource: ChunkSource {
    private let reader: TarReader
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    private var started = false

    init(_ reader: TarReader) { self.reader = reader }
    deinit { buffer.deallocate() }

    func nextChunk() throws -> UnsafeRawBufferPointer {
        if !started {
            started = true
            if try reader.next() == nil { return UnsafeRawBufferPointer(start: nil, count: 0) }
        }
        let n = try reader.read(into: buffer)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
    }
}

/// Passes chunks from an upstream source on, copying each to every sink first.
final class TeeChunks: ChunkSource {
    private let upstream: ChunkSource
    private let sinks: [ByteSink]
    private(set) var ended = false

    init(_ upstream: ChunkSource, sinks: [ByteSink]) {
        self.upstream = upstream
        self.sinks = sinks
    }

    func nextChunk() throws -> UnsafeRawBufferPointer {
        if ended { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let c = try upstream.nextChunk()
        if c.count == 0 { ended = true }
        for s in sinks where c.count > 0 { try s.write(c) }
        return c
    }

    /// Reads what the consumer left, so the sinks see the whole stream.
    func drain() throws {
        while !ended { _ = try nextChunk() }
    }
}

/// Forwards bytes into a `TarWriter`'s raw stream (a compressor).
final class WriterSink: ByteSink {
    let writer: TarWriter
    init(_ writer: TarWriter) { self.writer = writer }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try writer.write(bytes) }
}
