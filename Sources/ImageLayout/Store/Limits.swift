/// Size caps for documents read whole into memory (containerd and containers/image
/// use the same orders of magnitude; a larger document is refused with an error).
public enum DocumentLimits {
    /// Manifests, indexes and image configs: 4 MiB.
    public static let manifest = 4 << 20
    /// `index.json`, `manifest.json`, `repositories`, `oci-layout`: 20 MiB.
    public static let topLevel = 20 << 20
}
