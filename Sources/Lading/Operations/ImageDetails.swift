import ImageLayout
import ImageSpec

/// What the store knows about one image: its manifest (for an index, the one chosen
/// for this platform), config, and content size.
public struct ImageDetails: Sendable {
    public var image: ImageRecord
    public var manifestDigest: Digest
    public var manifest: ImageManifest
    public var config: ImageConfig
    public var configDigest: Digest
    /// Bytes of index (if any), manifest, config and layers present in the store.
    public var size: Int64

    /// What can be said of an image whose manifest or config cannot be read (an artifact
    /// with a non-JSON config, say): its descriptor alone.
    public init(unreadable image: ImageRecord) {
        self.image = image
        manifestDigest = image.id
        manifest = ImageManifest(mediaType: image.descriptor.mediaType, config: image.descriptor, layers: [])
        config = ImageConfig(architecture: "", os: "", rootfs: RootFS(diffIDs: []))
        configDigest = image.id
        size = image.descriptor.size
    }

    init(image: ImageRecord, manifestDigest: Digest, manifest: ImageManifest, config: ImageConfig, configDigest: Digest, size: Int64) {
        self.image = image
        self.manifestDigest = manifestDigest
        self.manifest = manifest
        self.config = config
        self.configDigest = configDigest
        self.size = size
    }
}

extension ImageService {
    /// Reads an image's manifest and config.
    /// - Throws: `LayoutError` for a missing or corrupt blob, `SpecError` for a bad document.
    public func details(of image: ImageRecord) throws -> ImageDetails {
        var target = image.descriptor
        var size: Int64 = 0
        if MediaType.isIndex(target.mediaType) {
            size += target.size
            // Only manifests present in the store can be chosen (an index may be sparse).
            let matcher: PlatformMatcher = platform.map { .only($0) } ?? .allPreferring(.host)
            guard let chosen = try layout.manifest(for: matcher, of: target) else {
                let available = layout.platforms(of: target)
                throw LadingError(.notFound, "image \(image.id) has no manifest for \(platform.map(\.description) ?? "any platform") (present: \(available.joined(separator: ", ")))")
            }
            target = chosen
        }
        let m = try JSON.decode(ImageManifest.self, from: try layout.readBlob(target.digest), what: "manifest \(target.digest)")
        let cfg = try JSON.decode(ImageConfig.self, from: try layout.readBlob(m.config.digest), what: "config \(m.config.digest)")
        if let platform, !MediaType.isIndex(image.descriptor.mediaType) {
            let p = target.platform ?? cfg.platform
            guard PlatformMatcher.only(platform).matches(p) else {
                throw LadingError(.notFound, "image \(image.id) is \(p), not \(platform)")
            }
        }
        size += target.size + m.config.size + m.layers.reduce(0) { $0 + $1.size }
        return ImageDetails(image: image, manifestDigest: target.digest, manifest: m, config: cfg, configDigest: m.config.digest, size: size)
    }
}
