import Foundation
import ImageLayout
import ImageSpec
import ImageTransport

/// What `load` did for one image.
public struct LoadedImageReport: Sendable {
    public var id: Digest
    public var names: [Reference]
    /// Names that were taken from other images (docker prints a line for each).
    public var renamed: [RenamedImage] = []
}

extension ImageService {
    /// Loads every image of a docker-save tarball, oci-archive or OCI layout directory
    /// (`-` reads standard input; the tarball may be gzip, zstd, xz or bzip2 compressed).
    ///
    /// One streaming pass over the input: each blob is copied into the store's ingest
    /// area while its digest (and, compressed, its content's digest) is computed. Every
    /// blob's digest and size and every layer's diff ID are verified before anything is
    /// installed; names are applied last, under the store lock (a name that pointed at
    /// another image moves to the loaded one, and that image stays, unnamed, when no
    /// other name refers to it).
    ///
    /// Formats: docker-save (legacy and Docker 25+), oci-archive, and OCI image layouts
    /// (image-spec image-layout.md, image-index.md, manifest.md); names come from
    /// `io.containerd.image.name`, else a full-reference `org.opencontainers.image.ref.name`
    /// (annotations.md). With `monitor` set, progress is the bytes staged in the store's
    /// ingest area (blob bytes, plus a legacy archive's per-layer files), and a cancelled
    /// load throws `CancellationError` with the store as it was.
    /// - Parameters:
    ///   - path: a file, a directory, or `-` for standard input.
    ///   - options: `baseName`, `platform`, `maxBlobSize` (bytes, decompressed).
    /// - Returns: one report per image, in archive order, plus warnings.
    /// - Throws: the first inconsistency found, naming the entry or digest
    ///   (`TransportError`, `LayoutError`, `ArchiveError`, `SpecError`;
    ///   `LadingError(error)` gives one type); the store is unchanged then.
    public func load(path: String, options: LoadOptions = .init()) throws -> (images: [LoadedImageReport], warnings: [String]) {
        let r = try loadCounting(path: path, options: options)
        return (r.images, r.warnings)
    }

    /// `load`, also saying how many blobs were written and how many the store had.
    public func loadCounting(path: String, options: LoadOptions = .init()) throws
        -> (images: [LoadedImageReport], warnings: [String], blobs: LoadPlan.Installed) {
        let plan = try ImageLoader.read(path: path, into: layout, options: options)
        try plan.sync()
        var reports = plan.images.map { LoadedImageReport(id: $0.descriptor.digest, names: $0.names) }
        var installed = LoadPlan.Installed()
        // A failed install or index write removes the blobs this load added, under the
        // lock (nobody else can have named them): the store is as it was.
        try layout.updateNames(undo: { for d in plan.installedNew { unlink(layout.blobPath(d)) } }) { table in
            // Installed under the lock so a concurrent garbage collection never sees
            // these blobs unreferenced.
            installed = try plan.install(into: layout)
            for (i, image) in plan.images.enumerated() {
                // Bare tags name nothing in the store (`--base-name` makes names of them).
                reports[i].renamed = table.add(ImageRecord(descriptor: image.descriptor, names: image.names))
            }
        }
        return (reports, plan.warnings, installed)
    }
}
