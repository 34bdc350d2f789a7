import Foundation
import ImageSpec
import ByteStreams

/// A blob store seen with its documents held back: where a copy rewrites image trees
/// (recompression, OCI conversion) before anything is named.
///
/// Manifests and indexes read from a source (a load plan, another layout) and those
/// made on the way (`putBlob`) stay out of `base` until `settle(_:)` installs the ones
/// the final images reach: blobs first, then manifests, then each index once its
/// children are in. So `base` never holds a manifest or an index that names a blob it
/// does not have, nor a document that only an intermediate rewrite needed.
///
/// Reads see, in order: the documents made here, `base`, then `sources`. New blobs
/// (`newBlob`: re-encoded layers) go straight to `base`'s staging.
public final class DocumentOverlay: BlobStore {
    /// Where everything ends up.
    public let base: any BlobStore
    /// Where held-back blobs are read from (a load plan's staged documents, the layout a
    /// copy reads from), first match wins.
    public let sources: [any BlobSource]
    private var memory: [Digest: [UInt8]] = [:]

    public init(base: any BlobStore, sources: [any BlobSource]) {
        self.base = base
        self.sources = sources
    }

    private func source(of d: Digest) -> (any BlobSource)? {
        sources.first { $0.blobSize(d) != nil }
    }

    public func blobSize(_ d: Digest) -> Int64? {
        if let m = memory[d] { return Int64(m.count) }
        return base.blobSize(d) ?? source(of: d)?.blobSize(d)
    }

    public func hasBlob(_ d: Digest) -> Bool { blobSize(d) != nil }

    public func hasCheckedBlob(_ d: Digest, size: Int64) -> Bool { base.hasCheckedBlob(d, size: size) }
    public func recordChecked(_ d: Digest, hashStart: timespec) { base.recordChecked(d, hashStart: hashStart) }

    public func readBlob(_ d: Digest, limit: Int) throws -> [UInt8] {
        if let m = memory[d] {
            guard m.count <= limit else { throw LayoutError(.tooLarge, "blob \(d) is larger than \(limit) bytes") }
            return m
        }
        if base.hasBlob(d) { return try base.readBlob(d, limit: limit) }
        guard let s = source(of: d) else { throw LayoutError(.blobNotFound, "blob \(d) not found") }
        return try s.readBlob(d, limit: limit)
    }

    public func newBlob(sizeHint: Int64?) throws -> any BlobStaging { try base.newBlob(sizeHint: sizeHint) }

    /// Keeps a document in memory until `settle`.
    @discardableResult
    public func putBlob(_ bytes: [UInt8]) throws -> Digest {
        let d = Digest.sha256(of: bytes)
        if !base.hasBlob(d) { memory[d] = bytes }
        return d
    }

    public func chunks(of d: Digest) throws -> ChunkSource {
        if let m = memory[d] { return BytesSource(m) }
        if base.hasBlob(d) { return try base.chunks(of: d) }
        if let s = source(of: d) {
            if let store = s as? any BlobStore { return try store.chunks(of: d) }
            return BytesSource(try s.readBlob(d, limit: DocumentLimits.manifest))
        }
        throw LayoutError(.blobNotFound, "blob \(d) not found")
    }

    /// Installs into `base` every blob the trees of `tops` reach that it lacks (an
    /// index's children found nowhere are left out: a sparse index), blobs before the
    /// manifests that name them, manifests before indexes, an index after its children.
    /// - Throws: `LayoutError.invalidDocument` for a document that cannot be read,
    ///   `.digestMismatch`/`.sizeMismatch` for a source blob that is not what its
    ///   descriptor says, and what writing `base` throws.
    public func settle(_ tops: [Descriptor]) throws {
        var order: [Descriptor] = []
        var children: [Digest: [Digest]] = [:]
        var walk = DescriptorWalk(source: self)
        walk.absent = { _ in }
        try walk.visit(tops, document: { node, doc in
            if case .index(let idx, _) = doc { children[node.descriptor.digest] = idx.manifests.map(\.digest) }
        }) { node in
            if case .subject = node.role { return .skip }
            order.append(node.descriptor)
            return .descend
        }
        for d in order where !MediaType.isWalkable(d.mediaType) { try bring(d) }
        for d in order where MediaType.isWalkable(d.mediaType) && !MediaType.isIndex(d.mediaType) { try bring(d) }
        var pending = order.filter { MediaType.isIndex($0.mediaType) && !base.hasBlob($0.digest) }
        while !pending.isEmpty {
            let ready = pending.filter { d in children[d.digest, default: []].allSatisfy { base.hasBlob($0) || !hasBlob($0) } }
            // Digests cannot form a cycle; an index left here names itself through a
            // child nothing could install, which `bring` reports.
            for d in ready.isEmpty ? pending : ready { try bring(d) }
            let done = Set((ready.isEmpty ? pending : ready).map(\.digest))
            pending.removeAll { done.contains($0.digest) }
        }
        memory.removeAll()
    }

    /// Copies one blob into `base` unless it is there or found nowhere.
    private func bring(_ d: Descriptor) throws {
        let digest = d.digest
        guard !base.hasBlob(digest) else { return }
        func put(_ bytes: [UInt8]) throws {
            let got = try base.putBlob(bytes)
            if got != digest { throw LayoutError(.digestMismatch, "blob \(digest): content has digest \(got)") }
        }
        if let m = memory[digest] { return try put(m) }
        guard let s = source(of: digest), let size = s.blobSize(digest) else { return }
        if size <= Int64(DocumentLimits.manifest), !(s is any BlobStore) || MediaType.isWalkable(d.mediaType) {
            return try put(try s.readBlob(digest, limit: DocumentLimits.manifest))
        }
        guard let store = s as? any BlobStore else { throw LayoutError(.blobNotFound, "blob \(digest) not found") }
        try base.copyBlob(digest, size: size, from: store)
    }
}
