import Foundation
import ImageLayout
import ImageSpec
import TarArchive

extension ImageCopier {
    /// Copies the blobs of an image tree from one layout into another, verifying each.
    /// - Parameter skipLayersTo: layers whose media type names another compression than
    ///   this are left where they are: the recompressor reads them there.
    func copyBlobs(of d: Descriptor, from src: OCILayout, to dst: any BlobStore, skipLayersTo: MediaType.LayerCompression? = nil) throws {
        guard (dst as? OCILayout)?.root != src.root, (dst as? ReadThroughStore)?.layout.root != src.root else { return }
        if let t = skipLayersTo, Recompressor.recodes(d.mediaType, into: t), src.hasBlob(d.digest) { return }
        guard src.hasBlob(d.digest) else {
            if MediaType.isNonDistributable(d.mediaType) { return }
            throw LayoutError(.blobNotFound, "blob \(d.digest) is missing from \(src.root)")
        }
        if !dst.hasBlob(d.digest) {
            let w = try dst.newBlob(sizeHint: d.size)
            let fd = open(src.blobPath(d.digest), O_RDONLY | O_CLOEXEC)
            defer { close(fd) }
            let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buf.deallocate() }
            while true {
                let n = Glibc.read(fd, buf.baseAddress, buf.count)
                if n < 0 { if errno == EINTR { continue }; throw ArchiveError.errno("cannot read blob \(d.digest)") }
                if n == 0 { break }
                try w.write(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
            }
            try dst.commit(w, expected: d.digest, expectedSize: d.size, what: "blob \(d.digest)")
        }
        if MediaType.isIndex(d.mediaType) {
            for c in try JSON.decode(ImageIndex.self, from: try src.readBlob(d.digest), what: "index \(d.digest)").manifests where src.hasBlob(c.digest) {
                try copyBlobs(of: c, from: src, to: dst, skipLayersTo: skipLayersTo)
            }
        } else if MediaType.isManifest(d.mediaType) {
            let m = try JSON.decode(ImageManifest.self, from: try src.readBlob(d.digest), what: "manifest \(d.digest)")
            try copyBlobs(of: m.config, from: src, to: dst)
            for l in m.layers { try copyBlobs(of: l, from: src, to: dst, skipLayersTo: skipLayersTo) }
        }
    }

    /// The manifest of `d` for `platform`: `d` itself unless it is an index, else the
    /// index's best match (nested indexes followed), as `skopeo copy` without `--all`
    /// picks one.
    /// - Throws: `LadingError.notFound` naming the index when no manifest matches.
    static func manifest(for platform: Platform, of d: Descriptor, in layout: any BlobStore) throws -> Descriptor {
        var top = d
        for _ in 0..<8 where MediaType.isIndex(top.mediaType) {
            var idx = try JSON.decode(ImageIndex.self, from: try layout.readBlob(top.digest, limit: DocumentLimits.manifest), what: "index \(top.digest)")
            idx.manifests = idx.manifests.filter { layout.hasBlob($0.digest) && !$0.isPseudoImage() }
            guard let m = PlatformMatcher.only(platform).bestManifest(in: idx) else {
                throw LadingError(.notFound, "index \(top.digest) has no manifest for \(platform)")
            }
            top = m
            top.annotations = nil
        }
        return top
    }
}
