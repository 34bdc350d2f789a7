import ImageLayout
import ImageSpec
import TarArchive

/// The result of reading a source: images plus the blobs to install for them.
public final class LoadPlan {
    public internal(set) var images: [ImageRecord] = []
    /// Verified blobs from the source, by digest.
    var blobs: [Digest: StagedFile] = [:]
    /// Documents lading generated (synthesized manifests), by digest.
    var generated: [Digest: [UInt8]] = [:]
    /// Layer blobs a delta archive left out, taken from the destination store (checked
    /// there before the plan was made; `install` checks each is still there).
    public internal(set) var external: [Digest: Descriptor] = [:]
    /// Whether `install` requires the external blobs in the store it installs into (not
    /// for `ExcludedBlobs.Policy.expected`).
    var externalRequired = true
    /// Warnings worth telling the user (sparse indexes, skipped entries), each once (a
    /// config shared by many manifests is warned about once).
    public internal(set) var warnings: [String] = [] {
        didSet {
            guard warnings.count == oldValue.count + 1, let last = warnings.last else { return }
            if !warned.insert(last).inserted { warnings.removeLast() }
        }
    }
    private var warned: Set<String> = []

    /// Layers re-encoded while they were read (`ImageLoader.Options.recode`): the source
    /// digest → the new blob's digest, size and compression.
    public var recoded: [Digest: (digest: Digest, size: Int64, compression: Compression)] {
        var out: [Digest: (digest: Digest, size: Int64, compression: Compression)] = [:]
        for (d, s) in blobs { if let c = s.encoding { out[d] = (s.blob.digest, s.blob.size, c) } }
        return out
    }

    /// Flushes every staged blob to disk (before the lock is taken).
    public func sync() throws {
        for s in blobs.values { s.blob.sync() }
    }

    /// Blobs a load wrote into the store, and those the store had already.
    public struct Installed: Sendable {
        public var written = 0
        public var present = 0
        /// Bytes of the blobs written.
        public var bytesWritten: Int64 = 0
        public init() {}
    }

    /// The blobs `install` wrote that the store did not have, so far: what to remove if
    /// the index naming them is not written.
    public private(set) var installedNew: [Digest] = []

    /// Moves every blob into the store (verified ones only, each once), except those in
    /// `held` (documents a copy rewrites first: see `DocumentOverlay`).
    /// - Returns: how many were written and how many the store had.
    @discardableResult
    public func install(into layout: any BlobStore, except held: Set<Digest> = []) throws -> Installed {
        var n = Installed()
        func count(_ d: Digest, _ size: Int64) -> Bool {
            if layout.hasBlob(d) { n.present += 1; return false }
            n.written += 1
            n.bytesWritten += size
            return true
        }
        for (d, s) in blobs.sorted(by: { $0.key < $1.key }) where !held.contains(d) {
            let new = count(s.blob.digest, s.blob.size)
            try s.blob.install()
            if new { installedNew.append(s.blob.digest) }
        }
        for d in external.keys.sorted() {
            guard layout.hasBlob(d) || !externalRequired else {
                throw LayoutError(.blobNotFound, "blob \(d), left out of the delta archive, is no longer in the store")
            }
            n.present += 1
        }
        for (d, bytes) in generated.sorted(by: { $0.key < $1.key }) where !held.contains(d) {
            let new = count(d, Int64(bytes.count))
            try layout.putBlob(bytes)
            if new { installedNew.append(d) }
        }
        return n
    }

    /// The manifests and indexes of every image read (an index's absent children left
    /// out): what a copy holds back until its rewrites are done.
    /// - Throws: `LayoutError.invalidDocument` for a document that cannot be read.
    public func documents() throws -> Set<Digest> {
        var out: Set<Digest> = []
        var walk = DescriptorWalk(source: self)
        walk.absent = { _ in }
        try walk.visit(images.map(\.descriptor)) { node in
            let d = node.descriptor
            guard MediaType.isWalkable(d.mediaType) else { return .skip }
            if case .subject = node.role { return .skip }
            if blobSize(d.digest) != nil { out.insert(d.digest) }
            return .descend
        }
        return out
    }
}

/// The blobs read so far, before they are installed: staged ones holding the source's
/// own bytes (not re-encoded), and generated documents.
extension LoadPlan: BlobSource {
    public func blobSize(_ d: Digest) -> Int64? {
        if let g = generated[d] { return Int64(g.count) }
        guard let s = blobs[d], s.encoding == nil else { return nil }
        return s.blob.size
    }

    public func readBlob(_ d: Digest, limit: Int) throws -> [UInt8] {
        if let g = generated[d] {
            guard g.count <= limit else { throw LayoutError(.tooLarge, "blob \(d) is larger than \(limit) bytes") }
            return g
        }
        guard let s = blobs[d], s.encoding == nil else { throw LayoutError(.blobNotFound, "blob \(d) was not read") }
        return try s.blob.readAll(limit: limit)
    }
}
