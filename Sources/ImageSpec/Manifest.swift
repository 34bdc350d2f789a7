import Foundation

/// An image manifest: OCI (image-spec manifest.md) or Docker schema 2, which share a shape.
public struct ImageManifest: Codable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    /// The layers, base first. A null or absent list is read as empty.
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(mediaType: String, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, mediaType, artifactType, config, layers, subject, annotations, manifests
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion == 2 else {
            throw SpecError(.unsupported, "manifest schemaVersion \(schemaVersion) is not supported")
        }
        mediaType = try c.decodeIfPresent(String.self, forKey: .mediaType)
        if MediaType.isIndex(mediaType) || c.contains(.manifests) {
            throw SpecError(.invalidDocument, "document is an index, not a manifest")
        }
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        config = try c.decode(Descriptor.self, forKey: .config)
        layers = try c.decodeIfPresent([Descriptor].self, forKey: .layers) ?? []
        subject = try c.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encodeIfPresent(mediaType, forKey: .mediaType)
        try c.encodeIfPresent(artifactType, forKey: .artifactType)
        try c.encode(config, forKey: .config)
        try c.encode(layers, forKey: .layers)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(annotations, forKey: .annotations)
    }
}

/// An image index (image-spec image-index.md) or Docker manifest list.
public struct ImageIndex: Codable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    /// Required; an empty array is allowed, `null` or absence is an error.
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(manifests: [Descriptor], mediaType: String? = MediaType.ociIndex) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, mediaType, artifactType, manifests, subject, annotations, config, layers
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion == 2 else {
            throw SpecError(.unsupported, "index schemaVersion \(schemaVersion) is not supported")
        }
        mediaType = try c.decodeIfPresent(String.self, forKey: .mediaType)
        if MediaType.isManifest(mediaType) || c.contains(.config) || c.contains(.layers) {
            throw SpecError(.invalidDocument, "document is a manifest, not an index")
        }
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        guard c.contains(.manifests), try !c.decodeNil(forKey: .manifests) else {
            throw SpecError(.invalidDocument, "index has no \"manifests\" array")
        }
        manifests = try c.decode([Descriptor].self, forKey: .manifests)
        subject = try c.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encodeIfPresent(mediaType, forKey: .mediaType)
        try c.encodeIfPresent(artifactType, forKey: .artifactType)
        try c.encode(manifests, forKey: .manifests)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(annotations, forKey: .annotations)
    }
}

/// The `oci-layout` file (image-spec image-layout.md).
public struct OCILayoutHeader: Codable, Sendable {
    public var imageLayoutVersion: String
    public init(imageLayoutVersion: String = "1.0.0") { self.imageLayoutVersion = imageLayoutVersion }
}
