import ImageLayout
import ImageSpec

/// The read side of the image service over any `BlobSource`: the store, an `oci:`
/// layout read in place, or the documents of a tarball read in one pass
/// (`AddressView`). Only documents (indexes, manifests, configs) are read, never a layer.
public struct ImageReader {
    public let source: any BlobSource
    /// The platform to pick from a multi-platform image (containerd's `Only`
    /// matching); nil prefers this machine's platform among all.
    public var platform: Platform?

    public init(source: any BlobSource, platform: Platform? = nil) {
        self.source = source
        self.platform = platform
    }

    /// A document's bytes exactly as stored (digest checked), at most
    /// `DocumentLimits.manifest` bytes.
    /// - Throws: `LayoutError` `.blobNotFound`, `.tooLarge`, `.digestMismatch`.
    public func document(_ d: Digest) throws -> [UInt8] {
        try source.readBlob(d, limit: DocumentLimits.manifest)
    }

    /// The manifest `platform` picks from the image (the image's own descriptor when it
    /// is a manifest; the best present, non-pseudo child of an index).
    /// - Throws: `LadingError.notFound` naming the image and the platforms it has.
    public func chosenManifest(of image: ImageRecord) throws -> Descriptor {
        let target = image.descriptor
        guard MediaType.isIndex(target.mediaType) else { return target }
        // Only manifests present can be chosen (an index may be sparse).
        let matcher: PlatformMatcher = platform.map { .only($0) } ?? .allPreferring(.host)
        guard let chosen = try source.manifest(for: matcher, of: target) else {
            let available = source.platforms(of: target)
            throw LadingError(.notFound, "image \(image.id) has no manifest for \(platform.map(\.description) ?? "any platform") (present: \(available.joined(separator: ", ")))")
        }
        return chosen
    }

    /// Reads an image's manifest and config.
    /// - Throws: `LadingError.notFound` when no manifest is for `platform`; `LayoutError`
    ///   for a missing or corrupt blob, `SpecError` for a bad document.
    public func details(of image: ImageRecord) throws -> ImageDetails {
        let target = try chosenManifest(of: image)
        var size: Int64 = MediaType.isIndex(image.descriptor.mediaType) ? image.descriptor.size : 0
        let m = try JSON.decode(ImageManifest.self, from: try document(target.digest), what: "manifest \(target.digest)")
        let cfg = try JSON.decode(ImageConfig.self, from: try document(m.config.digest), what: "config \(m.config.digest)")
        if let platform, !MediaType.isIndex(image.descriptor.mediaType) {
            let p = target.platform ?? cfg.platform
            guard PlatformMatcher.only(platform).matches(p) else {
                throw LadingError(.notFound, "image \(image.id) is \(p), not \(platform)")
            }
        }
        size += target.size + m.config.size + m.layers.reduce(0) { $0 + $1.size }
        return ImageDetails(image: image, manifestDigest: target.digest, manifest: m, config: cfg, configDigest: m.config.digest, size: size)
    }

    /// The image's history, newest first, each non-empty entry matched with its layer.
    /// - Parameter name: the image as the user named it, for messages.
    /// - Throws: `LadingError.invalidArgument` when there are more non-empty entries than layers.
    public func history(of image: ImageRecord, name: String) throws -> [HistoryRow] {
        let d = try details(of: image)
        var rows: [HistoryRow] = []
        var layerIndex = 0
        let entries = d.config.history ?? []
        for h in entries {
            let empty = h.emptyLayer ?? false
            var size: Int64 = 0
            if !empty {
                guard layerIndex < d.manifest.layers.count else {
                    throw LadingError(.invalidArgument, "\(name): history has more non-empty entries than the image has layers (\(d.manifest.layers.count))")
                }
                size = d.manifest.layers[layerIndex].size
                layerIndex += 1
            }
            rows.append(HistoryRow(created: h.created, createdBy: h.createdBy ?? "", comment: h.comment ?? "", size: size, emptyLayer: empty))
        }
        if entries.isEmpty {
            for l in d.manifest.layers { rows.append(HistoryRow(created: nil, createdBy: "", comment: "", size: l.size, emptyLayer: false)) }
        }
        return rows.reversed()
    }

