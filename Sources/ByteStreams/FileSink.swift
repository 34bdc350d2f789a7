import Foundation

/// A `ByteSink` that writes to a file descriptor and hashes what it writes.
public final class FileSink: ByteSink {
    public let fd: Int32
    public let name: String
    /// SHA-256 and length of everything written.
    public private(set) var digester = StreamDigester()
    private let ownsDescriptor: Bool
    /// Hash what is written (on by default; off when the caller hashes elsewhere).
    public var hashing = true

    /// Wraps an open descriptor (not closed by the sink).
    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = false
    }

    /// Creates (or truncates) `path` with `mode` and writes to it (opened for reading
    /// too, so what was written can be read back); closed by `close()` or deinit.
    /// - Throws: `ArchiveError` `.io` when the file cannot be created.
    /// - Parameter name: names the file in errors (default: `path`; say the destination
    ///   when `path` is its temporary name).
    public init(creating path: String, mode: mode_t = 0o644, exclusive: Bool = false, name: String? = nil) throws {
        let flags = O_RDWR | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        let fd = open(path, flags, mode)
        if fd < 0 { throw ArchiveError.errno("cannot create \(path)") }
        self.fd = fd
        self.name = name ?? path
        self.ownsDescriptor = true
    }

    deinit { if ownsDescriptor { _ = Glibc.close(fd) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if hashing { digester.update(bytes) }
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.errno("cannot write \(name)")
            }
            off += n
        }
    }

    /// Flushes the file to disk.
    public func sync() throws {
        if fsync(fd) != 0 && errno != EINVAL { throw ArchiveError.errno("cannot sync \(name)") }
    }
}

/// A `ByteSink` that only hashes (and counts) what passes through it.
public final class DigestSink: ByteSink {
    public private(set) var digester = StreamDigester()
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { digester.update(bytes) }
}
