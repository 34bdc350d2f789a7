import ImageLayout
import ImageSpec
import TarArchive

/// A source's files as a `BlobSource`: what `DescriptorWalk` reads a source's documents
/// through (`blobs/<alg>/<hex>`, digest checked).
final class FilesSource: BlobSource {
    let files: ArchiveFiles
    init(_ files: ArchiveFiles) { self.files = files }

    func blobSize(_ d: Digest) -> Int64? { files.contains(d.blobPath) ? 0 : nil }

    func readBlob(_ d: Digest, limit: Int) throws -> [UInt8] {
        let bytes = try files.readDocument(d.blobPath, limit: limit)
        let actual = Digest.sha256(of: bytes)
        if actual != d { throw LayoutError(.digestMismatch, "blob \(d) has digest \(actual)") }
        return bytes
    }
}

/// The loader's visitor over `DescriptorWalk`: stages every blob an image of a source
/// needs, verifying each against its descriptor (digest, size) and each layer against its
/// config's diff ID, and adds the verified blobs to a plan.
///
/// An index's child whose tree has an absent blob is left out with a warning (a sparse
/// layout, as docker's save writes one), with the blobs staged for it alone; an absent
/// blob under a top-level manifest, or any mismatch anywhere, is an error.
final class TreeWalker {
    let files: ArchiveFiles
    let plan: LoadPlan
    /// When set, an index's manifests for other platforms are left out.
    var platform: Platform?
    /// When set, layers are re-encoded as they are staged (see `Recode`).
    var recode: Recode?
    /// Layer blobs a delta archive leaves out, checked at the destination
    /// (`ImageLoader.readExcluded`): taken as present there.
    var external: [Digest: Descriptor] = [:]

    init(files: ArchiveFiles, plan: LoadPlan) {
        self.files = files
        self.plan = plan
    }

    private var where_: String { files is DirectoryFiles ? "layout" : "archive" }

    /// Walks the image `desc` names (`at`: its path in `index.json`).
    /// - Throws: `TransportError` naming the source, the path and the digest at fault.
    func walk(_ desc: Descriptor, at: String, top: Bool) throws {
        var staged: [Digest: StagedFile] = [:]
        // Which index children (by number; 0: the image itself) need each blob.
        var owners: [Digest: Set<Int>] = [:]
        var children: [(depth: Int, id: Int, node: DescriptorWalk.Node)] = []
        var incomplete = Set<Int>()
        var lastChild = 0
        var manifests: [(node: DescriptorWalk.Node, manifest: ImageManifest, owner: Int)] = []
        var walk = DescriptorWalk(source: FilesSource(files), platform: platform)
        walk.absent = { _ in }
        do {
            try walk.visit([desc], rootPaths: [at], document: { node, doc in
                let what = "\(node.descriptor.digest) (\(node.path))"
                switch doc {
                case .index(_, let bytes): try LayerCheck.spec(bytes, as: .index, source: files.sourceName, what: "index \(what)", plan: plan)
                case .manifest(let m, let bytes):
                    try LayerCheck.spec(bytes, as: .manifest, source: files.sourceName, what: "manifest \(what)", plan: plan)
                    manifests.append((node, m, children.last?.id ?? 0))
                case .artifact(_, let bytes):
                    try LayerCheck.spec(bytes, as: .artifactManifest, source: files.sourceName, what: "artifact manifest \(what)", plan: plan)
                }
            }) { node in
                while let last = children.last, last.depth >= node.depth { children.removeLast() }
                if case .child = node.role {
                    lastChild += 1
                    children.append((node.depth, lastChild, node))
                }
                if children.contains(where: { incomplete.contains($0.id) }) { return .skip }
                if case .subject = node.role { return .skip }
                let owner = children.last?.id ?? 0
                let d = node.descriptor
                guard d.digest.isSupported else {
                    throw TransportError(.unsupported, "\(files.sourceName): \(node.path): unsupported digest algorithm in \(d.digest)")
                }
                guard files.contains(d.digest.blobPath) else {
                    if case .layer = node.role, let listed = external[d.digest] {
                        guard listed.size == d.size else {
                            throw TransportError(.layerMismatch, "\(files.sourceName): blob \(d.digest) (\(node.path)) is \(listed.size) bytes in \(ExcludedBlobs.fileName), descriptor says \(d.size)")
                        }
                        plan.external[d.digest] = listed
                        return .skip
                    }
                    if case .layer = node.role, MediaType.isNonDistributable(d.mediaType) { return .skip }
                    guard let child = children.last else {
                        throw TransportError(.missingEntry, "\(files.sourceName): blob \(d.digest) (\(node.path)) is not in the \(where_)")
                    }
                    incomplete.insert(child.id)
                    let c = child.node.descriptor
                    let p = c.platform.map { " (\($0))" } ?? ""
                    plan.warnings.append("\(files.sourceName): \(child.node.path) \(c.digest)\(p) is incomplete (blob \(d.digest) absent); skipped")
                    return .skip
                }
                if staged[d.digest] == nil { staged[d.digest] = try fetch(node) }
                owners[d.digest, default: []].insert(owner)
                return .descend
            }
        } catch let e as LayoutError {
            throw TransportError(e.code == .invalidDocument ? .invalidManifest : .missingEntry, "\(files.sourceName): \(e.description)")
        }
        for (node, m, owner) in manifests where !incomplete.contains(owner) {
            try checkLayers(of: m, at: node, staged: staged)
        }
        let kept = staged.filter { d, _ in owners[d, default: []].contains { $0 == 0 || !incomplete.contains($0) } }
        plan.blobs.merge(kept) { a, _ in a }
    }

