import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

/// Where `save --split SIZE -o OUT` writes: the archive cut into `OUT.000`, `OUT.001`, …
/// of at most `partSize` bytes each (all but the last exactly that), whose concatenation
/// is the archive (`cat OUT.0* | docker load`), then `OUT.sha256`, one
/// `<hex>  <part name>` line a part in order (`sha256sum -c OUT.sha256` in that directory
/// checks them). `OUT.sha256` is written last, to a temporary name renamed at the end:
/// a set without it is incomplete.
public final class SplitOutput: ByteSink {
    public let base: String
    public let partSize: Int64
    private var current: FileSink?
    private var used: Int64 = 0
    /// Parts written so far: path and SHA-256 (hex) once closed.
    public private(set) var parts: [(path: String, hex: String?)] = []
    /// `SignalCleanup` tokens of the parts: a save stopped by a signal removes them too.
    private var cleanup: [Int] = []

    /// - Throws: `ArchiveError` `.io` when `partSize` is not positive.
    public init(base: String, partSize: Int64) throws {
        guard partSize > 0 else { throw LadingError(.invalidArgument, "--split: the part size must be at least 1 byte") }
        self.base = base
        self.partSize = partSize
    }

    /// The name of part `i`: `OUT.000` and on.
    public static func partPath(_ base: String, _ i: Int) -> String { base + "." + String(format: "%03d", i) }

    /// At most this many parts (`OUT.000` to `OUT.999`): a thousand-first name would
    /// sort before `OUT.101` and outside `OUT.0*`, and `cat OUT.0*` would not give the
    /// archive.
    public static let maxParts = 1000

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            if current == nil || used == partSize { try next() }
            let n = Int(min(Int64(rest.count), partSize - used))
            try current!.write(UnsafeRawBufferPointer(rebasing: rest[0..<n]))
            used += Int64(n)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }

    private func next() throws {
        closeCurrent()
        guard parts.count < Self.maxParts else {
            throw LadingError(.invalidArgument, "--split \(partSize): the archive needs more than \(Self.maxParts) parts of \(partSize) bytes (\((base as NSString).lastPathComponent).000 to .999, so that cat \((base as NSString).lastPathComponent).0* gives it); choose a larger size")
        }
        let path = Self.partPath(base, parts.count)
        parts.append((path, nil))
        cleanup.append(SignalCleanup.register(path))
        current = try FileSink(creating: path, mode: 0o644)
        used = 0
    }

    private func closeCurrent() {
        guard let c = current else { return }
        parts[parts.count - 1].hex = c.digester.finalizeHex()
        current = nil
    }

    /// Closes the last part and writes `OUT.sha256`; removes parts a longer earlier set
    /// left under the same name.
    /// - Returns: the paths of the parts.
    public func finish() throws -> [String] {
        if parts.isEmpty { try next() }
        closeCurrent()
        var stale = parts.count
        while FileManager.default.fileExists(atPath: Self.partPath(base, stale)) {
            unlink(Self.partPath(base, stale))
            stale += 1
        }
        let text = parts.map { "\($0.hex!)  \(($0.path as NSString).lastPathComponent)\n" }.joined()
        try OutputFile.write(to: base + ".sha256") { sink in try Array(text.utf8).withUnsafeBytes { try sink.write($0) } }
        forgetCleanup()
        return parts.map(\.path)
    }

    /// Removes the parts written (a failed save).
    public func abort() {
        current = nil
        for p in parts { unlink(p.path) }
        forgetCleanup()
    }

    private func forgetCleanup() {
        for t in cleanup { SignalCleanup.unregister(t) }
        cleanup = []
    }

    /// Parses a size: bytes, or a number with `K`, `M`, `G`, `T` (powers of 1024;
    /// an optional `B` or `iB` after it), as `split -b` reads them.
    /// - Throws: `LadingError.invalidArgument` for anything else.
    public static func parseSize(_ text: String) throws -> Int64 {
        var t = text.uppercased()
        for suffix in ["IB", "B"] where t.hasSuffix(suffix) && t.count > suffix.count { t.removeLast(suffix.count); break }
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var scale: Int64 = 1
        if let last = t.last, let u = units[last] { scale = u; t.removeLast() }
        guard let n = Int64(t), n > 0, n <= Int64.max / scale else {
            throw LadingError(.invalidArgument, "invalid size \"\(text)\": expected bytes or a number with K, M, G or T (700M, 4G)")
        }
        return n * scale
    }
}

extension ImageService {
    /// `save` into split parts (see `SplitOutput`); on failure the parts are removed.
    /// - Returns: the blobs left out (a delta) and the parts' paths.
    public func save(_ names: [String], all: Bool = false, excluding: Set<Digest> = [], splitInto base: String, partSize: Int64) throws -> (ExcludedBlobs, [String]) {
        unlink(base + ".sha256")
        let out = try SplitOutput(base: base, partSize: partSize)
        do {
            let record = try save(names, all: all, excluding: excluding, to: out)
            return (record, try out.finish())
        } catch {
            out.abort()
            throw error
        }
    }
}
