import ImageLayout
import ImageSpec
import TarArchive

/// Reads the images of a docker-save `manifest.json` (Docker 1.10–24 and 25+,
/// skopeo's variant with `<hex>.tar` files and `layer.tar` symlinks), synthesizing one
/// OCI image manifest per entry (as Docker 25+ save does; OCI rather than Docker schema 2
/// so that every OCI tool, umoci included, reads the store). Layer blobs are kept as
/// they are, with the OCI layer type of their compression; foreign layers keep the
/// descriptor `LayerSources` gives.
enum DockerArchiveReader {
    static func read(_ files: TarballFiles, platform: Platform? = nil) throws -> LoadPlan {
        let src = files.sourceName
        let bytes = try files.readDocument("manifest.json", limit: DocumentLimits.topLevel)
        let entries = try JSON.decode([DockerSaveManifestEntry]?.self, from: bytes, what: "\(src): manifest.json")
        guard let entries else {
            throw TransportError(.invalidManifest, "\(src): manifest.json is null")
        }
        let plan = LoadPlan()
        for (i, entry) in entries.enumerated() {
            let what = "manifest.json entry \(i)"
            let cfg = try stage(files, entry.config, what: "\(what) Config")
            if entry.config.hasPrefix("blobs/"), let named = try? Digest(parsing: entry.config.dropFirst(6).replacingOccurrences(of: "/", with: ":")), named != cfg.digest {
                throw TransportError(.layerMismatch, "\(src): \(entry.config) has digest \(cfg.digest), expected \(named)")
            }
            let cfgBytes = try files.readDocument(entry.config, limit: DocumentLimits.manifest)
            let config = try JSON.decode(ImageConfig.self, from: cfgBytes, what: "\(src): \(entry.config)")
            if let platform, !config.os.isEmpty, !PlatformMatcher.only(platform).matches(config.platform) {
                throw TransportError(.notFound, "\(src): \(what) is \(config.platform), not \(platform)")
            }
            var staged: [StagedFile?] = []
            var descriptors: [Descriptor] = []
            try LayerCheck.rootfsType(config, source: src, what: what)
            guard entry.layers.count == config.rootfs.diffIDs.count else {
                throw TransportError(.layerMismatch, "\(src): \(what) has \(entry.layers.count) layers but its config lists \(config.rootfs.diffIDs.count) diff IDs")
            }
            for (j, path) in entry.layers.enumerated() {
                let diffID = config.rootfs.diffIDs[j]
                if !files.contains(path), let foreign = entry.layerSources?[diffID.description], MediaType.isNonDistributable(foreign.mediaType) {
                    staged.append(nil)
                    descriptors.append(foreign)
                    continue
                }
                let s = try stage(files, path, what: "\(what) layer \(j)")
                staged.append(s)
                descriptors.append(Descriptor(mediaType: "", digest: s.digest, size: s.size))
            }
            try LayerCheck.diffIDs(layers: zip(entry.layers, staged).map { ($0.0, $0.1) }, diffIDs: config.rootfs.diffIDs, source: src, what: what)
            for (j, s) in staged.enumerated() {
                guard let s else { continue }
                descriptors[j].mediaType = try layerMediaType(s, source: src, what: "\(what) layer \(j) (\(entry.layers[j]))")
                plan.blobs[s.digest] = s
            }
            plan.blobs[cfg.digest] = cfg
            let desc = try manifest(in: plan, config: config, at: Descriptor(mediaType: MediaType.ociConfig, digest: cfg.digest, size: cfg.size), layers: descriptors)
            var names: [Reference] = []
            for tag in entry.repoTags ?? [] {
                guard let r = try? Reference(parsing: tag), r.tag != nil, r.digest == nil else {
                    throw TransportError(.invalidName, "\(src): \(what): invalid tag \"\(tag)\"")
                }
                if !names.contains(r) { names.append(r) }
            }
            plan.images.append(ImageRecord(descriptor: desc, names: names))
        }
        return plan
    }

    /// The OCI layer type of a staged layer, by its compression.
    /// - Throws: `TransportError.unsupported` for xz and bzip2, naming `what`.
    static func layerMediaType(_ s: StagedFile, source: String, what: String) throws -> String {
        switch s.compression {
        case .none: return MediaType.ociLayer
        case .gzip: return MediaType.ociLayerGzip
        case .zstd: return MediaType.ociLayerZstd
        case .xz, .bzip2:
            throw TransportError(.unsupported, "\(source): \(what) is \(s.compression)-compressed; layers must be uncompressed, gzip or zstd")
        }
    }

    /// Synthesizes the OCI image manifest of `config` and `layers` into `plan.generated`.
    /// - Returns: its descriptor, with the config's platform when it names one.
    static func manifest(in plan: LoadPlan, config: ImageConfig, at configDescriptor: Descriptor, layers: [Descriptor]) throws -> Descriptor {
        let manifest = ImageManifest(mediaType: MediaType.ociManifest, config: configDescriptor, layers: layers)
        let mbytes = try JSON.encode(manifest)
        let md = Digest.sha256(of: mbytes)
        plan.generated[md] = mbytes
        var desc = Descriptor(mediaType: MediaType.ociManifest, digest: md, size: Int64(mbytes.count))
        if !config.os.isEmpty && !config.architecture.isEmpty { desc.platform = config.platform }
        return desc
    }

    private static func stage(_ files: TarballFiles, _ path: String, what: String) throws -> StagedFile {
        do {
            return try files.stage(path)
        } catch let e as TransportError where e.code == .missingEntry {
            throw TransportError(.missingEntry, "\(files.sourceName): \(what): \(path) is not in the archive")
        }
    }
}
