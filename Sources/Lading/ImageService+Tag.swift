import ImageLayout
import ImageSpec

extension ImageService {
    /// Gives the image `source` resolves to the name `target` (moved from any image that had it).
    /// - Throws: `LadingError.notFound`; `SpecError.invalidReference` for a bad target.
    public func tag(_ source: String, _ target: String) throws {
        let image = try resolve(source)
        let ref = try Reference(parsing: target)
        guard ref.digest == nil else { throw LadingError(.invalidArgument, "refusing to create a tag with a digest reference: \(target)") }
        let name = ref.withDefaultTag
        try layout.updateIndex { index in
            index.manifests.removeAll { $0.storedName == name }
            index.manifests.removeAll { $0.digest == image.id && $0.storedName == nil }
            index.manifests.append(image.descriptor.named(name))
        }
    }

    /// Removes names, and images whose last name goes (docker's `rmi`).
    ///
    /// By name: untags that name; the image goes with its last name. By ID: the image
    /// goes with all its names, which needs `force` when they span several repositories.
    /// Blobs no longer reachable from any image are removed in the same locked step.
    /// - Returns: docker's lines, `Untagged: NAME` and `Deleted: DIGEST`.
    /// - Throws: `LadingError.notFound`, `.conflict` (several repositories without `force`).
    public func remove(_ text: String, force: Bool = false) throws -> [String] {
        let image = try resolve(text)
        let byName = (try? Reference(parsing: text)).map(\.withDefaultTag).flatMap { image.names.contains($0) ? $0 : nil }
        var lines: [String] = []
        let toUntag: [Reference]
        if let byName {
            toUntag = [byName]
        } else {
            let repos = Set(image.names.map(\.name))
            if repos.count > 1 && !force {
                throw LadingError(.conflict, "conflict: unable to delete \(image.id.shortID) (must be forced) - image is referenced in multiple repositories")
            }
            toUntag = image.names
        }
        try layout.updateIndex { index in
            for n in toUntag {
                index.manifests.removeAll { $0.digest == image.id && $0.storedName == n }
                lines.append("Untagged: \(n.familiarString)")
            }
            let stillNamed = index.manifests.contains { $0.digest == image.id && $0.storedName != nil }
            if !stillNamed {
                index.manifests.removeAll { $0.digest == image.id }
                lines.append("Deleted: \(image.id)")
            }
            try GarbageCollector.collect(layout, index: index)
        }
        return lines
    }
}
