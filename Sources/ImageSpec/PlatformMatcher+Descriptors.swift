/// Choosing among an index's manifests (containerd `images.Manifest`, moby
/// `daemon/containerd`; FORMATS.md §9).
extension PlatformMatcher {
    /// The descriptors this matcher accepts, best first: those whose platform matches,
    /// plus those without a platform, which sort last. The sort is stable, so equally
    /// preferred descriptors keep their index order.
    public func ranked(_ descriptors: [Descriptor]) -> [Descriptor] {
        let kept = descriptors.enumerated().filter { $0.element.platform.map(matches) ?? true }
        return kept.sorted { x, y in
            guard let a = x.element.platform else { return false }
            guard let b = y.element.platform else { return true }
            if prefers(a, over: b) { return true }
            if prefers(b, over: a) { return false }
            return x.offset < y.offset
        }.map(\.element)
    }

    /// The best manifest (or nested index) of `index` for this matcher, as containerd's
    /// export and `images.Manifest` pick the first match; nil when none matches.
    ///
    /// Only image manifests and indexes are candidates (OCI or Docker types, or no
    /// media type). A candidate without a platform may still be wrong for the
    /// platform: the caller checks its config (`Descriptor.imagePlatform(config:)`).
    public func bestManifest(in index: ImageIndex) -> Descriptor? {
        ranked(index.manifests.filter {
            $0.mediaType.isEmpty || MediaType.isManifest($0.mediaType) || MediaType.isIndex($0.mediaType)
        }).first
    }
}

/// moby's classification of index entries (`daemon/containerd/image_manifest.go`).
extension Descriptor {
    /// buildkit's attestation manifest: the annotation key `vnd.docker.reference.type`
    /// is present, whatever its value.
    public var isAttestation: Bool { annotations?[AnnotationKey.referenceType] != nil }

    /// The manifest an attestation describes (`vnd.docker.reference.digest`), when valid.
    public var attestationSubject: Digest? {
        annotations?[AnnotationKey.referenceDigest].flatMap { try? Digest(parsing: $0) }
    }

    /// Not a runnable image: an attestation, a descriptor for `unknown/unknown`, or a
    /// manifest with at least one layer of which none is a layer type
    /// (`MediaType.isLayer`). A manifest with no layers is a real (empty) image.
    /// - Parameter manifest: the manifest this descriptor points to, when read; without
    ///   it only the descriptor is judged.
    public func isPseudoImage(manifest: ImageManifest? = nil) -> Bool {
        if isAttestation { return true }
        if let p = platform, p.os == "unknown", p.architecture == "unknown" { return true }
        if let m = manifest, !m.layers.isEmpty, !m.layers.contains(where: { MediaType.isLayer($0.mediaType) }) { return true }
        return false
    }

    /// moby's `ImagePlatform`: the descriptor's platform verbatim if present, else the
    /// config's architecture, OS, variant, OS version and features.
    public func imagePlatform(config: ImageConfig) -> Platform {
        platform ?? config.platform
    }
}
