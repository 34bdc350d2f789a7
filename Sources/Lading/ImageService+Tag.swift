import ImageLayout
import ImageSpec

extension ImageService {
    /// Gives the image `source` resolves to the name `target`, moved from any image that
    /// had it; that image stays, unnamed, when no other name refers to it.
    /// - Throws: `LadingError.notFound`; `SpecError.invalidReference` for a bad target.
    public func tag(_ source: String, _ target: String) throws {
        let image = try resolve(source)
        let name = try Self.newImageName(target, verb: "tag")
        _ = try layout.updateNames { names in names.assign(name, to: image.descriptor) }
    }

    /// Parses the name `tag`, `import`, `commit` or `squash` gives an image: a reference
    /// without a digest (a digest names content, it cannot be given to other content),
    /// with `latest` for a missing tag.
    /// - Throws: `SpecError.invalidReference`; `LadingError.invalidArgument` for a digest
    ///   reference, as docker: `cannot import digest reference: NAME`.
    public static func newImageName(_ text: String, verb: String) throws -> Reference {
        let ref = try Reference(parsing: text)
        guard ref.digest == nil else {
            switch verb {
            case "tag": throw LadingError(.invalidArgument, "refusing to create a tag with a digest reference: \(text)")
            case "import": throw LadingError(.invalidArgument, "cannot import digest reference: \(text)")
            default: throw LadingError(.invalidArgument, "cannot \(verb) to digest reference: \(text)")
            }
        }
        return ref.withDefaultTag
    }

    /// Removes names, and images whose last name goes (docker's `rmi`).
    ///
    /// By name: untags that name; the image goes with its last name, unless other
    /// images are built on it (then it stays, unnamed, for them). By ID: the image goes
    /// with all its names; names in several repositories, or child images, need
    /// `force`. Afterwards its parents that are left unnamed and childless go too,
    /// unless `noPrune`. Blobs no longer reachable are removed in the same locked step.
    /// - Returns: docker's lines, `Untagged: NAME` and `Deleted: DIGEST`.
    /// - Throws: `LadingError.notFound`, `.conflict` naming the reason.
    public func remove(_ text: String, force: Bool = false, noPrune: Bool = false) throws -> [String] {
        let image = try resolve(text)
        let byName = (try? Reference(parsing: text)).map(\.withDefaultTag).flatMap { image.names.contains($0) ? $0 : nil }
        let all = try chains()
        let hasChildren = !(try children(of: image.id.description)).isEmpty
        var lines: [String] = []
        let toUntag: [Reference]
        var deleteImage: Bool
        if let byName {
            toUntag = [byName]
            deleteImage = image.names.count == 1 && !hasChildren
        } else {
            if Set(image.names.map(\.name)).count > 1 && !force {
                throw LadingError(.conflict, "conflict: unable to delete \(image.id.shortID) (must be forced) - image is referenced in multiple repositories")
            }
            if hasChildren && !force {
                throw LadingError(.conflict, "conflict: unable to delete \(image.id.shortID) (must be forced) - image has dependent child images")
            }
            toUntag = image.names
            deleteImage = true
        }
        // Parents that become removable: unnamed, and with no child left but this line.
        var parents: [ImageRecord] = []
        if deleteImage && !noPrune {
            var current = image
            var gone: Set<Digest> = [image.id]
            while let p = parent(of: current, in: all), p.isDangling {
                let pc = all.first { $0.image.id == p.id }?.chain ?? []
                if all.contains(where: { !gone.contains($0.image.id) && extends($0.chain, pc) }) { break }
                parents.append(p)
                gone.insert(p.id)
                current = p
            }
        }
        // The new index.json is written before any blob is deleted.
        _ = try layout.updateNamesAndCollect { names in
            for n in toUntag {
                names.untag(n, from: image.id)
                lines.append("Untagged: \(n.familiarString)")
            }
            let stillNamed = names.isNamed(image.id)
            if deleteImage && !stillNamed {
                names.removeImage(image.id)
                lines.append("Deleted: \(image.id)")
            } else if !stillNamed {
                names.keepUnnamed(image.descriptor)
            }
            for p in parents {
                names.removeImage(p.id)
                lines.append("Deleted: \(p.id)")
            }
        }
        return lines
    }
}
