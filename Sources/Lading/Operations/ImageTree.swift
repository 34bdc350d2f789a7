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

    /// Documents that cannot be read, or are nested too deep, are shown as their
    /// descriptors say.
    /// - Throws: what `DescriptorWalk.visit` throws other than for such documents.
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
            // The walk reads each document once: each referrer is met once here.
            if let s = subject { subjects[s.digest, default: []].append(node.descriptor) }
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
    /// to `DescriptorWalk.maxDepth`), and the referrers of each. A document met a second
    /// time is shown without what is below it.
    public func tree(of image: ImageRecord) -> TreeNode {
        var seen: Set<Digest> = []
        var top = build(image.descriptor, depth: 0, seen: &seen)
        top.names = image.names.map(\.familiarString) + image.bareTags
        if top.subject == nil, let t = (image.names.compactMap(\.tag) + image.bareTags).lazy.compactMap(ImageReader.referredDigest(ofTag:)).first {
            top.subject = t.digest
        }
        return top
    }

    /// `root`'s indexes and manifests, read by one `DescriptorWalk` (configs, layers and
    /// subjects not followed), then the referrers of each, built the same way (at most
    /// `DescriptorWalk.maxDepth` referrers deep).
    private func build(_ root: Descriptor, depth: Int, seen: inout Set<Digest>, kind forced: String? = nil) -> TreeNode {
        var flat: [TreeNode] = []
        var parent: [Int?] = []
        var docs: [Int: DescriptorWalk.Document] = [:]
        var stack: [(depth: Int, at: Int)] = []
        var walk = DescriptorWalk(source: source)
        walk.absent = { _ in }
        var seenHere = seen
        try? walk.visit([root], unreadable: { _, _ in }, document: { _, doc in docs[flat.count - 1] = doc }) { node in
            switch node.role {
            case .config, .layer, .subject: return .skip
            default: break
            }
            while let last = stack.last, last.depth >= node.depth { stack.removeLast() }
            parent.append(stack.last?.at)
            flat.append(TreeNode(kind: "missing", descriptor: node.descriptor))
            stack.append((node.depth, flat.count - 1))
            return seenHere.insert(node.descriptor.digest).inserted ? .descend : .skip
        }
        seen = seenHere
        var children: [[Int]] = Array(repeating: [], count: flat.count)
        for (i, p) in parent.enumerated() { if let p { children[p].append(i) } }
        // What each document is, and what refers to it (in walk order, so that the first
        // place a document is met is where what is below it is shown).
        for i in flat.indices {
            let d = flat[i].descriptor
            var n = flat[i]
            n.subject = d.attestationSubject
            n.artifactType = d.artifactType
            switch docs[i] {
            case .index(let idx, _)?:
                n.kind = d.isAttestation ? "attestation" : "index"
                n.subject = n.subject ?? idx.subject?.digest
                n.artifactType = n.artifactType ?? idx.artifactType
            case .manifest(let m, _)?:
                n.kind = Self.kind(d, m)
                n.subject = n.subject ?? m.subject?.digest
                n.artifactType = n.artifactType ?? m.artifactType
                    ?? (MediaType.isConfig(m.config.mediaType) || m.config.mediaType == MediaType.ociEmpty ? nil : m.config.mediaType)
            case nil:
                n.kind = source.blobSize(d.digest) == nil ? "missing" : Self.kind(d, nil)
            }
            if i == 0, let forced { n.kind = forced }
            if docs[i] != nil, depth < DescriptorWalk.maxDepth {
                for r in bySubject[d.digest] ?? [] { n.referrers.append(build(r, depth: depth + 1, seen: &seen)) }
                for t in byTag[d.digest] ?? [] where t.image.descriptor.digest != d.digest {
                    let kind: String
                    switch t.kind {
                    case "sig": kind = "signature"
                    case "att": kind = "attestation"
                    case "sbom": kind = "sbom"
                    default: kind = "referrers"
                    }
                    var r = build(t.image.descriptor, depth: depth + 1, seen: &seen, kind: kind)
                    r.names = [t.tag]
                    r.subject = d.digest
                    n.referrers.append(r)
                }
            }
            flat[i] = n
        }
        // Children before parents (the walk is pre-order): BuildKit's attestation
        // manifests go under the manifest of the same index they describe.
        for i in flat.indices.reversed() where !children[i].isEmpty {
            var kids = children[i].map { flat[$0] }
            let described = Set(kids.filter { !$0.descriptor.isAttestation }.map(\.descriptor.digest))
            var attestations: [Digest: [TreeNode]] = [:]
            kids = kids.filter { k in
                guard k.descriptor.isAttestation, let s = k.descriptor.attestationSubject, described.contains(s) else { return true }
                attestations[s, default: []].append(k)
                return false
            }
            flat[i].manifests = kids.map { k in
                var k = k
                k.referrers = (attestations[k.descriptor.digest] ?? []) + k.referrers
                return k
            }
        }
        return flat.first ?? TreeNode(kind: forced ?? "missing", descriptor: root)
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
