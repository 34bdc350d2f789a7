import Foundation
import ImageLayout
import ImageSpec

/// Docker schema 2 to OCI, for destinations that hold OCI documents only (`oci:` and
/// `oci-archive:`; skopeo's and umoci's `oci:` readers skip or refuse anything else), as
/// containers/image converts when it copies to its `oci:` transport, except that the
/// config keeps its bytes (and so its digest; the OCI config is the Docker config's
/// shape). Per image-spec media-types.md ("Compatibility Matrix"):
/// - a Docker manifest (by its descriptor or its own `mediaType`) becomes an OCI image
///   manifest: config type `application/vnd.oci.image.config.v1+json`, each Docker layer
///   type its OCI equivalent (`MediaType.ociLayerType(forDocker:actual:)`, with the
///   compression the blob's bytes show when it is present), digests, sizes, `urls` and
///   annotations unchanged;
/// - a Docker manifest list becomes an OCI image index, its present children converted.
/// OCI documents are left as they are unless a child changed; layers are never touched.
enum OCIConversion {
    /// A walk converting every tree it is given; share one across the images of a copy.
    static func tree(in layout: any BlobStore) -> DescriptorRewrite {
        DescriptorRewrite(layout: layout, manifest: { m, d in convert(&m, descriptor: d, in: layout) },
                     index: { idx, d in convert(&idx, descriptor: d) })
    }

    /// - Returns: true when `m` was a Docker schema 2 manifest, now OCI.
    static func convert(_ m: inout ImageManifest, descriptor d: Descriptor, in layout: any BlobStore) -> Bool {
        guard d.mediaType == MediaType.dockerManifest || m.mediaType == MediaType.dockerManifest else { return false }
        m.mediaType = MediaType.ociManifest
        if m.config.mediaType == MediaType.dockerConfig { m.config.mediaType = MediaType.ociConfig }
        for (i, l) in m.layers.enumerated() {
            let actual = layout.hasBlob(l.digest) ? Recompressor.sniff(l.digest, in: layout) : nil
            if let t = MediaType.ociLayerType(forDocker: l.mediaType, actual: actual) { m.layers[i].mediaType = t }
        }
        return true
    }

    /// - Returns: true when `idx` was a Docker manifest list, now an OCI index.
    static func convert(_ idx: inout ImageIndex, descriptor d: Descriptor) -> Bool {
        guard d.mediaType == MediaType.dockerManifestList || idx.mediaType == MediaType.dockerManifestList else { return false }
        idx.mediaType = MediaType.ociIndex
        return true
    }
}
