import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// Re-encodes an image's layers into another compression inside a blob store (a layout,
/// or a tarball being written), keeping
/// every diff ID, and rewrites the manifests and indexes that point at changed
/// layers (only those). Foreign layers and blobs of other types are left as they are.
final class Recompressor {
    let layout: any BlobStore
    let target: MediaType.LayerCompression
    let level: Int?
    /// Layers the loader already re-encoded (source digest → new blob), verified
    /// against their diff IDs on the way: only their descriptors change here.
    let recoded: [Digest: (digest: Digest, size: Int64, compression: Compression)]
    /// Where layers not copied into `layout` are read from (the store, for a copy out of
    /// it: a layer to re-encode is read there once rather than copied first).
    let source: OCILayout?
    init(layout: any BlobStore, target: MediaType.LayerCompression, level: Int?,
         recoded: [Digest: (digest: Digest, size: Int64, compression: Compression)] = [:], source: OCILayout? = nil) {
        self.layout = layout
        self.target = target
        self.level = level
        self.recoded = recoded
        self.source = source
    }

    /// True when a layer of this type is re-encoded whatever its bytes say.
    static func recodes(_ mediaType: String, into target: MediaType.LayerCompression) -> Bool {
        MediaType.isLayer(mediaType) && !MediaType.isNonDistributable(mediaType)
            && MediaType.layerCompression(mediaType).map { $0 != target } ?? false
    }

    /// The store holding the layer: `layout`, else `source`.
    private func store(of digest: Digest) -> (any BlobStore)? {
        if layout.hasBlob(digest) { return layout }
        if let source, source.hasBlob(digest) { return source }
        return nil
    }

    /// - Parameter moved: manifests already rewritten (old digest → new), for the
    ///   `subject` of a referrer manifest.
    /// - Returns: the descriptor to use in place of `d` (itself when nothing changed).
    func rewrite(_ d: Descriptor, moved: [Digest: Digest] = [:]) throws -> Descriptor {
        if MediaType.isIndex(d.mediaType) {
            var idx = try JSON.decode(ImageIndex.self, from: try layout.readBlob(d.digest, limit: DocumentLimits.manifest), what: "index \(d.digest)")
            var changed = false
            var moved: [Digest: Digest] = [:]
            // Images first, then what refers to them: buildkit's attestation manifests name
            // their image in `vnd.docker.reference.digest`, OCI referrers in `subject`.
            let referrers = Set(idx.manifests.indices.filter { idx.manifests[$0].annotations?[AnnotationKey.referenceDigest] != nil })
            for i in idx.manifests.indices.filter({ !referrers.contains($0) }) + referrers.sorted() where layout.hasBlob(idx.manifests[i].digest) {
                let c = idx.manifests[i]
                var n = try rewrite(c, moved: moved)
                if let s = c.annotations?[AnnotationKey.referenceDigest], let old = try? Digest(parsing: s), let new = moved[old] {
                    n.annotations?[AnnotationKey.referenceDigest] = new.description
                }
                if n != c {
                    idx.manifests[i] = n
                    changed = true
                    if n.digest != c.digest { moved[c.digest] = n.digest }
                }
            }
            guard changed else { return d }
            return try put(idx, like: d)
        }
        guard MediaType.isManifest(d.mediaType) else { return d }
        var m = try JSON.decode(ImageManifest.self, from: try layout.readBlob(d.digest, limit: DocumentLimits.manifest), what: "manifest \(d.digest)")
        var changed = false
        if let s = m.subject, let new = moved[s.digest] {
            m.subject?.digest = new
            if let size = layout.blobSize(new) { m.subject?.size = size }
            changed = true
        }
        let docker = m.mediaType == MediaType.dockerManifest && target != .zstd
        let diffIDs = MediaType.isConfig(m.config.mediaType)
            ? (try? JSON.decode(ImageConfig.self, from: try layout.readBlob(m.config.digest, limit: DocumentLimits.manifest), what: "config"))?.rootfs.diffIDs ?? []
            : []
        for (i, l) in m.layers.enumerated() where MediaType.isLayer(l.mediaType) && !MediaType.isNonDistributable(l.mediaType) {
            if let r = recoded[l.digest], r.compression.rawValue == target.rawValue {
                m.layers[i] = retyped(l, digest: r.digest, size: r.size, docker: docker)
                changed = true
                continue
            }
            guard store(of: l.digest) != nil else { throw LayoutError(.blobNotFound, "layer \(i) (\(l.digest)) is missing") }
            let current = MediaType.layerCompression(l.mediaType) ?? sniff(l.digest)
            guard current != target else { continue }
            m.layers[i] = try reencode(l, index: i, docker: docker, diffID: i < diffIDs.count ? diffIDs[i] : nil)
            changed = true
        }
        guard changed else { return d }
        if m.mediaType == MediaType.dockerManifest && !docker {
            m.mediaType = MediaType.ociManifest
            m.config.mediaType = MediaType.ociConfig
        }
        return try put(m, like: d)
    }

