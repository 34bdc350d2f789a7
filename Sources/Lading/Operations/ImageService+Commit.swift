import Foundation
import ConfigChanges
import ImageLayout
import ImageSpec
import LayerChangeset

/// Options for `commit` and `squash`: the new image's name, history and layer compression.
public struct BuildOptions: Sendable {
    public var reference: String?
    /// Dockerfile instructions for the config (`--change`).
    public var changes: [String] = []
    public var message: String?
    public var author: String?
    public var compression: MediaType.LayerCompression = .gzip
    public var compressionLevel: Int?
    /// Refuse a new layer whose tar stream passes this many bytes (checked as it is
    /// written; `TransportError.tooLarge`); nil: no cap.
    public var maxLayerSize: Int64?
    public init(reference: String? = nil) { self.reference = reference }
}

extension ImageService {
    /// Commits `directory` as a new layer on top of `base` (moby's CommitImage,
    /// offline): the layer holds exactly the differences between the base image's
    /// filesystem and the directory (whiteouts for deletions). `base` may be `scratch`.
    /// An empty difference adds no layer, only an `empty_layer` history entry. On
    /// `scratch` the image's platform is `platform` when set, else this machine's.
    /// The new layer is an OCI layer (image-spec layer.md: whiteouts, `.wh..wh..opq`),
    /// the config's `rootfs.diff_ids` and `history` extended (config.md). With
    /// `SOURCE_DATE_EPOCH` set, `created` is it and entry mtimes later than it are read
    /// and written as it: the same tree gives the same image wherever it is committed.
    /// - Returns: the new image's ID (manifest digest).
    /// - Throws: `LadingError.notFound` for an unknown base, `LayerError` naming a path of
    ///   `directory` that cannot be read or is a `.wh.` name, `ChangeError` for a bad
    ///   `--change` line, `TransportError.tooLarge` past `maxLayerSize`; nothing is named then.
    public func commit(base: String, directory: String, options: BuildOptions) throws -> Digest {
        if let r = options.reference { _ = try Self.newImageName(r, verb: "commit") }
        var builder: ImageBuilder
        var lower = FileTree()
        if base == "scratch" {
            // `--platform` names the new image's platform (else this machine's), so a
            // reproducible commit gives the same image on any machine.
            builder = ImageBuilder(platform: platform ?? Platform(os: "linux", architecture: Platform.host.architecture, variant: Platform.host.variant))
        } else {
            let image = try resolve(base)
            let d = try details(of: image)
            builder = try ImageBuilder(manifest: d.manifest, rawConfig: try layout.readBlob(d.configDigest))
            lower = try mergedTree(of: image)
        }
        let writer = try LayerBlobWriter(layout: layout, compression: options.compression, level: options.compressionLevel,
                                         limit: options.maxLayerSize, name: "the layer committed from \(directory)")
        let written: [Change]
        let (layer, diffID, staged): (Descriptor, Digest, any StagedContent)
        do {
            var changeset = ChangesetWriter()
            changeset.mtimeClamp = try ImageBuilder.sourceDateEpoch()
            written = try changeset.write(base: lower, directory: directory, to: writer.tar)
            (layer, diffID, staged) = try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        let now = try ImageBuilder.timestamp()
        var entry: [String: Any] = ["created": now, "created_by": "lading commit"]
        if let a = options.author { entry["author"] = a }
        if let m = options.message { entry["comment"] = m }
        if written.isEmpty {
            entry["empty_layer"] = true
        } else {
            builder.append(layer: layer, diffID: diffID)
        }
        builder.history = builder.history + [entry]
        builder.config["created"] = now
        if let a = options.author { builder.config["author"] = a }
        try applyChanges(options.changes, to: &builder)
        return try record(builder, reference: options.reference, verb: "commit", staged: written.isEmpty ? [] : [staged])
    }

    func applyChanges(_ changes: [String], to builder: inout ImageBuilder) throws {
        guard !changes.isEmpty else { return }
        let set = try ChangeSet(parsing: changes)
        let updated = try set.apply(to: try builder.containerConfig).omittingEmptyFields()
        try builder.setContainerConfig(updated)
    }

    /// Installs the staged layers, writes the builder's config and manifest, and names
    /// the image (an image the name is taken from stays, unnamed, when no other name
    /// refers to it), all under the layout lock.
    func record(_ builder: ImageBuilder, reference: String?, verb: String, staged: [any StagedContent]) throws -> Digest {
        let name = try reference.map { try Self.newImageName($0, verb: verb) }
        for s in staged { s.sync() }
        return try layout.updateNames { names in
            for s in staged { try s.install() }
            let desc = try builder.write(to: layout)
            names.add(ImageRecord(descriptor: desc, names: name.map { [$0] } ?? []))
            return desc.digest
        }
    }
}
