import Foundation

/// Pulls bytes: the input side of every stream (files, archive entries, decoders).
public protocol ChunkSource: AnyObject {
    /// The next chunk, or an empty buffer at the end. The buffer stays valid until the next call.
    func nextChunk() throws -> UnsafeRawBufferPointer
}

/// Takes bytes: the output side of every stream (files, hashers, compressors, archives).
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// A `ChunkSource` reading into its own 1 MiB buffer, whose first chunk can be looked at
/// (`peek`) before the stream is consumed: the base of the file and entry sources.
open class BufferedSource: ChunkSource {
    public let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    private var pendingCount: Int?

    deinit { buffer.deallocate() }

    public init() {}

    /// Fills `buffer` with the next bytes; 0 at the end.
    open func fill() throws -> Int { 0 }

    /// Reads the next chunk and keeps it for the next `nextChunk()` (looking again
    /// before that returns the same chunk).
    public func peek() throws -> UnsafeRawBufferPointer {
        if let p = pendingCount { return UnsafeRawBufferPointer(rebasing: buffer[0..<p]) }
        let n = try fill()
        pendingCount = n
        return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
    }

    public func nextChunk() throws -> UnsafeRawBufferPointer {
        if let p = pendingCount {
            pendingCount = nil
            return UnsafeRawBufferPointer(rebasing: buffer[0..<p])
        }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<(try fill())])
    }
}

/// Reads a file descriptor in 1 MiB chunks.
public final class DescriptorSource: BufferedSource {
    public let fd: Int32
    public let name: String

    private let owned: Bool

    /// Reads `fd`, which stays the caller's.
    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
        self.owned = false
    }

    /// Opens `path` for reading; the descriptor is closed with the source.
    /// - Throws: `ArchiveError` `.io` naming `name` when it cannot be opened.
    public init(opening path: String, name: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ArchiveError.errno("cannot open \(name)") }
        self.fd = fd
        self.name = name
        self.owned = true
    }

    deinit { if owned { close(fd) } }

    override public func fill() throws -> Int {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw ArchiveError.errno("cannot read \(name)") }
        }
    }
}

/// Passes chunks from an upstream source on, copying each to every sink first.
public final class TeeChunks: ChunkSource {
    private let upstream: ChunkSource
    private let sinks: [ByteSink]
    public private(set) var ended = false
    /// The error the upstream source or a sink threw, if any: it is the input's fault,
    /// not the decoder's, when a decoder reading through this tee fails.
    public private(set) var sourceError: Error?

    public init(_ upstream: ChunkSource, sinks: [ByteSink]) {
        self.upstream = upstream
        self.sinks = sinks
    }

    public func nextChunk() throws -> UnsafeRawBufferPointer {
        if ended { return UnsafeRawBufferPointer(start: nil, count: 0) }
        do {
            let c = try upstream.nextChunk()
            if c.count == 0 { ended = true }
            for s in sinks where c.count > 0 { try s.write(c) }
            return c
        } catch {
            sourceError = error
            throw error
        }
    }

    /// Reads what the consumer left, so the sinks see the whole stream.
    public func drain() throws {
        while !ended { _ = try nextChunk() }
    }
}

/// Bytes held in memory, as one chunk.
public final class BytesSource: ChunkSource {
    private let storage: UnsafeMutableRawBufferPointer
    private var done = false
    public init(_ bytes: [UInt8]) {
        storage = .allocate(byteCount: bytes.count, alignment: 16)
        storage.copyBytes(from: bytes)
    }
    deinit { storage.deallocate() }
    public func nextChunk() throws -> UnsafeRawBufferPointer {
        defer { done = true }
        return done ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(storage)
    }
}