    /// Whether `image` is a pseudo-image, which `images` leaves out without `-a` (as
    /// the engine's image service does): every name of it a referrers tag
    /// (`isReferrerTag`); or its target an attestation, an `unknown/unknown` manifest, a
    /// manifest with layers none of which is a layer type, or one without layers whose
    /// config is no image config (an artifact: a signature, an SBOM); or an index none of
    /// whose children could be a real image (all pseudo); or an unnamed manifest with a
    /// `subject` (a referrer). A manifest or index that cannot
    /// be read is not judged one (it is listed, as before).
    /// - Parameter details: the image's details when already read: a manifest's is
    ///   judged from them, without reading it again.
    public func isPseudoImage(_ image: ImageRecord, details: ImageDetails? = nil) -> Bool {
        let tags = image.names.map { $0.tag ?? "" } + image.bareTags
        if !tags.isEmpty, tags.allSatisfy(Self.isReferrerTag) { return true }
        let d = image.descriptor
        if d.isPseudoImage() { return true }
        // An unnamed referrer (a `subject`: a signature, an SBOM attached to an image) is
        // metadata of the image it refers to, shown under it by `tree`.
        if let details, MediaType.isManifest(d.mediaType), details.manifestDigest == d.digest {
            return Self.isPseudoManifest(details.manifest, d) || (image.isDangling && details.manifest.subject != nil)
        }
        // One walk over the image's indexes and manifests: pseudo when the root was read
        // and no manifest met could be a real image (an absent or unreadable child could).
        var rootRead = false, real = false, referrer = false
        var walk = DescriptorWalk(source: source)
        walk.absent = { node in if case .root = node.role { return }; real = true }
        do {
            try walk.visit([d], unreadable: { node, _ in if case .root = node.role { return }; real = true }, document: { node, doc in
                if case .root = node.role {
                    rootRead = true
                    if image.isDangling, case .manifest(let m, _) = doc, m.subject != nil { referrer = true }
                }
                if case .manifest(let m, _) = doc, !Self.isPseudoManifest(m, node.descriptor) { real = true }
            }) { node in
                switch node.role {
                case .config, .layer, .subject: return .skip
                case .root: return .descend
                case .child:
                    let c = node.descriptor
                    return (MediaType.isIndex(c.mediaType) || MediaType.isManifest(c.mediaType)) && !c.isPseudoImage() ? .descend : .skip
                }
            }
        } catch {
            return false
        }
        return referrer || (rootRead && !real)
    }

    /// A manifest that is no runnable image: moby's rule (layers, none of a layer type),
    /// or no layers and a config that is no image config (an artifact).
    static func isPseudoManifest(_ m: ImageManifest, _ d: Descriptor) -> Bool {
        m.layers.isEmpty ? !MediaType.isConfig(m.config.mediaType) : d.isPseudoImage(manifest: m)
    }

    /// A tag that stands for what refers to a manifest rather than an image: the OCI
    /// referrers tag schema (`sha256-<64 hex>`, distribution-spec "Referrers Tag
    /// Schema") and cosign's `sha256-<64 hex>.sig`, `.att` and `.sbom`.
    public static func isReferrerTag(_ tag: String) -> Bool { referredDigest(ofTag: tag) != nil }

    /// The manifest digest a referrers tag names, and its cosign kind (`sig`, `att`,
    /// `sbom`; nil for a plain referrers tag).
    public static func referredDigest(ofTag tag: String) -> (digest: Digest, kind: String?)? {
        guard tag.hasPrefix("sha256-") else { return nil }
        let rest = tag.dropFirst(7)
        let hex = rest.prefix(64)
        guard hex.count == 64, let d = try? Digest(parsing: "sha256:\(hex)") else { return nil }
        let suffix = rest.dropFirst(64)
        if suffix.isEmpty { return (d, nil) }
        guard [".sig", ".att", ".sbom"].contains(suffix) else { return nil }
        return (d, String(suffix.dropFirst()))
    }
}