    private func put<T: Encodable>(_ doc: T, like d: Descriptor) throws -> Descriptor {
        let bytes = try JSON.encode(doc)
        var n = d
        n.digest = try layout.putBlob(bytes)
        n.size = Int64(bytes.count)
        if let m = doc as? ImageManifest, let t = m.mediaType { n.mediaType = t }
        n.data = nil
        return n
    }

    private func sniff(_ digest: Digest) -> MediaType.LayerCompression {
        guard let src = try? store(of: digest)?.chunks(of: digest) else { return .none }
        let magic = withExtendedLifetime(src) { (try? src.nextChunk()).map { Array($0.prefix(8)) } ?? [] }
        switch Compression.detect(magic: magic) {
        case .gzip: return .gzip
        case .zstd: return .zstd
        default: return .none
        }
    }

    private func reencode(_ l: Descriptor, index: Int, docker: Bool, diffID: Digest?) throws -> Descriptor {
        guard let from = store(of: l.digest) else { throw LayoutError(.blobNotFound, "layer \(index) (\(l.digest)) is missing") }
        let reader = try TarReader(.chunks(try from.chunks(of: l.digest)), mode: .raw, name: "layer \(index) (\(l.digest))")
        let blob = try layout.newBlob(sizeHint: nil)
        var content = StreamDigester()
        // Decompression and hashing here, compression on other threads.
        let encoder = try StreamEncoder(Compression(rawValue: target.rawValue) ?? .none, level: level, downstream: blob, name: "layer compressor")
        do {
            if try reader.next() != nil {
                try reader.forEachChunk { chunk in
                    content.update(chunk)
                    try encoder.write(chunk)
                }
            }
            try encoder.finish()
        } catch {
            encoder.abort()
            blob.abort()
            throw error
        }
        let actual = Digest(sha256Hex: content.finalizeHex())
        if let diffID, actual != diffID {
            blob.abort()
            throw LayoutError(.digestMismatch, "layer \(index) (\(l.digest)) has uncompressed digest \(actual) but the config's diff ID is \(diffID)")
        }
        let staged = try layout.commit(blob, expected: nil, expectedSize: nil, what: "recompressed layer \(index)")
        return retyped(l, digest: staged.digest, size: staged.size, docker: docker)
    }

    /// `l` pointing at its re-encoding.
    private func retyped(_ l: Descriptor, digest: Digest, size: Int64, docker: Bool) -> Descriptor {
        let type: String
        switch (docker, target) {
        case (true, .gzip): type = MediaType.dockerLayerGzip
        case (true, _): type = MediaType.dockerLayer
        default: type = MediaType.ociLayer(target)
        }
        var n = l
        n.mediaType = type
        n.digest = digest
        n.size = size
        n.annotations?["containerd.io/uncompressed"] = nil
        return n
    }
}
