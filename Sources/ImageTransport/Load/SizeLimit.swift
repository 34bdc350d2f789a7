import Foundation
import TarArchive

/// The cap `--max-layer-size` sets on a layer's (or blob's) decompressed content: the
/// bytes are counted as they stream and the content is refused as soon as it passes the
/// mark, so a decompression bomb or an endless input (`/dev/zero`, a pipe that never
/// closes) costs no more than the limit. `load`, `import`, `commit`, `squash` and
/// `copy --compression` all count through `SizeLimit.check` (or a `ContentSink`).
public enum SizeLimit {
    /// The cap, in bytes, when none is given and the input is not a regular file or a
    /// directory (standard input, a pipe, a character device): 64 GiB, above the largest
    /// layer registries take (ECR: 52,000 MiB; Docker Hub and GHCR: 10 GB).
    public static let streamDefault: Int64 = 64 << 30

    /// What `import` reads of a filesystem tarball after its end-of-archive blocks:
    /// 1 MiB. docker and containerd read a layer to its end (those bytes count in the
    /// diff ID) however long it goes on; a tar writer pads only to its record size
    /// (10 KiB by default), so more is not a tarball's padding (`/dev/zero` is two
    /// zero blocks, then zeros forever) and is refused.
    public static let afterEndOfArchive: Int64 = 1 << 20

    /// `explicit` when given; else `streamDefault` when `path` (`-`: standard input) is
    /// not a regular file or a directory, nil (no cap) when it is.
    public static func effective(_ explicit: Int64?, input path: String) -> Int64? {
        if let explicit { return explicit }
        var st = stat()
        let rc = path == "-" ? fstat(0, &st) : stat(path, &st)
        guard rc == 0 else { return nil }
        let type = st.st_mode & S_IFMT
        return type == S_IFREG || type == S_IFDIR ? nil : streamDefault
    }

    /// - Parameters:
    ///   - count: bytes of content seen so far.
    ///   - limit: the cap in bytes; nil for none.
    ///   - name: the input (entry, file, layer), for the message.
    /// - Throws: `TransportError.tooLarge` naming `name` when `count` passes `limit`.
    @inline(__always)
    public static func check(_ count: Int64, _ limit: Int64?, name: String) throws {
        if let limit, count > limit { throw tooLarge(name, limit) }
    }

    /// The error for content of `name` past `limit` bytes.
    public static func tooLarge(_ name: String, _ limit: Int64) -> TransportError {
        TransportError(.tooLarge, "\(name) is larger than the limit of \(limit) bytes")
    }
}

/// Counts (and hashes, when asked) the content written through it (a tee's sink beside
/// the others), refusing it with `TransportError.tooLarge` as soon as it passes `limit`
/// bytes (nil: counts without a cap).
public final class ContentSink: ByteSink {
    public private(set) var digester = StreamDigester()
    /// Bytes written so far.
    public private(set) var count: Int64 = 0
    public let name: String, limit: Int64?, hash: Bool

    /// - Parameters:
    ///   - name: the input, for the message.
    ///   - hash: whether to keep the SHA-256 of the content (`digester`).
    public init(name: String, limit: Int64?, hash: Bool) {
        self.name = name
        self.limit = limit
        self.hash = hash
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        count += Int64(bytes.count)
        try SizeLimit.check(count, limit, name: name)
        if hash { digester.update(bytes) }
    }
}
