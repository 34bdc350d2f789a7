/// Media types of the OCI image spec and Docker's schema 2 (image-spec media-types.md).
public enum MediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNonDistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociLayerNonDistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociLayerNonDistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    public static let ociLayoutHeader = "application/vnd.oci.layout.header.v1+json"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// Not in Docker's schema 2 spec; containerd 2 and containers/image use it.
    public static let dockerLayerZstd = "application/vnd.docker.image.rootfs.diff.tar.zstd"
    public static let dockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar"
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    public static let schema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    public static let schema1 = "application/vnd.docker.distribution.manifest.v1+json"

    /// An image index or Docker manifest list.
    public static func isIndex(_ t: String?) -> Bool { t == ociIndex || t == dockerManifestList }
    /// An image manifest (OCI or Docker schema 2).
    public static func isManifest(_ t: String?) -> Bool { t == ociManifest || t == dockerManifest }
    /// An image config (OCI or Docker).
    public static func isConfig(_ t: String?) -> Bool { t == ociConfig || t == dockerConfig }

    /// containerd's `IsLayerType`: any `application/vnd.oci.image.layer.` type, or a
    /// Docker rootfs diff or foreign type with any `+suffix`.
    public static func isLayer(_ t: String) -> Bool {
        if t.hasPrefix("application/vnd.oci.image.layer.") { return true }
        let base = t.split(separator: "+", maxSplits: 1).first.map(String.init) ?? t
        return [dockerLayer, dockerLayerGzip, dockerForeignLayer, dockerForeignLayerGzip].contains(base)
    }

    /// A non-distributable (foreign) layer, whose blob may be absent.
    public static func isNonDistributable(_ t: String) -> Bool {
        t.hasPrefix("application/vnd.oci.image.layer.nondistributable.")
            || t.hasPrefix("application/vnd.docker.image.rootfs.foreign.")
    }

    /// The compression a layer type names: `gzip`/`zstd` suffixes and Docker's `.gzip`;
    /// nil when the type leaves it unknown (Docker's plain `.tar`: sniff the bytes).
    public enum LayerCompression: String, Sendable { case none, gzip, zstd }
    public static func layerCompression(_ t: String) -> LayerCompression? {
        if t == dockerLayer || t == dockerForeignLayer { return nil }
        if t.hasSuffix(".tar.gzip") || t.hasSuffix("+gzip") { return .gzip }
        if t.hasSuffix("+zstd") || t.hasSuffix(".tar.zstd") { return .zstd }
        return LayerCompression.none
    }

    /// The OCI layer type for a compression.
    public static func ociLayer(_ c: LayerCompression) -> String {
        switch c {
        case .none: return ociLayer
        case .gzip: return ociLayerGzip
        case .zstd: return ociLayerZstd
        }
    }

    /// The OCI layer type for a Docker schema 2 layer type, as containers/image maps them
    /// when it converts a schema 2 manifest to OCI (image-spec media-types.md,
    /// "Compatibility Matrix"): `rootfs.diff.tar.gzip` → `layer.v1.tar+gzip`,
    /// `rootfs.diff.tar` → `layer.v1.tar`, `rootfs.diff.tar.zstd` → `layer.v1.tar+zstd`,
    /// `rootfs.foreign.diff.tar.gzip` → `layer.nondistributable.v1.tar+gzip`,
    /// `rootfs.foreign.diff.tar` → `layer.nondistributable.v1.tar`.
    /// - Parameter actual: the compression the layer's bytes show, when known: it
    ///   replaces what the Docker type says (`rootfs.diff.tar` leaves it unknown).
    /// - Returns: nil for a type that is not one of these five.
    public static func ociLayerType(forDocker t: String, actual: LayerCompression? = nil) -> String? {
        let foreign: Bool
        var compression: LayerCompression
        switch t {
        case dockerLayer: (foreign, compression) = (false, .none)
        case dockerLayerGzip: (foreign, compression) = (false, .gzip)
        case dockerLayerZstd: (foreign, compression) = (false, .zstd)
        case dockerForeignLayer: (foreign, compression) = (true, .none)
        case dockerForeignLayerGzip: (foreign, compression) = (true, .gzip)
        default: return nil
        }
        if let actual { compression = actual }
        guard foreign else { return ociLayer(compression) }
        switch compression {
        case .none: return ociLayerNonDistributable
        case .gzip: return ociLayerNonDistributableGzip
        case .zstd: return ociLayerNonDistributableZstd
        }
    }
}
