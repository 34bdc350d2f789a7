import Foundation

/// An OCI content descriptor (image-spec descriptor.md): what a blob is, its digest and size.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    /// Size of the blob in bytes; never negative.
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    /// Embedded content, base64 (must equal the blob).
    public var data: String?
    public var platform: Platform?
    public var artifactType: String?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    enum CodingKeys: String, CodingKey {
        case mediaType, digest, size, urls, annotations, data, platform, artifactType
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mediaType = try c.decodeIfPresent(String.self, forKey: .mediaType) ?? ""
        digest = try c.decode(Digest.self, forKey: .digest)
        size = try c.decode(Int64.self, forKey: .size)
        if size < 0 { throw SpecError(.invalidDocument, "descriptor \(digest) has a negative size \(size)") }
        urls = try c.decodeIfPresent([String].self, forKey: .urls)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        data = try c.decodeIfPresent(String.self, forKey: .data)
        platform = try c.decodeIfPresent(Platform.self, forKey: .platform)
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
    }
}

/// Annotation keys lading reads and writes (image-spec annotations.md; containerd).
public enum AnnotationKey {
    /// The tag (or object part of the reference) on an `index.json` descriptor.
    public static let refName = "org.opencontainers.image.ref.name"

    /// Whether `s` follows the grammar image-spec annotations.md gives
    /// `org.opencontainers.image.ref.name`: components of `[A-Za-z0-9]+` joined by one of
    /// `-._:@+` or `--`, separated by `/`.
    public static func isValidRefName(_ s: String) -> Bool {
        s.wholeMatch(of: /[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*/) != nil
    }
    /// containerd's and docker's full normalized reference.
    public static let imageName = "io.containerd.image.name"
    public static let created = "org.opencontainers.image.created"
    /// buildkit's attestation marker and subject.
    public static let referenceType = "vnd.docker.reference.type"
    public static let referenceDigest = "vnd.docker.reference.digest"
}
