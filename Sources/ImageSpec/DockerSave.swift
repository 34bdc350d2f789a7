/// One entry of a docker-save `manifest.json` (moby image/spec v1.2; Docker 25+).
public struct DockerSaveManifestEntry: Codable, Sendable {
    /// Path of the config inside the archive (`<hex>.json` or `blobs/sha256/<hex>`).
    public var config: String
    /// Familiar `name:tag` references; null for an unnamed image.
    public var repoTags: [String]?
    /// Paths of the layer tars inside the archive, base first.
    public var layers: [String]
    public var parent: String?
    /// diff ID → descriptor, for foreign layers (and every layer in Docker 25+).
    public var layerSources: [String: Descriptor]?

    public init(config: String, repoTags: [String]?, layers: [String]) {
        self.config = config
        self.repoTags = repoTags
        self.layers = layers
    }

    enum CodingKeys: String, CodingKey {
        case config = "Config", repoTags = "RepoTags", layers = "Layers", parent = "Parent", layerSources = "LayerSources"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(String.self, forKey: .config)
        repoTags = try c.decodeIfPresent([String].self, forKey: .repoTags)
        layers = try c.decodeIfPresent([String].self, forKey: .layers) ?? []
        parent = try c.decodeIfPresent(String.self, forKey: .parent)
        layerSources = try c.decodeIfPresent([String: Descriptor].self, forKey: .layerSources)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(repoTags, forKey: .repoTags)
        try c.encode(layers, forKey: .layers)
        try c.encodeIfPresent(parent, forKey: .parent)
        try c.encodeIfPresent(layerSources, forKey: .layerSources)
    }
}

/// The docker-save `repositories` file: familiar repository → tag → image or layer ID hex.
public typealias DockerRepositories = [String: [String: String]]

/// The legacy per-layer `json` of a pre-1.10 docker save (only the fields used).
public struct LegacyLayerJSON: Decodable, Sendable {
    public var id: String
    public var parent: String?
}
