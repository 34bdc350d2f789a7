import Foundation
import ImageLayout
import ImageSpec

extension ImageService {
    /// Adds filesystem tarballs as layers on top of an image (crane's `append`), offline.
    ///
    /// Each tarball is a layer: it may hold whiteout markers (`.wh.NAME`, `.wh..wh..opq`,
    /// image-spec layer.md "Whiteouts") that delete files of the layers below, as crane's
    /// and umoci's appended layers may. It is checked as unpacking checks a layer and
    /// stored as `import` stores it (`options.compression`:
    /// `keep` stores gzip and zstd as they are, anything else becomes gzip); each gets a
    /// history entry (`created_by` `lading append`, comment `options.message` or
    /// `Appended from FILE`). The config keeps everything else; `options.changes` apply to
    /// it; `options.platform` is not used. `created` is now, or `SOURCE_DATE_EPOCH`.
    /// - Parameters:
    ///   - paths: the tarballs, lowest first; `-` (once) for standard input.
    /// - Returns: the new image's ID (manifest digest).
    /// - Throws: what `resolve` throws for an unknown image (before any tarball is read);
    ///   what `importTarball` throws for a tarball, naming it. Nothing is written then.
    public func append(_ name: String, layers paths: [String], options: ImportOptions) throws -> Digest {
        if let r = options.reference { _ = try Self.newImageName(r, verb: "append") }
        guard !paths.isEmpty else { throw LadingError(.invalidArgument, "append needs at least one layer tarball") }
        guard paths.filter({ $0 == "-" }).count <= 1 else {
            throw LadingError(.invalidArgument, "standard input (-) can be given once")
        }
        let image = try resolve(name)
        let d = try details(of: image)
        var builder = try ImageBuilder(manifest: d.manifest, rawConfig: try layout.readBlob(d.configDigest))
        let now = try ImageBuilder.timestamp()
        var staged: [any StagedContent] = []
        for path in paths {
            let layer = try stageTarball(path: path, options: options, whiteouts: true)
            staged.append(layer.staged)
            builder.append(layer: layer.descriptor, diffID: layer.diffID)
            builder.history = builder.history + [["created": now, "created_by": "lading append",
                                                  "comment": options.message ?? "Appended from \(path)"]]
        }
        builder.config["created"] = now
        try applyChanges(options.changes, to: &builder)
        return try record(builder, reference: options.reference, verb: "append", staged: staged)
    }
}
