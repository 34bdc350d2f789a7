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
    /// Reads an image's manifest and config (`ImageReader.details(of:)` over the store).
    /// - Throws: `LayoutError` for a missing or corrupt blob, `SpecError` for a bad document.
    public func details(of image: ImageRecord) throws -> ImageDetails {
        try ImageReader(source: layout, platform: platform).details(of: image)
    }
}
