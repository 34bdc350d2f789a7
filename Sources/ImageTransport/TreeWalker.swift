import ImageLayout
import ImageSpec
import TarArchive

/// A blob a descriptor names is absent from the source.
struct MissingBlob: Error {
    let digest: Digest
    let at: String
}

/// Walks an index/manifest tree in a source, verifying each blob against its
/// descriptor and each layer against its diff ID, and adds the verified blobs to a plan.
///
/// Children of an index whose blobs are absent are skipped with a warning (a sparse
/// layout, as docker's save writes); a missing blob under a top-level manifest, or any
/// mismatch anywhere, is an error.
final class TreeWalker {
    let files: ArchiveFiles
    let plan: LoadPlan
    /// When set, an index's manifests for other platforms are left out.
    var platform: Platform?
    /// When set, layers are re-encoded as they are staged (see `Recode`).
    var recode: Recode?
    static let maxDepth = 8

    init(files: ArchiveFiles, plan: LoadPlan) {
        self.files = files
        self.plan = plan
    }

    func walk(_ desc: Descriptor, at: String, top: Bool, depth: Int = 0) throws {
        do {
            var found: [Digest: StagedFile] = [:]
            try visit(desc, at: at, depth: depth, into: &found)
            plan.blobs.merge(found) { a, _ in a }
        } catch let m as MissingBlob where top {
            throw TransportError(.missingEntry, "\(files.sourceName): blob \(m.digest) (\(m.at)) is not in the \(files is DirectoryFiles ? "layout" : "archive")")
        }
    }

    private func fetch(_ desc: Descriptor, at: String, into found: inout [Digest: StagedFile], layer: Bool = false) throws -> StagedFile {
        guard desc.digest.isSupported else {
            throw TransportError(.unsupported, "\(files.sourceName): \(at): unsupported digest algorithm in \(desc.digest)")
        }
        let path = desc.digest.blobPath
        guard files.contains(path) else { throw MissingBlob(digest: desc.digest, at: at) }
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
        found[desc.digest] = s
        return s
    }

    private func visit(_ desc: Descriptor, at: String, depth: Int, into found: inout [Digest: StagedFile]) throws {
        guard depth <= TreeWalker.maxDepth else {
            throw TransportError(.invalidManifest, "\(files.sourceName): \(at): indexes nested more than \(TreeWalker.maxDepth) deep")
        }
        let staged = try fetch(desc, at: at, into: &found)
        if MediaType.isIndex(desc.mediaType) {
            let bytes = try files.readDocument(desc.digest.blobPath, limit: DocumentLimits.manifest)
            let index = try JSON.decode(ImageIndex.self, from: bytes, what: "\(files.sourceName): index \(desc.digest) (\(at))")
            var kept = 0
            for (i, child) in index.manifests.enumerated() {
                let childAt = "\(at) > manifests[\(i)]"
                if let platform, MediaType.isManifest(child.mediaType) {
                    guard let p = child.platform, PlatformMatcher.only(platform).matches(p), !child.isPseudoImage() else { continue }
                    kept += 1
                }
                var sub: [Digest: StagedFile] = [:]
                do {
                    if MediaType.isIndex(child.mediaType) || MediaType.isManifest(child.mediaType) {
                        try visit(child, at: childAt, depth: depth + 1, into: &sub)
                    } else {
                        _ = try fetch(child, at: childAt, into: &sub)
                    }
                    found.merge(sub) { a, _ in a }
                } catch let m as MissingBlob {
                    let p = child.platform.map { " (\($0))" } ?? ""
                    plan.warnings.append("\(files.sourceName): \(childAt) \(child.digest)\(p) is incomplete (blob \(m.digest) absent); skipped")
                }
            }
            if let platform, kept == 0 {
                throw TransportError(.notFound, "\(files.sourceName): index \(desc.digest) (\(at)) has no manifest for \(platform)")
            }
        } else if MediaType.isManifest(desc.mediaType) {
            let bytes = try files.readDocument(desc.digest.blobPath, limit: DocumentLimits.manifest)
            let what = "\(files.sourceName): manifest \(desc.digest) (\(at))"
            let m = try JSON.decode(ImageManifest.self, from: bytes, what: what)
            _ = try fetch(m.config, at: "\(at) > config", into: &found)
            var layers: [StagedFile?] = []
            for (i, l) in m.layers.enumerated() {
                do {
                    // Only an image's layers are re-encoded: an artifact's blobs (a signature's
                    // subject, a chart) keep their bytes and so their digests.
                    layers.append(try fetch(l, at: "\(at) > layers[\(i)]", into: &found,
                                            layer: MediaType.isLayer(l.mediaType) && MediaType.isConfig(m.config.mediaType)))
                } catch is MissingBlob where MediaType.isNonDistributable(l.mediaType) {
                    layers.append(nil)
                }
            }
            guard MediaType.isConfig(m.config.mediaType) else { return }
            let cfgBytes = try files.readDocument(m.config.digest.blobPath, limit: DocumentLimits.manifest)
            let config = try JSON.decode(ImageConfig.self, from: cfgBytes, what: "\(files.sourceName): config \(m.config.digest)")
            if config.rootfs.type.isEmpty && config.rootfs.diffIDs.isEmpty {
                // A config without rootfs describes an artifact, not a runnable image.
                plan.warnings.append("\(files.sourceName): manifest \(desc.digest) (\(at)): config has no rootfs; layers not checked against diff IDs")
                return
            }
            try LayerCheck.diffIDs(layers: zip(m.layers, layers).map { ($0.0.digest, $0.1) }, diffIDs: config.rootfs.diffIDs,
                                   source: files.sourceName, what: "manifest \(desc.digest)")
        }
        _ = staged
    }
}

/// The layer/diff ID consistency rule shared by every dialect.
enum LayerCheck {
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
