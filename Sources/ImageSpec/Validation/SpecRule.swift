/// One rule of the OCI image spec (or Docker's schema 2), as `verify` and the readers
/// check it: a MUST is an error, a SHOULD a warning.
public struct SpecRule: Sendable, Hashable, CustomStringConvertible {
    public enum Level: String, Sendable { case must = "MUST", should = "SHOULD" }
    /// Stable name, e.g. `descriptor.mediaType`; findings and the README's policy table use it.
    public let id: String
    public let level: Level
    /// The spec file, e.g. `descriptor.md`.
    public let file: String
    /// The section of that file.
    public let section: String

    public init(_ id: String, _ level: Level, _ file: String, _ section: String) {
        self.id = id
        self.level = level
        self.file = file
        self.section = section
    }

    /// `descriptor.md "Properties"`
    public var citation: String { "\(file) \"\(section)\"" }
    public var description: String { "\(id) (\(level.rawValue), \(citation))" }
}

/// A rule broken by a document.
public struct SpecFinding: Sendable, Equatable, CustomStringConvertible {
    public let rule: SpecRule
    /// Where in the document, as a JSON path (`layers[1].mediaType`); empty for the whole.
    public let at: String
    public let message: String
    public var isError: Bool { rule.level == .must }
    public var description: String { at.isEmpty ? message : "\(at): \(message)" }
}

