import ImageLayout
import ImageSpec

/// One document of `tree`: an image's index or manifest, an index's platform manifests,
/// and what refers to each.
public struct TreeNode: Sendable {
    /// What the document is: `index`, `image`, `attestation`, `signature`, `sbom`,
    /// `referrers` (a referrers-tag index), `artifact`, or `missing` (not in the source).
    public var kind: String
    public var descriptor: Descriptor
    /// For a top-level image, its names; for a tag-found referrer, the tag.
    public var names: [String] = []
    /// The manifest this one refers to (`subject`, `vnd.docker.reference.digest`, a
    /// cosign or referrers tag), when it does.
    public var subject: Digest?
    /// `artifactType`, or an artifact's config media type.
    public var artifactType: String?
    /// An index's manifests (attestations are under the manifest they describe).
    public var manifests: [TreeNode] = []
    /// What refers to this document: BuildKit attestations of the same index, manifests
    /// and indexes whose `subject` is it, and cosign (`sha256-<hex>.sig`, `.att`,
    /// `.sbom`) and referrers (`sha256-<hex>`) tags of the same source.
    public var referrers: [TreeNode] = []
}

/// Builds `tree`s over an address (`AddressView`): one walk over every image of the
/// source (`DescriptorWalk`) gathers who refers to whom by `subject`, the names give
/// the cosign and referrers tags, then each image's tree is read from them; documents
/// only, cost linear in the source's documents.
public struct ImageTreeBuilder {
    let source: any BlobSource
    private let bySubject: [Digest: [Descriptor]]
    private let byTag: [Digest: [(tag: String, image: ImageRecord, kind: String?)]]

    /// - Throws: nothing for documents that cannot be read (they show as they are);
    ///   what the walk throws for indexes nested too deep.
    public init(view: AddressView) throws {
        source = view.source
        var subjects: [Digest: [Descriptor]] = [:]
        var walk = DescriptorWalk(source: view.source)
        walk.absent = { _ in }
        try walk.visit(view.all.map(\.descriptor), unreadable: { _, _ in }, document: { node, doc in
            let subject: Descriptor?
            switch doc {
            case .index(let i, _): subject = i.subject
            case .manifest(let m, _): subject = m.subject
            }
            if let s = subject, !(subjects[s.digest] ?? []).contains(where: { $0.digest == node.descriptor.digest }) {
                subjects[s.digest, default: []].append(node.descriptor)
            }
        }) { node in
            switch node.role {
            case .subject, .config, .layer: return .skip
            default: return .descend
            }
        }
        bySubject = subjects
        var tags: [Digest: [(tag: String, image: ImageRecord, kind: String?)]] = [:]
        for image in view.all {
            for tag in image.names.compactMap(\.tag) + image.bareTags {
                if let (d, kind) = ImageReader.referredDigest(ofTag: tag) { tags[d, default: []].append((tag, image, kind)) }
            }
        }
        byTag = tags
    }

    /// The tree of `image`: its target, an index's manifests (nested indexes followed up
    /// to `DescriptorWalk.maxDepth`), and the referrers of each.
    public func tree(of image: ImageRecord) -> TreeNode {
        var seen: Set<Digest> = []
        var top = node(image.descriptor, depth: 0, seen: &seen)
        top.names = image.names.map(\.familiarString) + image.bareTags
        if top.subject == nil, let t = (image.names.compactMap(\.tag) + image.bareTags).lazy.compactMap(ImageReader.referredDigest(ofTag:)).first {
            top.subject = t.digest
        }
        return top
    }

    private func node(_ d: Descriptor, depth: Int, seen: inout Set<Digest>, kind forced: String? = nil) -> TreeNode {
        var n = TreeNode(kind: "missing", descriptor: d)
        n.subject = d.attestationSubject
        n.artifactType = d.artifactType
        let fresh = seen.insert(d.digest).inserted
        guard fresh, depth <= DescriptorWalk.maxDepth, source.blobSize(d.digest) != nil,
              let bytes = try? source.readBlob(d.digest, limit: DocumentLimits.manifest) else {
            if !fresh || source.blobSize(d.digest) != nil { n.kind = forced ?? Self.kind(d, nil) }
            return n
        }
        if MediaType.isIndex(d.mediaType), let idx = try? JSON.decode(ImageIndex.self, from: bytes, what: "index") {
            n.kind = forced ?? (d.isAttestation ? "attestation" : "index")
            n.subject = n.subject ?? idx.subject?.digest
            n.artifactType = n.artifactType ?? idx.artifactType
            // BuildKit's attestation manifests go under the manifest they describe.
            let described = Set(idx.manifests.filter { !$0.isAttestation }.map(\.digest))
            var children: [TreeNode] = []
            var attestations: [Digest: [TreeNode]] = [:]
            for c in idx.manifests {
                var cn = node(c, depth: depth + 1, seen: &seen)
                if c.isAttestation, let s = c.attestationSubject, described.contains(s) {
                    cn.subject = s
                    attestations[s, default: []].append(cn)
                } else {
                    children.append(cn)
                }
            }
            n.manifests = children.map { c in
                var c = c
                c.referrers = (attestations[c.descriptor.digest] ?? []) + c.referrers
                return c
            }
        } else if MediaType.isManifest(d.mediaType), let m = try? JSON.decode(ImageManifest.self, from: bytes, what: "manifest") {
            n.kind = forced ?? Self.kind(d, m)
            n.subject = n.subject ?? m.subject?.digest
            let a = m.artifactType ?? (MediaType.isConfig(m.config.mediaType) || m.config.mediaType == MediaType.ociEmpty ? nil : m.config.mediaType)
            n.artifactType = n.artifactType ?? a
        } else {
            n.kind = forced ?? "artifact"
        }
        for r in bySubject[d.digest] ?? [] {
            n.referrers.append(node(r, depth: depth + 1, seen: &seen))
        }
        for t in byTag[d.digest] ?? [] where t.image.descriptor.digest != d.digest {
            let kind: String
            switch t.kind {
            case "sig": kind = "signature"
            case "att": kind = "attestation"
            case "sbom": kind = "sbom"
            default: kind = "referrers"
            }
            var r = node(t.image.descriptor, depth: depth + 1, seen: &seen, kind: kind)
            r.names = [t.tag]
            r.subject = d.digest
            n.referrers.append(r)
        }
        return n
    }

    /// What a manifest is, from its descriptor and content: an attestation (BuildKit's
    /// annotation, in-toto), a signature (Notary Project, cosign), an SBOM (SPDX,
    /// CycloneDX), another artifact (a pseudo-image), or an image.
    static func kind(_ d: Descriptor, _ m: ImageManifest?) -> String {
        if d.isAttestation { return "attestation" }
        if MediaType.isIndex(d.mediaType) { return "index" }
        let types = ([d.artifactType, m?.artifactType, m?.config.mediaType].compactMap { $0 } + (m?.layers.map(\.mediaType) ?? [])).map { $0.lowercased() }
        if types.contains(where: { $0.contains("signature") || $0.contains("cosign.simplesigning") }) { return "signature" }
        if types.contains(where: { $0.contains("spdx") || $0.contains("cyclonedx") || $0.contains("sbom") }) { return "sbom" }
        if types.contains(where: { $0.contains("in-toto") }) { return "attestation" }
        if d.isPseudoImage(manifest: m) { return "artifact" }
        if let m, m.layers.isEmpty, !MediaType.isConfig(m.config.mediaType) { return "artifact" }
        return "image"
    }
}