    /// Stages the blob `node` names and checks it against its descriptor.
    private func fetch(_ node: DescriptorWalk.Node) throws -> StagedFile {
        let desc = node.descriptor, at = node.path
        var layer = false
        if case .layer = node.role, case .manifest(let m, _)? = node.parent {
            // Only an image's layers are re-encoded: an artifact's blobs (a signature's
            // subject, a chart) keep their bytes and so their digests.
            layer = MediaType.isLayer(desc.mediaType) && MediaType.isConfig(m.config.mediaType)
        }
        let path = desc.digest.blobPath
        let recode = layer && !MediaType.isNonDistributable(desc.mediaType) ? self.recode?.layer(desc.mediaType) : nil
        let s = try files.stage(path, recode: recode)
        if s.encoding != nil && recode == nil {
            throw TransportError(.recodedNonLayer, "\(files.sourceName): \(path) (\(at)) was re-encoded as a layer but is a \(desc.mediaType)")
        }
        if s.digest != desc.digest {
            throw TransportError(.layerMismatch, "\(files.sourceName): \(path) (\(at)) has digest \(s.digest), expected \(desc.digest)")
        }
        if s.size != desc.size {
            throw TransportError(.layerMismatch, "\(files.sourceName): blob \(desc.digest) (\(at)) is \(s.size) bytes, descriptor says \(desc.size)")
        }
        if s.encoding != nil, s.uncompressedDigest == nil {
            throw TransportError(.layerMismatch, "\(files.sourceName): layer \(desc.digest) (\(at)) cannot be decompressed: \(s.decompressError ?? "unknown error")")
        }
        return s
    }

    /// An image manifest's layers against its config's diff IDs.
    private func checkLayers(of m: ImageManifest, at node: DescriptorWalk.Node, staged: [Digest: StagedFile]) throws {
        guard MediaType.isConfig(m.config.mediaType) else { return }
        let cfgBytes = try files.readDocument(m.config.digest.blobPath, limit: DocumentLimits.manifest)
        try LayerCheck.spec(cfgBytes, as: .config, source: files.sourceName, what: "config \(m.config.digest)", plan: plan)
        let config = try JSON.decode(ImageConfig.self, from: cfgBytes, what: "\(files.sourceName): config \(m.config.digest)")
        if config.rootfs.type.isEmpty && config.rootfs.diffIDs.isEmpty {
            // A config without rootfs describes an artifact, not a runnable image.
            plan.warnings.append("\(files.sourceName): manifest \(node.descriptor.digest) (\(node.path)): config has no rootfs; layers not checked against diff IDs")
            return
        }
        try LayerCheck.rootfsType(config, source: files.sourceName, what: "config \(m.config.digest)")
        try LayerCheck.diffIDs(layers: m.layers.map { ($0.digest, staged[$0.digest]) }, diffIDs: config.rootfs.diffIDs,
                               source: files.sourceName, what: "manifest \(node.descriptor.digest)")
    }
}

/// The layer/diff ID consistency rule shared by every dialect.
enum LayerCheck {
    /// The image spec's rules for a document read (`SpecValidator`), applied with
    /// `ReaderPolicy`: a refused finding throws, the others become the plan's warnings.
    /// - Throws: `TransportError.invalidManifest` naming the source, the document, the
    ///   field and the rule.
    static func spec(_ bytes: [UInt8], as kind: SpecValidator.Kind, source: String, what: String, plan: LoadPlan,
                     only: ((SpecFinding) -> Bool)? = nil) throws {
        for f in SpecValidator.validate(bytes, as: kind) where only?(f) ?? true {
            let text = "\(source): \(what): \(f) [\(f.rule.id): \(f.rule.citation)]"
            if ReaderPolicy.refuses(f) { throw TransportError(.invalidManifest, text) }
            plan.warnings.append(text)
        }
    }

    /// An image config's `rootfs.type` must be `layers` (image-spec config.md: MUST), as
    /// `verify` requires of what is loaded.
    /// - Throws: `TransportError.invalidManifest` naming the config.
    static func rootfsType(_ config: ImageConfig, source: String, what: String) throws {
        guard config.rootfs.type == "layers" else {
            throw TransportError(.invalidManifest, "\(source): \(what): rootfs.type is \"\(config.rootfs.type)\", expected \"layers\"")
        }
    }

    /// - Parameters:
    ///   - layers: each layer's name for messages and its staged file (nil: foreign, absent).
    /// - Throws: `TransportError` `.layerMismatch` for a count, digest or decoding mismatch;
    ///   `ArchiveError` `.refusedEntry` for a layer with an entry no command accepts (a uid
    ///   or device number out of range), naming the source, the layer and the entry.
    static func diffIDs(layers: [(CustomStringConvertible, StagedFile?)], diffIDs: [Digest], source: String, what: String) throws {
        guard layers.count == diffIDs.count else {
            throw TransportError(.layerMismatch, "\(source): \(what) has \(layers.count) layers but its config lists \(diffIDs.count) diff IDs")
        }
        for (i, (name, staged)) in layers.enumerated() {
            guard let staged else { continue }
            guard let u = staged.uncompressedDigest else {
                throw TransportError(.layerMismatch, "\(source): layer \(i) (\(name)) cannot be decompressed: \(staged.decompressError ?? "unknown error")")
            }
            if u != diffIDs[i] {
                throw TransportError(.layerMismatch, "\(source): layer \(i) (\(name)) has uncompressed digest \(u) but the config's diff ID is \(diffIDs[i])")
            }
            if let refusal = staged.entryRefusal {
                throw ArchiveError(.refusedEntry, "\(source): layer \(i) (\(name)): \(refusal)")
            }
        }
    }
}