/// The rules, by spec file.
public enum Rules {
    // image-layout.md
    public static let layoutFile = SpecRule("layout.oci-layout", .must, "image-layout.md", "oci-layout file")
    public static let layoutIndex = SpecRule("layout.index", .must, "image-layout.md", "index.json file")
    public static let layoutBlobsDir = SpecRule("layout.blobs", .must, "image-layout.md", "Content")
    public static let layoutBlobName = SpecRule("layout.blob.name", .must, "image-layout.md", "Blobs")
    public static let layoutBlobContent = SpecRule("layout.blob.content", .must, "image-layout.md", "Blobs")
    /// A referenced blob absent from the layout: lading's gate for complete images
    /// (image-layout.md "Blobs" lets a layout leave blobs to an external store).
    public static let layoutBlobMissing = SpecRule("layout.blob.missing", .must, "lading", "complete images")
    // descriptor.md
    public static let descriptor = SpecRule("descriptor", .must, "descriptor.md", "Properties")
    public static let mediaType = SpecRule("descriptor.mediaType", .must, "descriptor.md", "Properties")
    public static let digest = SpecRule("descriptor.digest", .must, "descriptor.md", "Digests")
    public static let digestRegistered = SpecRule("descriptor.digest.registered", .must, "descriptor.md", "Registered algorithms")
    public static let digestVerify = SpecRule("descriptor.digest.verify", .should, "descriptor.md", "Verification")
    public static let size = SpecRule("descriptor.size", .must, "descriptor.md", "Properties")
    public static let urls = SpecRule("descriptor.urls", .must, "descriptor.md", "Properties")
    public static let annotations = SpecRule("descriptor.annotations", .must, "annotations.md", "Rules")
    /// "If there are no annotations then this property MUST either be absent or be an empty map."
    public static let annotationsNull = SpecRule("annotations.null", .must, "annotations.md", "Rules")
    /// "Entries SHOULD use the http and https schemes."
    public static let urlsScheme = SpecRule("descriptor.urls.scheme", .should, "descriptor.md", "Properties")
    public static let data = SpecRule("descriptor.data", .must, "descriptor.md", "Embedded Content")
    public static let artifactType = SpecRule("descriptor.artifactType", .must, "descriptor.md", "Properties")
    public static let platform = SpecRule("descriptor.platform", .must, "image-index.md", "Image Index Property Descriptions")
    // manifest.md
    public static let manifestJSON = SpecRule("manifest.json", .must, "manifest.md", "Image Manifest")
    public static let manifestSchemaVersion = SpecRule("manifest.schemaVersion", .must, "manifest.md", "Image Manifest Property Descriptions")
    public static let manifestMediaType = SpecRule("manifest.mediaType", .must, "manifest.md", "Image Manifest Property Descriptions")
    public static let manifestConfig = SpecRule("manifest.config", .must, "manifest.md", "Image Manifest Property Descriptions")
    public static let manifestLayers = SpecRule("manifest.layers", .must, "manifest.md", "Image Manifest Property Descriptions")
    /// image-manifest-schema.json `layers` `minItems: 1` (the prose: "SHOULD have at
    /// least one entry"); readers accept an empty image, as docker and containerd do.
    public static let manifestLayersOne = SpecRule("manifest.layers.one", .must, "manifest.md", "Image Manifest Property Descriptions")
    public static let manifestArtifactType = SpecRule("manifest.artifactType", .must, "manifest.md", "Guidelines for Artifact Usage")
    public static let manifestSubject = SpecRule("manifest.subject", .must, "manifest.md", "Image Manifest Property Descriptions")
    /// The walk cannot tell this manifest's children (an unknown manifest media type):
    /// image-index.md forbids an error on an unknown type, so `verify` warns that it
    /// cannot check below; readers refuse to copy it in part.
    public static let manifestKnown = SpecRule("manifest.known", .should, "image-index.md", "Image Index Property Descriptions")
    /// `org.opencontainers.image.ref.name`'s grammar.
    public static let refName = SpecRule("annotations.ref.name", .should, "annotations.md", "Pre-Defined Annotation Keys")
    // image-index.md
    public static let indexJSON = SpecRule("index.json", .must, "image-index.md", "Image Index")
    public static let indexSchemaVersion = SpecRule("index.schemaVersion", .must, "image-index.md", "Image Index Property Descriptions")
    public static let indexMediaType = SpecRule("index.mediaType", .must, "image-index.md", "Image Index Property Descriptions")
    public static let indexManifests = SpecRule("index.manifests", .must, "image-index.md", "Image Index Property Descriptions")
    // config.md
    public static let configJSON = SpecRule("config.json", .must, "config.md", "Properties")
    public static let configRequired = SpecRule("config.required", .must, "config.md", "Properties")
    public static let configField = SpecRule("config.field", .must, "config.md", "Properties")
    public static let configEnv = SpecRule("config.env", .must, "config.md", "Properties")
    public static let configCreated = SpecRule("config.created", .must, "config.md", "Properties")
    public static let configRootfs = SpecRule("config.rootfs", .must, "config.md", "Properties")
    public static let configRootfsType = SpecRule("config.rootfs.type", .must, "config.md", "Properties")
    public static let configDiffIDs = SpecRule("config.diff_ids", .must, "config.md", "Layer DiffID")
    public static let configHistory = SpecRule("config.history", .should, "config.md", "Properties")
    // layer.md
    /// A layer's bytes against the compression its media type names.
    public static let layerCompression = SpecRule("layer.compression", .must, "layer.md", "Distributable Format")
    // CI policies (verify --require, --max-size, --deny-root): lading's, not the spec's.
    public static let policyPlatform = SpecRule("policy.platform", .must, "lading", "verify --require platform")
    public static let policyAttestations = SpecRule("policy.attestations", .must, "lading", "verify --require attestations")
    public static let policyLabel = SpecRule("policy.label", .must, "lading", "verify --require label")
    public static let policyMaxSize = SpecRule("policy.max-size", .must, "lading", "verify --max-size")
    public static let policyDenyRoot = SpecRule("policy.deny-root", .must, "lading", "verify --deny-root")

    /// Every rule above, by id.
    public static let byID: [String: SpecRule] = Dictionary(uniqueKeysWithValues: [
        layoutFile, layoutIndex, layoutBlobsDir, layoutBlobName, layoutBlobContent, layoutBlobMissing, descriptor, mediaType, digest, digestRegistered, digestVerify, size, urls, annotations, annotationsNull, urlsScheme, data, artifactType, platform, manifestJSON, manifestSchemaVersion, manifestMediaType, manifestConfig, manifestLayers, manifestLayersOne, manifestArtifactType, manifestSubject, manifestKnown, refName, indexJSON, indexSchemaVersion, indexMediaType, indexManifests, configJSON, configRequired, configField, configEnv, configCreated, configRootfs, configRootfsType, configDiffIDs, configHistory, layerCompression, policyPlatform, policyAttestations, policyLabel, policyMaxSize, policyDenyRoot,
    ].map { ($0.id, $0) })

    /// The rule a reader's message names in its `[id: file "section"]` suffix.
    public static func named(in message: String) -> SpecRule? {
        guard let open = message.range(of: " [", options: .backwards),
              let colon = message[open.upperBound...].firstIndex(of: ":") else { return nil }
        return byID[String(message[open.upperBound..<colon])]
    }
}
