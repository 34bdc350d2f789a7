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
        // A line a part, at most 1,000 parts (`save --split`): 1 MiB is far more than a
        // set's checksum file holds, and a huge file is not read whole.
        let data: [UInt8]
        do {
            data = try FileOps.readSmall(checksumFile, limit: 1 << 20, what: "split archive checksum file \(checksumFile)")
        } catch let e as LayoutError where e.code == .tooLarge {
            throw TransportError(.invalidManifest, e.message)
        } catch {
            throw TransportError(.notFound, "\(checksumFile): cannot be read")
        }
        let dir = (checksumFile as NSString).deletingLastPathComponent
        var parts: [(String, String)] = []
        // Split on the byte: a String would keep "\r\n" as one character. A CR ending a
        // line (a file that went through Windows) is dropped, as `sha256sum -c` drops it.
        for (i, bytes) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = Substring(String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes, as: UTF8.self))
            if line.isEmpty { continue }
            let hex = line.prefix(64)
            var name = line.dropFirst(64)
            guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), name.hasPrefix(" ") else {
                throw TransportError(.invalidManifest, "\(checksumFile):\(i + 1): not a sha256sum line (<64 hex>  <part name>)")
            }
            name = name.dropFirst()
            if name.hasPrefix(" ") || name.hasPrefix("*") { name = name.dropFirst() }
            if name.hasPrefix("./") { name = name.dropFirst(2) }
            guard !name.isEmpty, !name.contains("/") else {
                throw TransportError(.invalidManifest, "\(checksumFile):\(i + 1): part name \"\(name)\" must be a file name beside the checksum file")
            }
            parts.append(((dir.isEmpty ? "" : dir + "/") + name, String(hex)))
        }
        guard !parts.isEmpty else { throw TransportError(.invalidManifest, "\(checksumFile): lists no part") }
        let missing = parts.filter { !FileManager.default.fileExists(atPath: $0.0) }.map(\.0)
        guard missing.isEmpty else {
            let shown = missing.prefix(10).joined(separator: ", ") + (missing.count > 10 ? " and \(missing.count - 10) more" : "")
            throw TransportError(.notFound, "split archive \(checksumFile): part\(missing.count == 1 ? "" : "s") \(shown) missing")
        }
        // A FIFO would block the reader in open(2) for ever; a directory cannot be read.
        var st = stat()
        if let odd = parts.first(where: { stat($0.0, &st) != 0 || st.st_mode & S_IFMT != S_IFREG }) {
            throw TransportError(.invalidManifest, "split archive \(checksumFile): part \(odd.0) is not a regular file")
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
/// Reading and hashing run on a thread of their own, ahead of the consumer by at most
/// `slots` chunks of 1 MiB (8 MiB in all): a chunk is handed out as soon as it is read and
/// hashed while the consumer reads it, and its buffer is filled again once the consumer
/// asked for the next one. An error (a part that cannot be read, or does not match) is
/// thrown once the consumer has read the chunks handed out before it, and before the end
/// of the stream: a part's check may come after the consumer read the part, never after
/// it saw the end of the last one.
public final class SplitPartsSource: ChunkSource, @unchecked Sendable {
    let set: SplitParts
    static let slots = 8
    private let buffers = (0..<SplitPartsSource.slots).map { _ in
        UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    }
    private var counts = [Int](repeating: 0, count: SplitPartsSource.slots)
    private let condition = NSCondition()
    /// Chunks filled by the reader thread, and released by the consumer (monotonic).
    private var produced = 0, released = 0
    /// Whether the consumer holds the chunk at `released` (released at its next call).
    private var holding = false
    private var ended = false, stopping = false, exited = false
    private var failure: Error?
    /// The size every part but the last has (the largest part's).
    private let fullSize: Int64

    public init(_ set: SplitParts) {
        self.set = set
        fullSize = set.parts.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int64) ?? 0 }.max() ?? 0
        let t = Thread { [self] in readParts() }
        t.stackSize = 1 << 20
        t.start()
    }

    deinit {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !exited { condition.wait() }
        condition.unlock()
        for b in buffers { b.deallocate() }
    }

    public func nextChunk() throws -> UnsafeRawBufferPointer {
        condition.lock()
        defer { condition.unlock() }
        if holding {
            holding = false
            released += 1
            condition.broadcast()
        }
        while produced == released && !ended && failure == nil { condition.wait() }
        if produced > released {
            holding = true
            let slot = released % Self.slots
            return UnsafeRawBufferPointer(rebasing: buffers[slot][0..<counts[slot]])
        }
        if let failure { throw failure }
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// The reader thread: every part in turn, read into free slots and hashed.
    private func readParts() {
        do {
            for i in set.parts.indices { guard try readPart(i) else { break } }
            finishThread(nil)
        } catch {
            finishThread(error)
        }
    }

    private func finishThread(_ error: Error?) {
        condition.lock()
        if let error { failure = error } else { ended = true }
        exited = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reads and hashes part `i` whole; false when the source is being torn down.
    private func readPart(_ i: Int) throws -> Bool {
        let part = set.parts[i].path
        let fd = open(part, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw TransportError(.notFound, "split archive \(set.checksumFile): part \(part) cannot be opened: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hash = StreamDigester()
        var bytes: Int64 = 0
        while true {
            condition.lock()
            while produced - released >= Self.slots && !stopping { condition.wait() }
            let stop = stopping
            condition.unlock()
            if stop { return false }
            let slot = produced % Self.slots
            let n = read(fd, buffers[slot].baseAddress, buffers[slot].count)
            if n < 0 {
                if errno == EINTR { continue }
                throw TransportError(.notFound, "split archive \(set.checksumFile): part \(part) cannot be read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            // Handed out first, hashed while the consumer reads it: the slot is filled
            // again only once the consumer is done with it, long after this hash.
            condition.lock()
            counts[slot] = n
            produced += 1
            condition.broadcast()
            condition.unlock()
            hash.update(UnsafeRawBufferPointer(rebasing: buffers[slot][0..<n]))
            bytes += Int64(n)
        }
        try check(i, actual: hash.finalizeHex(), bytes: bytes)
        return true
    }

    private func check(_ i: Int, actual: String, bytes: Int64) throws {
        let (part, expected) = set.parts[i]
        guard actual != expected else { return }
        let head = "split archive \(set.checksumFile): part \(part) (\(i + 1) of \(set.parts.count))"
        if let j = set.parts.firstIndex(where: { $0.hex == actual }) {
            throw TransportError(.layerMismatch, "\(head) holds part \(j + 1)'s content (\(set.parts[j].path)): the parts are out of order")
        }
        if i < set.parts.count - 1 && bytes < fullSize {
            throw TransportError(.layerMismatch, "\(head) is truncated: \(bytes) bytes, the parts before the last are \(fullSize)")
        }
        throw TransportError(.layerMismatch, "\(head) does not match its checksum: sha256 \(actual), expected \(expected) (altered or truncated)")
    }

    /// Reads to the end, so every part is checked.
    public func finish() throws {
        while try !nextChunk().isEmpty {}
    }
}
