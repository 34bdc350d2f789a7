import Foundation
import ImageLayout
import TarArchive

/// A split archive as `save --split` writes it: parts `OUT.000`, `OUT.001`, … listed in
/// order, with their SHA-256, in `OUT.sha256` (`sha256sum` format: `<hex>  <name>` or
/// `<hex> *<name>`, names relative to the checksum file's directory).
public struct SplitParts: Sendable {
    public let checksumFile: String
    public let parts: [(path: String, hex: String)]

    /// The checksum file of the split set `path` names: `path` itself when it ends in
    /// `.sha256`, or `OUT.sha256` beside a `path` of the form `OUT.000`; nil otherwise.
    public static func checksumFile(for path: String) -> String? {
        if path.hasSuffix(".sha256") { return path }
        if path.hasSuffix(".000"), case let sums = String(path.dropLast(4)) + ".sha256", FileManager.default.fileExists(atPath: sums) { return sums }
        return nil
    }

    /// Reads the checksum file and checks that every part is there, before any is read.
    /// - Throws: `TransportError` `.notFound` naming the checksum file or every missing
    ///   part, `.invalidManifest` naming a line that is not `<hex>  <name>`.
    public init(checksumFile: String) throws {
        guard let data = FileManager.default.contents(atPath: checksumFile) else {
            throw TransportError(.notFound, "\(checksumFile): cannot be read")
        }
        let dir = (checksumFile as NSString).deletingLastPathComponent
        var parts: [(String, String)] = []
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.isEmpty {
            let hex = line.prefix(64)
            var name = line.dropFirst(64)
            guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), name.hasPrefix(" ") else {
                throw TransportError(.invalidManifest, "\(checksumFile):\(i + 1): not a sha256sum line (<64 hex>  <part name>)")
            }
            name = name.dropFirst()
            if name.hasPrefix(" ") || name.hasPrefix("*") { name = name.dropFirst() }
            guard !name.isEmpty, !name.contains("/") else {
                throw TransportError(.invalidManifest, "\(checksumFile):\(i + 1): part name \"\(name)\" must be a file name beside the checksum file")
            }
            parts.append(((dir.isEmpty ? "" : dir + "/") + name, String(hex)))
        }
        guard !parts.isEmpty else { throw TransportError(.invalidManifest, "\(checksumFile): lists no part") }
        let missing = parts.filter { !FileManager.default.fileExists(atPath: $0.0) }.map(\.0)
        guard missing.isEmpty else {
            throw TransportError(.notFound, "split archive \(checksumFile): part\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) missing")
        }
        self.checksumFile = checksumFile
        self.parts = parts
    }
}

/// The parts of a split set read in order as one stream, each hashed as it passes and
/// checked against its checksum when it ends: a part that does not match fails the read
/// there, named (truncated, out of order or altered), before the loader names anything.
/// `finish()` reads what the reader left unread and checks the last part.
///
/// Hashing runs on a thread of its own, one chunk behind the reader: two buffers take
/// turns, and a buffer is filled again only once its hash is done.
public final class SplitPartsSource: ChunkSource, @unchecked Sendable {
    let set: SplitParts
    private let buffers = [UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16),
                           UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)]
    private let hashed = [DispatchGroup(), DispatchGroup()]
    private let hasher = DispatchQueue(label: "lading.split-hash")
    private var turn = 0
    private var index = 0
    private var fd: Int32 = -1
    /// Touched on `hasher` only.
    private var hash = StreamDigester()
    private var partBytes: Int64 = 0
    /// The size every part but the last has (the largest part's).
    private let fullSize: Int64

    public init(_ set: SplitParts) {
        self.set = set
        fullSize = set.parts.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int64) ?? 0 }.max() ?? 0
    }

    deinit {
        if fd >= 0 { close(fd) }
        hasher.sync {}
        for b in buffers { b.deallocate() }
    }

    public func nextChunk() throws -> UnsafeRawBufferPointer {
        turn ^= 1
        // The buffer handed out two calls ago: its hash must be done before it is refilled.
        hashed[turn].wait()
        let buffer = buffers[turn]
        let n = try fill(buffer)
        if n > 0 {
            nonisolated(unsafe) let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            let group = hashed[turn]
            group.enter()
            hasher.async { [self] in
                hash.update(chunk)
                group.leave()
            }
            return chunk
        }
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }

    private func fill(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while index < set.parts.count {
            let part = set.parts[index].path
            if fd < 0 {
                fd = open(part, O_RDONLY | O_CLOEXEC)
                if fd < 0 { throw TransportError(.notFound, "split archive \(set.checksumFile): part \(part) cannot be opened: \(String(cString: strerror(errno)))") }
                hasher.sync { hash = StreamDigester() }
                partBytes = 0
            }
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw TransportError(.notFound, "split archive \(set.checksumFile): part \(part) cannot be read: \(String(cString: strerror(errno)))")
            }
            if n > 0 {
                partBytes += Int64(n)
                return n
            }
            close(fd)
            fd = -1
            try check(index, actual: hasher.sync { hash.finalizeHex() })
            index += 1
        }
        return 0
    }

    private func check(_ i: Int, actual: String) throws {
        let (part, expected) = set.parts[i]
        guard actual != expected else { return }
        let head = "split archive \(set.checksumFile): part \(part) (\(i + 1) of \(set.parts.count))"
        if let j = set.parts.firstIndex(where: { $0.hex == actual }) {
            throw TransportError(.layerMismatch, "\(head) holds part \(j + 1)'s content (\(set.parts[j].path)): the parts are out of order")
        }
        if i < set.parts.count - 1 && partBytes < fullSize {
            throw TransportError(.layerMismatch, "\(head) is truncated: \(partBytes) bytes, the parts before the last are \(fullSize)")
        }
        throw TransportError(.layerMismatch, "\(head) does not match its checksum: sha256 \(actual), expected \(expected) (altered or truncated)")
    }

    /// Reads to the end, so every part is checked.
    public func finish() throws {
        while try !nextChunk().isEmpty {}
    }
}
