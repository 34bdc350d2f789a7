import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
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
    /// Refuse a layer whose decompressed content passes this many bytes (nil: no cap).
    let limit: Int64?
    init(layout: any BlobStore, target: MediaType.LayerCompression, level: Int?,
         recoded: [Digest: (digest: Digest, size: Int64, compression: Compression)] = [:], source: OCILayout? = nil, limit: Int64? = nil) {
        self.limit = limit
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

    /// The walk over manifests and indexes; one per copy, so a manifest shared by two
    /// names is re-encoded once.
    private lazy var tree = DescriptorRewrite(layout: layout) { [unowned self] m, _ in try self.recompress(&m) }

    /// - Returns: the descriptor to use in place of `d` (itself when nothing changed).
    func rewrite(_ d: Descriptor) throws -> Descriptor { try tree.rewrite(d) }

    /// Points `m` at re-encoded layers; true when any changed.
    private func recompress(_ m: inout ImageManifest) throws -> Bool {
        // An artifact (a config that is not an image config) keeps its blobs as they are,
        // as containers/image does: its digests may be signed.
        guard MediaType.isConfig(m.config.mediaType) else { return false }
        var changed = false
        let docker = m.mediaType == MediaType.dockerManifest && target != .zstd
        // Every re-encoded layer is checked against its diff ID: a config that cannot be
        // read stops the copy rather than skip the check.
        let config: ImageConfig
        do {
            config = try JSON.decode(ImageConfig.self, from: try layout.readBlob(m.config.digest, limit: DocumentLimits.manifest),
                                     what: "config \(m.config.digest)")
        } catch {
            throw LayoutError(.invalidDocument, "config \(m.config.digest) cannot be read; its layers are not re-encoded unchecked", cause: "\(error)")
        }
        let diffIDs = config.rootfs.diffIDs
        if !diffIDs.isEmpty && diffIDs.count != m.layers.count {
            throw LayoutError(.invalidDocument, "manifest has \(m.layers.count) layers but config \(m.config.digest) lists \(diffIDs.count) diff IDs")
        }
        for (i, l) in m.layers.enumerated() where MediaType.isLayer(l.mediaType) && !MediaType.isNonDistributable(l.mediaType) {
            if let r = recoded[l.digest], r.compression == Compression(target) {
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
        if changed && m.mediaType == MediaType.dockerManifest && !docker {
            m.mediaType = MediaType.ociManifest
            m.config.mediaType = MediaType.ociConfig
        }
        return changed
    }

    private func sniff(_ digest: Digest) -> MediaType.LayerCompression {
        store(of: digest).flatMap { Self.sniff(digest, in: $0) } ?? .none
    }

    /// The compression a blob's first bytes show (gzip, zstd, else none); nil when it
    /// cannot be read.
    static func sniff(_ digest: Digest, in store: any BlobStore) -> MediaType.LayerCompression? {
        guard let src = try? store.chunks(of: digest) else { return nil }
        let magic = withExtendedLifetime(src) { (try? src.nextChunk()).map { Array($0.prefix(8)) } }
        guard let magic else { return nil }
        switch Compression.detect(magic: magic) {
        case .gzip: return .gzip
        case .zstd: return .zstd
        default: return MediaType.LayerCompression.none
        }
    }

    private func reencode(_ l: Descriptor, index: Int, docker: Bool, diffID: Digest?) throws -> Descriptor {
        guard let from = store(of: l.digest) else { throw LayoutError(.blobNotFound, "layer \(index) (\(l.digest)) is missing") }
        let name = "layer \(index) (\(l.digest))"
        let out: (blob: any StagedContent, diffID: Digest, refusal: ArchiveError?)
        do {
            out = try LayerTranscoder(target: Compression(target), level: level, limit: limit)
                .run(try from.chunks(of: l.digest), compression: nil, into: layout, name: name)
        } catch let failure as LayerTranscoder.DecodeFailure {
            throw failure.error
        }
        if let refusal = out.refusal { throw refusal }
        if let diffID, out.diffID != diffID {
            throw LayoutError(.digestMismatch, "\(name) has uncompressed digest \(out.diffID) but the config's diff ID is \(diffID)")
        }
        try out.blob.install()
        return retyped(l, digest: out.blob.digest, size: out.blob.size, docker: docker)
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
