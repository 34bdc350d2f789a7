import Foundation
import ImageLayout
import ImageSpec
import LayerChangeset

extension ImageService {
    /// Merges the layers above `parent` into one (moby's SquashImage, offline).
    ///
    /// `parent` is a layer count (`0`…n), a diff ID, or an image whose layers are a prefix
    /// of this image's; nil merges every layer. Layers at and below the parent stay byte
    /// identical; the config keeps everything but `rootfs` and `history`; history
    /// entries of the merged range become one entry.
    /// - Returns: the new image's ID.
    /// - Throws: `LadingError.invalidArgument` for a parent that is not a prefix.
    public func squash(_ name: String, parent: String?, options: BuildOptions) throws -> Digest {
        if let r = options.reference { _ = try Self.newImageName(r, verb: "squash") }
        let image = try resolve(name)
        let d = try details(of: image)
        let layers = d.manifest.layers
        let diffIDs = d.config.rootfs.diffIDs
        let keep = try parentLayerCount(parent, diffIDs: diffIDs)
        guard keep < layers.count else {
            throw LadingError(.invalidArgument, "nothing to squash: \(name) has \(layers.count) layers and the parent keeps \(keep)")
        }
        var lower: FileTree?
        if keep > 0 {
            let view = MergedView()
            for i in 0..<keep {
                let layer = try storeLayer(layers[i], index: i)
                try view.add(layer.reader)
                try layer.verified()
            }
            lower = view.tree
        }
        let writer = try LayerBlobWriter(layout: layout, compression: options.compression, level: options.compressionLevel,
                                         limit: options.maxLayerSize, name: "the squashed layer of \(name)")
        let (layer, diffID, staged): (Descriptor, Digest, any StagedContent)
        do {
            var opened: [StoreLayer] = []
            _ = try LayerSquasher().squash(count: layers.count - keep, open: { i in
                let layer = try self.storeLayer(layers[keep + i], index: keep + i)
                opened.append(layer)
                return layer.reader
            }, lower: lower, to: writer.tar)
            for layer in opened { try layer.verified() }
            (layer, diffID, staged) = try writer.finish()
        } catch {
            writer.abort()
            throw error
        }

        var builder = try ImageBuilder(manifest: d.manifest, rawConfig: try layout.readBlob(d.configDigest))
        builder.layers = Array(layers.prefix(keep))
        builder.diffIDs = diffIDs.prefix(keep).map(\.description)
        builder.append(layer: layer, diffID: diffID)
        // History: the entries up to and including the keep-th non-empty one stay;
        // the rest (the merged range) become one entry.
        var kept: [[String: Any]] = []
        var seen = 0
        if keep > 0 {
            for h in builder.history {
                kept.append(h)
                if !(h["empty_layer"] as? Bool ?? false) {
                    seen += 1
                    if seen == keep { break }
                }
            }
        }
        let now = try ImageBuilder.timestamp()
        var entry: [String: Any] = ["created": now, "created_by": "lading squash"]
        entry["comment"] = options.message ?? (keep == 0 ? "create new from \(image.id)" : "merge \(image.id) to \(diffIDs[keep - 1])")
        builder.history = kept + [entry]
        builder.config["created"] = now
        try applyChanges(options.changes, to: &builder)
        return try record(builder, reference: options.reference, verb: "squash", staged: [staged])
    }

    func parentLayerCount(_ parent: String?, diffIDs: [Digest]) throws -> Int {
        guard let parent else { return 0 }
        if let n = Int(parent) {
            guard (0...diffIDs.count).contains(n) else { throw LadingError(.invalidArgument, "--from \(parent): the image has \(diffIDs.count) layers") }
            return n
        }
        if let dg = try? Digest(parsing: parent), let i = diffIDs.firstIndex(of: dg) { return i + 1 }
        let p = try details(of: try resolve(parent)).config.rootfs.diffIDs
        guard p.count <= diffIDs.count, Array(diffIDs.prefix(p.count)) == p else {
            throw LadingError(.invalidArgument, "--from \(parent): its layers are not a prefix of the image's")
        }
        return p.count
    }
}
