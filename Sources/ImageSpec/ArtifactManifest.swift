/// The OCI 1.1 release-candidate artifact manifest
/// (`application/vnd.oci.artifact.manifest.v1+json`, image-spec v1.1.0-rc1..rc2
/// artifact.md, dropped before 1.1.0 but still written by some tools): an
/// `artifactType`, its payload in `blobs`, and an optional `subject`.
public struct ArtifactManifest: Codable, Sendable {
    public var mediaType: String
    public var artifactType: String?
    /// The payload, in order; a null or absent list is read as empty.
    public var blobs: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    enum CodingKeys: String, CodingKey { case mediaType, artifactType, blobs, subject, annotations }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mediaType = try c.decode(String.self, forKey: .mediaType)
        guard mediaType == MediaType.ociArtifactManifest else {
            throw SpecError(.invalidDocument, "document is a \(mediaType), not an artifact manifest")
        }
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        blobs = try c.decodeIfPresent([Descriptor].self, forKey: .blobs) ?? []
        subject = try c.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
    }
}

extension MediaType {
    /// The OCI 1.1-rc artifact manifest (see `ArtifactManifest`).
    public static let ociArtifactManifest = "application/vnd.oci.artifact.manifest.v1+json"

    /// A document type the walk goes below: an index, an image manifest or an artifact manifest.
    public static func isWalkable(_ t: String?) -> Bool { isIndex(t) || isManifest(t) || t == ociArtifactManifest }

    /// A media type that names a manifest or index lading cannot walk (Docker schema 1,
    /// ORAS's artifact manifest, any other `…manifest…` or `…index…` type): copying
    /// one would leave its children behind, so readers refuse it, naming the type.
    public static func isUnwalkableManifest(_ t: String) -> Bool {
        guard !isWalkable(t) else { return false }
        let sub = t.split(separator: "/", maxSplits: 1).last.map { $0.lowercased() } ?? ""
        return sub.contains("manifest") || sub.contains(".index.") || sub.hasSuffix(".index")
    }
}
