import Foundation
import ImageLayout
import ImageSpec

/// What CI asks of images beyond being well formed (`verify --require`, `--max-size`,
/// `--deny-root`). Each requirement broken is an error finding named `policy.*`.
public struct VerifyPolicy: Sendable {
    /// Each platform must have an image (`--require platform=linux/amd64,linux/arm64`).
    public var platforms: [Platform] = []
    /// Each platform image must have an attestation manifest (buildkit's
    /// `vnd.docker.reference.digest`, or an OCI manifest whose `subject` is the image).
    public var attestations = false
    /// Each image's config must carry these label keys.
    public var labels: [String] = []
    /// Largest compressed size of one platform image: its config and layers, in bytes.
    public var maxSize: Int64?
    /// An image whose config `User` is empty, `0` or `root` (with any group) is a finding.
    public var denyRoot = false
    public init() {}
}

/// A platform image met by the walk.
struct ImageSeen {
    let digest: Digest
    let path: String
    let platform: Platform
    let config: ImageConfig
    /// Config plus layers, bytes as their descriptors say.
    let size: Int64
}

extension Verifier {
    /// Notes an image manifest (not an attestation or other pseudo-image) for the policies.
    mutating func noteImage(_ node: DescriptorWalk.Node, manifest m: ImageManifest, config: ImageConfig) {
        let d = node.descriptor
        guard !d.isPseudoImage(manifest: m), m.subject == nil, !images.contains(where: { $0.digest == d.digest }) else { return }
        let size = m.layers.reduce(m.config.size) { $0 + $1.size }
        images.append(ImageSeen(digest: d.digest, path: node.path, platform: d.imagePlatform(config: config), config: config, size: size))
    }

    /// Notes what attests which image: buildkit's attestation entries and OCI referrers.
    mutating func noteForPolicy(_ node: DescriptorWalk.Node, _ doc: DescriptorWalk.Document) {
        if let s = node.descriptor.attestationSubject { attested.insert(s) }
        if case .manifest(let m, _) = doc, let s = m.subject { attested.insert(s.digest) }
        if case .index(let idx, _) = doc {
            for c in idx.manifests { if let s = c.attestationSubject { attested.insert(s) } }
        }
    }

    mutating func checkPolicy(_ p: VerifyPolicy) {
        for want in p.platforms where !images.contains(where: { PlatformMatcher.only(want).matches($0.platform) }) {
            add(Rules.policyPlatform, nil, "index.json", "no image for platform \(want) (images: \(images.map(\.platform.description).joined(separator: ", ")))")
        }
        for img in images {
            if p.attestations, !attested.contains(img.digest) {
                add(Rules.policyAttestations, img.digest, img.path, "image for \(img.platform) has no attestation manifest")
            }
            for key in p.labels where img.config.config?.labels?[key] == nil {
                add(Rules.policyLabel, img.digest, img.path, "image for \(img.platform) has no label \(key)")
            }
            if let max = p.maxSize, img.size > max {
                add(Rules.policyMaxSize, img.digest, img.path, "image for \(img.platform) is \(img.size) bytes compressed, more than \(max)")
            }
            if p.denyRoot {
                let user = img.config.config?.user ?? ""
                let name = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                // The runtime reads a numeric user as a number (`00`, `+0` are uid 0).
                if name.isEmpty || name == "root" || Int(name) == 0 {
                    add(Rules.policyDenyRoot, img.digest, img.path, "image for \(img.platform) runs as root (User \"\(user)\")")
                }
            }
        }
    }
}
