import ImageLayout
import ImageSpec
import ImageTransport

/// What `load` did for one image.
public struct LoadedImageReport: Sendable {
    public var id: Digest
    public var names: [Reference]
}

extension ImageService {
    /// Loads every image of a docker-save tarball, oci-archive or OCI layout directory
    /// (`-` reads standard input; the tarball may be gzip, zstd, xz or bzip2 compressed).
    ///
    /// One streaming pass over the input: each blob is copied into the store's ingest
    /// area while its digest (and, compressed, its content's digest) is computed. Every
    /// blob's digest and size and every layer's diff ID are verified before anything is
    /// installed; names are applied last, under the store lock (a name that pointed at
    /// another image moves to the loaded one).
    /// - Returns: one report per image, in archive order, plus warnings.
    /// - Throws: the first inconsistency found, naming the entry or digest; the store is
    ///   unchanged then.
    public func load(path: String, options: ImageLoader.Options = .init()) throws -> (images: [LoadedImageReport], warnings: [String]) {
        let plan = try ImageLoader.read(path: path, into: layout, options: options)
        try plan.sync()
        try layout.updateIndex { index in
            // Installed under the lock so a concurrent garbage collection never sees
            // these blobs unreferenced.
            try plan.install(into: layout)
            for image in plan.images {
                let desc = image.descriptor
                if image.names.isEmpty {
                    if !index.manifests.contains(where: { $0.digest == desc.digest }) {
                        index.manifests.append(desc.named(nil))
                    }
                    continue
                }
                for name in image.names {
                    index.manifests.removeAll { $0.storedName == name }
                    // An unnamed record of the same image is superseded by the name.
                    index.manifests.removeAll { $0.digest == desc.digest && $0.storedName == nil }
                    index.manifests.append(desc.named(name))
                }
            }
        }
        return (plan.images.map { LoadedImageReport(id: $0.descriptor.digest, names: $0.names) }, plan.warnings)
    }
}
