import Foundation
import ImageLayout
import ImageSpec

/// What `prune` selects: dangling images by default, every image with `all`, narrowed
/// by docker's filters.
public struct PruneOptions: Sendable {
    public var all = false
    /// Only images created before this time (config `created`; docker's `until`).
    public var until: Date?
    /// `label=KEY[=VALUE]`: the config must have each.
    public var labels: [(String, String?)] = []
    /// `label!=KEY[=VALUE]`: images matching any of these are kept.
    public var notLabels: [(String, String?)] = []
    public var dryRun = false
    public init() {}
}

/// What `prune` removed (or would remove, on a dry run).
public struct PruneReport: Sendable {
    public var untagged: [String] = []
    public var deletedImages: [Digest] = []
    public var deletedBlobs: [(Digest, Int64)] = []
    public var reclaimed: Int64 { deletedBlobs.reduce(0) { $0 + $1.1 } }
}

extension ImageService {
    /// Removes dangling (unnamed) images, or every selected image with `all`, then every
    /// blob no longer reachable from `index.json` (walking indexes, manifests, configs,
    /// layers and subjects), and the temporary files of killed commands. All in one
    /// locked step, `index.json` written before any blob is deleted.
    /// - Throws: `LayoutError.invalidDocument` (or `.blobNotFound`) naming a document an
    ///   image that stays needs and that cannot be read, with its path from `index.json`;
    ///   then nothing is removed.
    public func prune(_ options: PruneOptions) throws -> PruneReport {
        var report = PruneReport()
        let candidates = try images().filter { options.all || $0.isDangling }
        var selected: [ImageRecord] = []
        let filtered = options.until != nil || !options.labels.isEmpty || !options.notLabels.isEmpty
        for img in candidates {
            var labels: [String: String] = [:]
            var created: Date?
            if filtered {
                // An image whose config cannot be read is kept: nothing is removed on a
                // guess of what a document says.
                guard let d = try? details(of: img) else { continue }
                labels = d.config.config?.labels ?? [:]
                created = d.config.created.flatMap(parseRFC3339)
            }
            if let until = options.until {
                guard let c = created, c < until else { continue }
            }
            if !options.labels.allSatisfy({ k, v in labels[k] != nil && (v == nil || labels[k] == v) }) { continue }
            if options.notLabels.contains(where: { k, v in labels[k] != nil && (v == nil || labels[k] == v) }) { continue }
            selected.append(img)
        }
        selected = try keepingReferrers(of: selected)
        let ids = Set(selected.map(\.id))
        // The new index.json is written before any blob is deleted; a dry run locks nothing.
        (_, report.deletedBlobs) = try layout.updateNamesAndCollect(dryRun: options.dryRun) { names in
            for img in selected {
                report.untagged += img.names.map(\.familiarString)
                report.deletedImages.append(img.id)
            }
            for id in ids { names.removeImage(id) }
        }
        return report
    }

    /// `selected` less the referrers (image-spec manifest.md `subject`: signatures,
    /// SBOMs, attestations stored as unnamed entries) of what stays: metadata attached
    /// to a kept image is kept with it, however deep the chain (a signature of an SBOM).
    /// One whose document cannot be read is kept: whether it refers to a kept image
    /// cannot be told, and nothing is deleted on a guess (`rmi` removes it by ID).
    func keepingReferrers(of selected: [ImageRecord]) throws -> [ImageRecord] {
        struct Subject: Decodable { var subject: Descriptor? }
        var subjects: [Digest: Digest] = [:]
        var unreadable: Set<Digest> = []
        for img in selected {
            do {
                let doc = try JSON.decode(Subject.self, from: try layout.readBlob(img.descriptor.digest), what: "manifest")
                subjects[img.id] = doc.subject?.digest
            } catch {
                unreadable.insert(img.id)
            }
        }
        var left = selected.filter { !unreadable.contains($0.id) }
        guard !subjects.isEmpty else { return left }
        let chosen = Set(selected.map(\.id))
        let staying = try images().filter { !chosen.contains($0.id) }.map(\.descriptor)
        var kept = try layout.reachable(from: staying)
        while true {
            let keep = left.filter { img in subjects[img.id].map { kept.contains($0) } ?? false }
            if keep.isEmpty { return left }
            kept.formUnion(try layout.reachable(from: keep.map(\.descriptor)))
            let ids = Set(keep.map(\.id))
            left.removeAll { ids.contains($0.id) }
        }
    }
}
