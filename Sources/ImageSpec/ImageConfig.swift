import Foundation

/// The image configuration (image-spec config.md), with Docker's extra container keys.
///
/// Decoding is lenient (null fields read as absent). A config that came from elsewhere
/// keeps its original bytes beside this value; only configs lading creates are encoded.
public struct ImageConfig: Codable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?
    public var config: ContainerConfig?
    public var rootfs: RootFS
    public var history: [History]?

    public init(architecture: String, os: String, rootfs: RootFS) {
        self.architecture = architecture
        self.os = os
        self.rootfs = rootfs
    }

    enum CodingKeys: String, CodingKey {
        case created, author, architecture, os, variant, config, rootfs, history
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        created = try? c.decodeIfPresent(String.self, forKey: .created)
        author = try? c.decodeIfPresent(String.self, forKey: .author)
        architecture = (try? c.decodeIfPresent(String.self, forKey: .architecture)) ?? ""
        os = (try? c.decodeIfPresent(String.self, forKey: .os)) ?? ""
        osVersion = try? c.decodeIfPresent(String.self, forKey: .osVersion)
        osFeatures = try? c.decodeIfPresent([String].self, forKey: .osFeatures)
        variant = try? c.decodeIfPresent(String.self, forKey: .variant)
        config = try c.decodeIfPresent(ContainerConfig.self, forKey: .config)
        if let r = try c.decodeIfPresent(RootFS.self, forKey: .rootfs) {
            rootfs = r
        } else {
            // No rootfs at all: an artifact's config. `type` stays empty to tell.
            rootfs = RootFS(diffIDs: [])
            rootfs.type = ""
        }
        history = try c.decodeIfPresent([History].self, forKey: .history)
    }

    /// The platform this config declares.
    public var platform: Platform {
        var p = Platform(os: os, architecture: architecture, variant: variant)
        p.osVersion = osVersion
        p.osFeatures = osFeatures
        return p
    }
}

/// `rootfs`: the layers' uncompressed digests, base first.
public struct RootFS: Codable, Sendable, Equatable {
    public var type: String
    public var diffIDs: [Digest]
    public init(diffIDs: [Digest]) {
        self.type = "layers"
        self.diffIDs = diffIDs
    }
    enum CodingKeys: String, CodingKey { case type, diffIDs = "diff_ids" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        diffIDs = try c.decodeIfPresent([Digest].self, forKey: .diffIDs) ?? []
    }
}

/// One `history` entry.
public struct History: Codable, Sendable, Equatable {
    public var created: String?
    public var createdBy: String?
    public var author: String?
    public var comment: String?
    public var emptyLayer: Bool?
    public init(created: String? = nil, createdBy: String? = nil, author: String? = nil, comment: String? = nil, emptyLayer: Bool? = nil) {
        self.created = created
        self.createdBy = createdBy
        self.author = author
        self.comment = comment
        self.emptyLayer = emptyLayer
    }
    enum CodingKeys: String, CodingKey {
        case created, author, comment
        case createdBy = "created_by"
        case emptyLayer = "empty_layer"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        created = try? c.decodeIfPresent(String.self, forKey: .created)
        createdBy = try? c.decodeIfPresent(String.self, forKey: .createdBy)
        author = try? c.decodeIfPresent(String.self, forKey: .author)
        comment = try? c.decodeIfPresent(String.self, forKey: .comment)
        emptyLayer = try? c.decodeIfPresent(Bool.self, forKey: .emptyLayer)
    }
}

/// The `config` object: the execution parameters (OCI keys plus Docker's).
public struct ContainerConfig: Codable, Sendable, Equatable {
    public var user: String?
    public var exposedPorts: [String: EmptyObject]?
    public var env: [String]?
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var volumes: [String: EmptyObject]?
    public var workingDir: String?
    public var labels: [String: String]?
    public var stopSignal: String?
    public var argsEscaped: Bool?
    public var healthcheck: Healthcheck?
    public var onBuild: [String]?
    public var shell: [String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case user = "User", exposedPorts = "ExposedPorts", env = "Env", entrypoint = "Entrypoint"
        case cmd = "Cmd", volumes = "Volumes", workingDir = "WorkingDir", labels = "Labels"
        case stopSignal = "StopSignal", argsEscaped = "ArgsEscaped", healthcheck = "Healthcheck"
        case onBuild = "OnBuild", shell = "Shell"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        user = try? c.decodeIfPresent(String.self, forKey: .user)
        exposedPorts = try? c.decodeIfPresent([String: EmptyObject].self, forKey: .exposedPorts)
        env = try? c.decodeIfPresent([String].self, forKey: .env)
        entrypoint = try? c.decodeIfPresent([String].self, forKey: .entrypoint)
        cmd = try? c.decodeIfPresent([String].self, forKey: .cmd)
        volumes = try? c.decodeIfPresent([String: EmptyObject].self, forKey: .volumes)
        workingDir = try? c.decodeIfPresent(String.self, forKey: .workingDir)
        labels = try? c.decodeIfPresent([String: String].self, forKey: .labels)
        stopSignal = try? c.decodeIfPresent(String.self, forKey: .stopSignal)
        argsEscaped = try? c.decodeIfPresent(Bool.self, forKey: .argsEscaped)
        healthcheck = try? c.decodeIfPresent(Healthcheck.self, forKey: .healthcheck)
        onBuild = try? c.decodeIfPresent([String].self, forKey: .onBuild)
        shell = try? c.decodeIfPresent([String].self, forKey: .shell)
    }
}

/// Docker's `Healthcheck` (durations in nanoseconds).
public struct Healthcheck: Codable, Sendable, Equatable {
    public var test: [String]?
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int?
    public init() {}
    enum CodingKeys: String, CodingKey {
        case test = "Test", interval = "Interval", timeout = "Timeout"
        case startPeriod = "StartPeriod", startInterval = "StartInterval", retries = "Retries"
    }
}

/// `{}`, the value type of Docker's port and volume sets.
public struct EmptyObject: Codable, Sendable, Equatable, Hashable {
    public init() {}
    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws {
        _ = encoder.container(keyedBy: CodingKeysNone.self)
    }
    enum CodingKeysNone: CodingKey {}
}
