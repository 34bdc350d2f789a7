import Foundation
import ImageSpec

/// `DescriptorWalk`'s rewrite mode: rewrites the documents of image trees inside a blob
/// store, children first (indexes nested at most `DescriptorWalk.maxDepth` deep): each manifest
/// present through `manifest`, then each index through `index` once its present children
/// are done. Only what changed is written again (a new blob; the old one is left for the
/// garbage collector): a manifest its step changed, an index its step changed or one of
/// whose children moved. Configs and layers are never touched here. A document met twice
/// (the same manifest under two names) is rewritten once. What refers to a manifest
/// follows it when it moves: buildkit's attestation entries (`vnd.docker.reference.digest`)
/// and the `subject` of OCI referrers met after it (an index's attestations are taken
/// after its images).
public final class DescriptorRewrite {
    public typealias ManifestStep = (inout ImageManifest, Descriptor) throws -> Bool
    public typealias IndexStep = (inout ImageIndex, Descriptor) throws -> Bool

    public let layout: any BlobStore
    private let manifestStep: ManifestStep
    private let indexStep: IndexStep
    /// Old digest → the document that replaced it (itself when nothing changed).
    private var done: [Digest: (digest: Digest, size: Int64, mediaType: String)] = [:]

    /// - Parameters:
    ///   - manifest: changes a manifest in place (its descriptor given for reference) and
    ///     returns true when it did.
    ///   - index: the same for an index, called after its children were rewritten.
    public init(layout: any BlobStore, manifest: @escaping ManifestStep, index: @escaping IndexStep = { _, _ in false }) {
        self.layout = layout
        self.manifestStep = manifest
        self.indexStep = index
    }

    /// - Returns: the descriptor to use in place of `d`: `d` itself when nothing under it
    ///   changed, else `d` with the new document's digest, size and media type (its
    ///   annotations and platform kept, embedded `data` dropped).
    /// - Throws: `LayoutError` or `SpecError` when a document cannot be read or decoded,
    ///   and whatever a step throws; `.invalidDocument` for indexes nested too deep.
    public func rewrite(_ d: Descriptor) throws -> Descriptor { try rewrite(d, depth: 0) }

    private func rewrite(_ d: Descriptor, depth: Int) throws -> Descriptor {
        if let r = done[d.digest] { return r.digest == d.digest ? d : moved(d, to: r) }
        guard depth <= DescriptorWalk.maxDepth else {
            throw LayoutError(.invalidDocument, "index \(d.digest): indexes nested more than \(DescriptorWalk.maxDepth) deep")
        }
        let n: Descriptor
        if MediaType.isIndex(d.mediaType) {
            n = try rewriteIndex(d, depth: depth)
        } else if MediaType.isManifest(d.mediaType) {
            var m = try JSON.decode(ImageManifest.self, from: try layout.readBlob(d.digest, limit: DocumentLimits.manifest), what: "manifest \(d.digest)")
            var changed = false
            if let s = m.subject, let r = done[s.digest], r.digest != s.digest {
                m.subject = moved(s, to: r)
                changed = true
            }
            if try manifestStep(&m, d) { changed = true }
            n = changed ? try put(m, like: d, mediaType: m.mediaType) : d
        } else {
            return d
        }
        done[d.digest] = (n.digest, n.size, n.mediaType)
        return n
    }

    private func rewriteIndex(_ d: Descriptor, depth: Int) throws -> Descriptor {
        var idx = try JSON.decode(ImageIndex.self, from: try layout.readBlob(d.digest, limit: DocumentLimits.manifest), what: "index \(d.digest)")
        var changed = false
        var movedTo: [String: String] = [:]
        let attestations = idx.manifests.indices.filter { idx.manifests[$0].annotations?[AnnotationKey.referenceDigest] != nil }
        let order = idx.manifests.indices.filter { !attestations.contains($0) } + attestations
        for i in order where layout.hasBlob(idx.manifests[i].digest) {
            let c = idx.manifests[i]
            let n = try rewrite(c, depth: depth + 1)
            guard n != c else { continue }
            idx.manifests[i] = n
            movedTo[c.digest.description] = n.digest.description
            changed = true
        }
        // buildkit's attestation manifests name the manifest they describe by digest.
        for i in idx.manifests.indices {
            if let s = idx.manifests[i].annotations?[AnnotationKey.referenceDigest], let to = movedTo[s] {
                idx.manifests[i].annotations?[AnnotationKey.referenceDigest] = to
                changed = true
            }
        }
        if try indexStep(&idx, d) { changed = true }
        return changed ? try put(idx, like: d, mediaType: idx.mediaType) : d
    }

    private func moved(_ d: Descriptor, to r: (digest: Digest, size: Int64, mediaType: String)) -> Descriptor {
        var n = d
        n.digest = r.digest
        n.size = r.size
        n.mediaType = r.mediaType
        n.data = nil
        return n
    }

    private func put<T: Encodable>(_ doc: T, like d: Descriptor, mediaType: String?) throws -> Descriptor {
        let bytes = try JSON.encode(doc)
        return moved(d, to: (try layout.putBlob(bytes), Int64(bytes.count), mediaType ?? d.mediaType))
    }
}
