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
        try Self.checkNumbering(parts.map(\.0), checksumFile: checksumFile)
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

extension SplitParts {
    /// Parts named as `save --split` names them (`OUT.000`, `OUT.001`, …: one prefix, the
    /// same number of digits) must be listed from 000 on, in order, with none left out and
    /// none beside the last: a checksum file with a line lost or moved would otherwise
    /// read as a truncated or damaged archive. Other names (a list made by hand) are read
    /// in the order listed.
    /// - Throws: `TransportError.invalidManifest` naming the part out of place, left out
    ///   of the list, or found after the last one listed.
    static func checkNumbering(_ paths: [String], checksumFile: String) throws {
        func split(_ p: String) -> (prefix: Substring, digits: Substring)? {
            guard let dot = p.lastIndex(of: "."), case let d = p[p.index(after: dot)...], d.count >= 3, d.allSatisfy(\.isASCII), d.allSatisfy(\.isNumber) else { return nil }
            return (p[..<dot], d)
        }
        let named = paths.compactMap(split)
        guard named.count == paths.count, let first = named.first,
              named.allSatisfy({ $0.prefix == first.prefix && $0.digits.count == first.digits.count }) else { return }
        let width = first.digits.count
        func name(_ n: Int) -> String { "\(first.prefix)." + String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        let numbers = named.map { Int($0.digits) ?? -1 }
        for (i, n) in numbers.enumerated() where n != i {
            if numbers.contains(i) {
                throw TransportError(.invalidManifest, "split archive \(checksumFile): line \(i + 1) lists \(paths[i]) where \(name(i)) belongs: the lines are out of order")
            }
            throw TransportError(.invalidManifest, "split archive \(checksumFile): \(name(i)) is not listed (the list goes from \(i == 0 ? "the start" : paths[i - 1]) to \(paths[i]))")
        }
        let next = name(numbers.count)
        if FileManager.default.fileExists(atPath: next) {
            throw TransportError(.invalidManifest, "split archive \(checksumFile): \(next) is beside the parts but not listed after \(paths.last!)")
        }
    }
}

/// The parts of a split set read in order as one stream, each hashed as it passes and
/// checked against its checksum when it ends: a part that does not match fails the read
/// (truncated, out of order or altered, named), before the loader names anything.
/// `finish()` reads what the reader left unread and waits for every check.
///
/// The consumer's thread reads the parts, as it reads a whole archive (the bytes are then
/// in its own core's cache for what it does with them); a `HelperLane` hashes each chunk
/// behind it, on the pool that also hashes the blobs the loader writes (on 2 CPUs, one
/// thread beside the reader for both). `slots` buffers of 256 KiB (4 MiB in all, which
/// stay in the reader's cache) take turns: a buffer is read into again once it is hashed.
/// When half of them wait for their hash the reader hashes one itself before it reads on
/// (`HelperLane.help`), and when all do, until one is free. A part's check comes once its
/// last chunk is hashed: its error is thrown by the next read, and at the latest at the end.
public final class SplitPartsSource: ChunkSource, @unchecked Sendable {
    let set: SplitParts
    static let slots = 16, slotSize = 256 << 10
    private let buffers = (0..<SplitPartsSource.slots).map { _ in
        UnsafeMutableRawBufferPointer.allocate(byteCount: SplitPartsSource.slotSize, alignment: 16)
    }
    private let lane = HelperLane()
    private let condition = NSCondition()
    /// Chunks read (touched by the consumer only) and chunks hashed.
    private var read = 0, hashed = 0
    private var failure: Error?
    /// The lane's hash of the part being read (touched by the lane's jobs only).
    private var hash = StreamDigester()
    /// The consumer's place: the part open (`fd`), its index and bytes read so far.
    private var index = 0, fd: Int32 = -1, partBytes: Int64 = 0
    /// The size every part but the last has (the largest part's).
    private let fullSize: Int64

    public init(_ set: SplitParts) {
        self.set = set
        fullSize = set.parts.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int64) ?? 0 }.max() ?? 0
    }

    deinit {
        if fd >= 0 { close(fd) }
        // Every job holds the source: none is queued once deinit runs.
        for b in buffers { b.deallocate() }
    }

    /// Queues a job on the lane; it is skipped once a check failed.
    private func post(_ job: @escaping (SplitPartsSource) throws -> Void) {
        lane.submit { [self] in
            condition.lock()
            let failed = failure != nil
            condition.unlock()
            var error: Error?
            if !failed { do { try job(self) } catch let e { error = e } }
            condition.lock()
            if let error, failure == nil { failure = error }
            condition.broadcast()
            condition.unlock()
        }
    }

    public func nextChunk() throws -> UnsafeRawBufferPointer {
        while true {
            guard index < set.parts.count else {
                // Every part read: the checks still running decide.
                lane.drain()
                condition.lock()
                defer { condition.unlock() }
                if let failure { throw failure }
                return UnsafeRawBufferPointer(start: nil, count: 0)
            }
            let part = set.parts[index].path
            if fd < 0 {
                fd = open(part, O_RDONLY | O_CLOEXEC)
                if fd < 0 { throw TransportError(.notFound, "split archive \(set.checksumFile): part \(part) cannot be opened: \(String(cString: strerror(errno)))") }
                partBytes = 0
            }
            let slot = read % Self.slots
            // Half the buffers wait for their hash: the pool is behind, and the reader
            // takes a turn. All of them: the reader hashes until one is free.
            lane.help(whenQueued: Self.slots / 2)
            condition.lock()
            while read - hashed >= Self.slots && failure == nil {
                condition.unlock()
                lane.runOrWait()
                condition.lock()
            }
            let failed = failure
            condition.unlock()
            if let failed { throw failed }
            let n = Glibc.read(fd, buffers[slot].baseAddress, buffers[slot].count)
            if n < 0 {
                if errno == EINTR { continue }
                throw TransportError(.notFound, "split archive \(set.checksumFile): part \(part) cannot be read: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                close(fd)
                fd = -1
                let (i, bytes) = (index, partBytes)
                post { s in
                    defer { s.hash = StreamDigester() }
                    try s.check(i, actual: s.hash.finalizeHex(), bytes: bytes)
                }
                index += 1
                continue
            }
            partBytes += Int64(n)
            read += 1
            let chunk = UnsafeRawBufferPointer(rebasing: buffers[slot][0..<n])
            post { s in
                s.hash.update(chunk)
                s.condition.lock()
                s.hashed += 1
                s.condition.unlock()
            }
            return chunk
        }
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
