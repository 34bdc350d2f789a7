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
    /// locked step.
    public func prune(_ options: PruneOptions) throws -> PruneReport {
        var report = PruneReport()
        let candidates = try images().filter { options.all || $0.names.isEmpty }
        var selected: [StoredImage] = []
        for img in candidates {
            let d = try? details(of: img)
            let labels = d?.config.config?.labels ?? [:]
            if let until = options.until {
                guard let c = d?.config.created.flatMap(parseRFC3339), c < until else { continue }
            }
            if !options.labels.allSatisfy({ k, v in labels[k] != nil && (v == nil || labels[k] == v) }) { continue }
            if options.notLabels.contains(where: { k, v in labels[k] != nil && (v == nil || labels[k] == v) }) { continue }
            selected.append(img)
        }
        let ids = Set(selected.map(\.id))
        // Deleting blobs waits for copies that are installing blobs not named yet.
        try layout.withCollectionLock(exclusive: !options.dryRun) {
            try layout.updateIndex { index in
                for img in selected {
                    report.untagged += img.names.map(\.familiarString)
                    report.deletedImages.append(img.id)
                }
                index.manifests.removeAll { ids.contains($0.digest) }
                if options.dryRun {
                    report.deletedBlobs = try GarbageCollector.unreachable(layout, index: index)
                    index = try layout.readIndex()
                } else {
                    report.deletedBlobs = try GarbageCollector.collect(layout, index: index)
                    layout.cleanAbandonedIngest()
                }
            }
        }
        return report
    }

}

/// Parses RFC 3339 with or without fractional seconds (Go writes up to 9 digits).
public func parseRFC3339(_ s: String) -> Date? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    if let d = f.date(from: s) { return d }
    guard let dot = s.firstIndex(of: "."),
          let end = s[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) else { return nil }
    let trimmed = String(s[..<dot]) + "." + s[s.index(after: dot)..<end].prefix(3) + String(s[end...])
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.date(from: trimmed)
}
