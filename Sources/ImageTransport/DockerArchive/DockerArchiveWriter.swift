import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// Writes images from a layout as a Docker 25+ docker-save tarball (or, without the
/// docker files, an oci-archive): `oci-layout`,
/// `index.json` (both name annotations on each named descriptor), `manifest.json`,
/// `repositories` and `blobs/sha256/…`, each blob once, entries sorted by name (a delta's
/// `excluded-blobs.json` first) with
/// fixed headers (uid/gid 0, mtime 0, blobs 0444, documents 0644, directories 0755), so
/// the same images always give the same bytes. Blobs are streamed from the layout.
public enum DockerArchiveWriter {
    /// - Parameters:
    ///   - items: the images, in order.
    ///   - layout: where the blobs are.
    ///   - written: blobs whose entries the output holds already, after the `blobs/` and
    ///     `blobs/sha256/` directory entries (a `TarSpool`); the archive goes on from there.
    ///   - verify: hash each blob as it is written and fail on one whose bytes are not its
    ///     digest (`LayoutError.digestMismatch`): blobs read in place from the store, which
    ///     nothing else checks on the way out.
    ///   - platform: picks the manifest `manifest.json` lists for an index (docker's
    ///     "all platforms, this machine's preferred").
    ///   - sink: receives the tar stream.
    ///   - exclude: layer blobs to leave out (a delta archive, `save --exclude-from`):
    ///     they need not be in `layout`, and the archive lists them in
    ///     `excluded-blobs.json` (`ExcludedBlobs`); indexes, manifests, configs and any
    ///     blob that is not only a layer are always written.
    /// - Returns: the blobs left out (empty without `exclude`).
    /// - Throws: `LayoutError.blobNotFound` naming the digest of a missing blob.
    @discardableResult
    public static func write(_ items: [ImageRecord], from layout: any BlobStore, sink: ByteSink, dockerFiles: Bool = true,
                             written: Set<Digest>? = nil, platform: PlatformMatcher = .allPreferring(.host),
                             verify: Bool = false, exclude: Set<Digest> = []) throws -> ExcludedBlobs {
        var blobs: [Digest: Int64] = [:]
        var entries: [DockerSaveManifestEntry] = []
        var entryIndex: [Digest: Int] = [:]
        var repositories: DockerRepositories = [:]
        var indexDescriptors: [Descriptor] = []
        var excluded: [Digest: Descriptor] = [:]

        // Every blob the images need, each once; an index's absent children are left out
        // (a sparse index), as are foreign layers; subjects are not followed.
        var walk = DescriptorWalk(source: layout)
        walk.absent = { _ in }
        try walk.visit(items.map(\.descriptor)) { node in
            let d = node.descriptor
            if case .subject = node.role { return .skip }
            if case .layer = node.role, exclude.contains(d.digest) {
                excluded[d.digest] = Descriptor(mediaType: d.mediaType, digest: d.digest, size: d.size)
                return .skip
            }
            guard let size = layout.blobSize(d.digest) else {
                if case .child = node.role { return .skip }
                if MediaType.isNonDistributable(d.mediaType) { return .skip }
                throw LayoutError(.blobNotFound, "blob \(d.digest) (\(d.mediaType)) is missing from the store")
            }
            blobs[d.digest] = size
            return .descend
        }

        // A blob some image needs as more than a layer is written.
        excluded = excluded.filter { blobs[$0.key] == nil }
        for item in items {
            var plain = item
            plain.descriptor.annotations = nil
            // An oci-archive keeps names as another tool wrote them; a docker archive's
            // index.json names images as docker writes it.
            indexDescriptors += plain.entries(asWritten: !dockerFiles)
            // manifest.json lists images: other entries (artifacts' descriptors) are in
            // index.json only.
            guard dockerFiles, MediaType.isIndex(item.descriptor.mediaType) || MediaType.isManifest(item.descriptor.mediaType) else { continue }
            var target = item.descriptor
            if MediaType.isIndex(target.mediaType) {
                guard let chosen = try layout.manifest(for: platform, of: target), MediaType.isManifest(chosen.mediaType) else {
                    // An index of no platform at all (an empty one, a referrers index of
                    // artifacts) has no image for manifest.json: it is kept in index.json.
                    let idx = try JSON.decode(ImageIndex.self, from: try layout.readBlob(target.digest, limit: DocumentLimits.manifest), what: "index \(target.digest)")
                    if !idx.manifests.contains(where: { $0.platform != nil }) { continue }
                    let names = item.names.map(\.description) + item.bareTags
                    throw LayoutError(.blobNotFound, "index \(target.digest)\(names.isEmpty ? "" : " (\(names.joined(separator: ", ")))") has no manifest for this machine's platform: choose one with --platform")
                }
                target = chosen
            }
            try addEntry(for: target, names: item.names)
        }

        func addEntry(for target: Descriptor, names: [Reference]) throws {
            let m = try JSON.decode(ImageManifest.self, from: try layout.readBlob(target.digest, limit: DocumentLimits.manifest), what: "manifest \(target.digest)")
            // manifest.json and repositories hold tags; a digested name is in index.json only.
            let tagged = names.filter { $0.tag != nil && $0.digest == nil }
            let tags = tagged.map(\.familiarString)
            if let k = entryIndex[target.digest] {
                var e = entries[k]
                e.repoTags = (e.repoTags ?? []) + tags.filter { !(e.repoTags ?? []).contains($0) }
                entries[k] = e
                return
            }
            guard MediaType.isConfig(m.config.mediaType) else { return }
            var e = DockerSaveManifestEntry(config: m.config.digest.blobPath, repoTags: tags.isEmpty ? nil : tags,
                                            layers: m.layers.map(\.digest.blobPath))
            if m.layers.contains(where: { MediaType.isNonDistributable($0.mediaType) }) {
                let cfg = try JSON.decode(ImageConfig.self, from: try layout.readBlob(m.config.digest, limit: DocumentLimits.manifest), what: "config \(m.config.digest)")
                var sources: [String: Descriptor] = [:]
                for (i, l) in m.layers.enumerated() where MediaType.isNonDistributable(l.mediaType) && i < cfg.rootfs.diffIDs.count {
                    sources[cfg.rootfs.diffIDs[i].description] = l
                }
                e.layerSources = sources
            }
            entryIndex[target.digest] = entries.count
            entries.append(e)
            if let top = m.layers.last {
                for n in tagged { repositories[n.familiarName, default: [:]][n.tag ?? "latest"] = top.digest.encoded }
            }
        }

        let w = try TarWriter(sink: sink, name: "docker archive")
        func doc(_ name: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws {
            try w.writeHeader(TarEntry(path: name, kind: .regular, size: Int64(bytes.count), permissions: mode))
            try w.write(bytes)
        }
        // A delta's record comes first, so a loader checks the destination while the
        // blobs stream past.
        let record = ExcludedBlobs(blobs: Array(excluded.values))
        if written == nil && !record.blobs.isEmpty { try doc(ExcludedBlobs.fileName, try JSON.encode(record)) }
        if written == nil { try w.writeHeader(TarEntry(path: "blobs", kind: .directory, permissions: 0o755)) }
        let algorithms = Set(blobs.keys.map(\.algorithm)).sorted()
        for alg in algorithms {
            if written == nil { try w.writeHeader(TarEntry(path: "blobs/\(alg)", kind: .directory, permissions: 0o755)) }
            for (d, size) in blobs.filter({ $0.key.algorithm == alg }).sorted(by: { $0.key < $1.key }) where written?.contains(d) != true {
                try w.writeHeader(TarEntry(path: d.blobPath, kind: .regular, size: size, permissions: 0o444))
                var hash = StreamDigester()
                try layout.forEachChunk(of: d) { chunk in
                    if verify { hash.update(chunk) }
                    try w.write(chunk)
                }
                if verify, case let actual = Digest(sha256Hex: hash.finalizeHex()), actual != d {
                    throw LayoutError(.digestMismatch, "blob \(d) is damaged in the store: its content has digest \(actual) (load the image again to repair it)")
                }
            }
        }
        if written != nil && !record.blobs.isEmpty { try doc(ExcludedBlobs.fileName, try JSON.encode(record)) }
        try doc("index.json", try JSON.encode(ImageIndex(manifests: indexDescriptors)))
        if dockerFiles { try doc("manifest.json", try JSON.encode(entries)) }
        try doc("oci-layout", try JSON.encode(OCILayoutHeader()), mode: 0o444)
        if dockerFiles && !repositories.isEmpty { try doc("repositories", try JSON.encode(repositories)) }
        try w.finish()
        return record
    }
}
