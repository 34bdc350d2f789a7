import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// The record a delta archive keeps of the layer blobs it leaves out: the top-level file
/// `excluded-blobs.json` of a docker-save tarball (or OCI layout) written by
/// `save --exclude-from`, `{"blobs": [descriptor, …]}` with each blob's `mediaType`,
/// `digest` and `size` (image-spec descriptor.md fields), sorted by digest.
///
/// Everything else of the archive is as a full save writes it (`index.json`,
/// `manifest.json`, every index, manifest and config); only layers are left out. Other
/// readers ignore the file; lading's load takes the listed blobs from the destination
/// store after checking each (`ExcludedBlobs.check`), and `verify` counts them as
/// expected at the destination.
public struct ExcludedBlobs: Codable, Sendable, Equatable {
    /// The file's name at the archive's top level.
    public static let fileName = "excluded-blobs.json"
    public var blobs: [Descriptor]

    public init(blobs: [Descriptor]) { self.blobs = blobs.sorted { $0.digest < $1.digest } }

    /// Total size of the left-out blobs, in bytes.
    public var totalSize: Int64 { blobs.reduce(0) { $0 + $1.size } }

    /// How `ImageLoader` treats the blobs a delta archive leaves out.
    public enum Policy: Sendable {
        /// Take them from the store the archive is read into, each checked there before
        /// anything is named (size, and SHA-256 unless the store recorded a hash of that
        /// file since it last changed: `BlobStore.hasCheckedBlob`); a missing or damaged
        /// one fails the read.
        case fromDestination
        /// Take them as present without reading them (`verify` of an archive alone).
        case expected
    }

    /// Parses the file's bytes.
    /// - Throws: `TransportError.invalidManifest` naming `source` when it is not such a file.
    public static func decode(_ bytes: [UInt8], source: String) throws -> ExcludedBlobs {
        do {
            return try JSON.decode(ExcludedBlobs.self, from: bytes, what: "\(source): \(fileName)")
        } catch let e as SpecError {
            throw TransportError(.invalidManifest, e.message)
        }
    }

    /// Checks that `store` holds every listed blob, with its size and digest (each blob
    /// hashed, on every core, unless `rehash` is false and the store recorded a hash of
    /// it since it last changed).
    /// - Throws: `TransportError.missingEntry` listing every digest missing or damaged,
    ///   naming `source`.
    public func check(in store: any BlobStore, source: String, rehash: Bool = false) throws {
        try report(problems(in: store, rehash: rehash), source: source)
    }

    /// What is wrong with each listed blob in `store` (missing, another size, damaged),
    /// by digest; empty when all are there intact. A blob the store recorded as hashed
    /// since it last changed is taken as intact unless `rehash`; one hashed here and found
    /// intact is recorded so.
    public func problems(in store: any BlobStore, rehash: Bool = false) -> [Digest: String] {
        let blobs = self.blobs
        nonisolated(unsafe) let store = store
        let problems = Problems(count: blobs.count)
        DispatchQueue.concurrentPerform(iterations: blobs.count) { i in
            let d = blobs[i]
            guard let size = store.blobSize(d.digest) else {
                // Something else under the blob's name (a symlink, a directory) is not it.
                let other = (store as? OCILayout).map { FileManager.default.fileExists(atPath: $0.blobPath(d.digest)) } ?? false
                return problems.set(i, other ? "not a regular file" : "missing")
            }
            guard size == d.size else { return problems.set(i, "\(size) bytes in the store, the archive says \(d.size)") }
            if !rehash && store.hasCheckedBlob(d.digest, size: size) { return }
            var hash = StreamDigester()
            let start = CheckRecord.now()
            do {
                // Read through a buffer, not mapped: mapped pages would count against the
                // memory bound (64 MiB) as they are hashed.
                try store.forEachChunk(of: d.digest) { hash.update($0) }
            } catch {
                return problems.set(i, "unreadable: \(error)")
            }
            let actual = Digest(sha256Hex: hash.finalizeHex())
            if actual != d.digest { problems.set(i, "damaged: its content has digest \(actual)") } else { store.recordChecked(d.digest, hashStart: start) }
        }
        var out: [Digest: String] = [:]
        for (i, p) in problems.all.enumerated() { if let p { out[blobs[i].digest] = p } }
        return out
    }

    /// Throws for `problems` (of this record's blobs), naming each digest.
    func report(_ problems: [Digest: String], source: String) throws {
        let found = blobs.compactMap { b in problems[b.digest].map { "\(b.digest) (\($0))" } }
        guard found.isEmpty else {
            throw TransportError(.missingEntry, "\(source): delta archive: \(found.count) of the \(blobs.count) blobs it leaves out \(found.count == 1 ? "is" : "are") not in the destination store intact: \(found.joined(separator: ", ")) (load the images it was made against first)")
        }
    }
}

/// The check of a delta archive's left-out blobs in the destination store, started on
/// another thread as soon as `excluded-blobs.json` passes in the stream (lading writes it
/// first), so that hashing the store's blobs overlaps reading the archive.
final class ExcludedPrecheck: @unchecked Sendable {
    private let group = DispatchGroup()
    private var problems: [Digest: String]?

    init?(document bytes: [UInt8], store: any BlobStore, rehash: Bool) {
        guard let record = try? JSON.decode(ExcludedBlobs.self, from: bytes, what: ExcludedBlobs.fileName) else { return nil }
        nonisolated(unsafe) let store = store
        group.enter()
        DispatchQueue.global().async { [self] in
            problems = record.problems(in: store, rehash: rehash)
            group.leave()
        }
    }

    /// Waits for the check: the problems found, by digest.
    func wait() -> [Digest: String] {
        group.wait()
        return problems ?? [:]
    }
}

/// Per-blob results filled from worker threads.
private final class Problems: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: String) { lock.lock(); values[i] = v; lock.unlock() }
    var all: [String?] { lock.lock(); defer { lock.unlock() }; return values }
}
