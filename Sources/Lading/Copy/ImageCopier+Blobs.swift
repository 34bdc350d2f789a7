import Foundation
import ImageLayout
import ImageSpec
import TarArchive

extension ImageCopier {
    /// Copies the blobs of an image tree from one layout into another, verifying each;
    /// an index's children absent from `src` are left out (a sparse index).
    /// - Parameter skipLayersTo: layers whose media type names another compression than
    ///   this are left where they are: the recompressor reads them there.
    /// - Throws: `LayoutError.blobNotFound` naming a missing blob, `.invalidDocument` for a
    ///   document that cannot be read, and what writing `dst` throws.
    /// - Parameter documents: false leaves manifests and indexes out (a copy that rewrites
    ///   them reads them from `src` and installs the final ones: `DocumentOverlay`).
    func copyBlobs(of top: Descriptor, from src: OCILayout, to dst: any BlobStore, skipLayersTo: MediaType.LayerCompression? = nil,
                   documents: Bool = true) throws {
        guard (dst as? OCILayout)?.root != src.root, (dst as? ReadThroughStore)?.layout.root != src.root else { return }
        var walk = DescriptorWalk(source: src)
        walk.absent = { _ in }
        try walk.visit([top]) { node in
            let d = node.descriptor
            if case .subject = node.role { return .skip }
            guard src.hasBlob(d.digest) else {
                if case .child = node.role { return .skip }
                if MediaType.isNonDistributable(d.mediaType) { return .skip }
                throw LayoutError(.blobNotFound, "blob \(d.digest) is missing from \(src.root)")
            }
            if case .layer = node.role, let t = skipLayersTo, Recompressor.recodes(d.mediaType, into: t) { return .skip }
            let held = !documents && MediaType.isWalkable(d.mediaType)
            if !held, !dst.hasBlob(d.digest) { try copy(d, from: src, to: dst) }
            return .descend
        }
    }

    private func copy(_ d: Descriptor, from src: OCILayout, to dst: any BlobStore) throws {
        // Progress is counted where the bytes land (a layout's blob writer, an archive);
        // here only a cancellation is seen, between chunks.
        try dst.copyBlob(d.digest, size: d.size, from: src) { try monitor?.check() }
    }

    /// The manifest of `d` for `platform`: `d` itself unless it is an index, else the
    /// index's best match (nested indexes followed), as `skopeo copy` without `--all`
    /// picks one.
    /// - Throws: `LadingError.notFound` naming the index when no manifest matches.
    static func manifest(for platform: Platform, of d: Descriptor, in layout: any BlobStore) throws -> Descriptor {
        guard var top = try layout.manifest(for: .only(platform), of: d) else {
            throw LadingError(.notFound, "index \(d.digest) has no manifest for \(platform)")
        }
        if top.digest != d.digest { top.annotations = nil }
        return top
    }
}
