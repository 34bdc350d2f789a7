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
        // A name that reads as an image ID would hide one (docker refuses these too).
        let bare = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        if bare.count == 64, bare.allSatisfy({ "0123456789abcdef".contains($0) }) {
            throw LadingError(.invalidArgument, "refusing to create an ambiguous tag using digest algorithm as name: \(text)")
        }
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
        try remove([text], force: force, noPrune: noPrune)[0].get()
    }

    /// Removes each of `texts` in turn, as `remove(_:force:noPrune:)` does, in one locked
    /// step: `index.json` is read, edited and written once and the blobs collected once,
    /// so removing a thousand names costs linear time. A name that cannot be removed
    /// (unknown, a conflict) does not stop the others.
    /// - Returns: per text, docker's lines or the error that stopped it.
    /// - Throws: what stops the whole step (`index.json` unreadable, a document an image
    ///   that stays needs cannot be read): then nothing is removed.
    public func remove(_ texts: [String], force: Bool = false, noPrune: Bool = false) throws -> [Result<[String], Error>] {
        var relations = ChainIndex(try chains())
        let (results, _) = try layout.updateNamesAndCollect { table in
            texts.map { text in Result { try removeOne(text, from: &table, relations: &relations, force: force, noPrune: noPrune) } }
        }
        return results
    }

    private func removeOne(_ text: String, from table: inout NameTable, relations: inout ChainIndex,
                           force: Bool, noPrune: Bool) throws -> [String] {
        // A name is looked up without listing the image's other names (an image may have
        // thousands, each removed in turn); anything else as `find` resolves it.
        let named = Self.namedImage(text, in: table)
        let image = try named.map { ImageRecord(descriptor: $0.image.descriptor) } ?? Self.find(text, in: table)
        let byName = named?.name ?? (try? Reference(parsing: text)).map(\.withDefaultTag).flatMap { image.names.contains($0) ? $0 : nil }
        let hasChildren = relations.children(of: image.id) > 0
        var lines: [String] = []
        let toUntag: [Reference]
        var deleteImage: Bool
        if let byName {
            toUntag = [byName]
            deleteImage = (named?.image.nameCount ?? image.names.count) == 1 && !hasChildren
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
            // Every image gone in this step extends the next parent's chain.
            var gone = 1
            while let p = relations.parent(of: current.id), table.record(of: p.id)?.isDangling ?? false {
                if relations.children(of: p.id) > gone { break }
                parents.append(p)
                gone += 1
                current = p
            }
        }
        for n in toUntag {
            table.untag(n, from: image.id)
            lines.append("Untagged: \(n.familiarString)")
        }
        let stillNamed = table.isNamed(image.id)
        if deleteImage && !stillNamed {
            table.removeImage(image.id)
            relations.remove(image.id)
            lines.append("Deleted: \(image.id)")
        } else if !stillNamed {
            table.keepUnnamed(image.descriptor)
        }
        for p in parents {
            table.removeImage(p.id)
            relations.remove(p.id)
            lines.append("Deleted: \(p.id)")
        }
        return lines
    }

    /// The image `text` names by one of its names, as `find` would resolve it (a full ID
    /// of an image in the table is an ID first); nil for anything else.
    private static func namedImage(_ text: String, in table: NameTable) -> (name: Reference, image: (descriptor: Descriptor, nameCount: Int))? {
        let bare = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        if bare.count == 64, let d = try? Digest(parsing: "sha256:\(bare)"), table.contains(d) { return nil }
        guard let ref = (try? Reference(parsing: text))?.withDefaultTag, let hit = table.image(named: ref) else { return nil }
        return (ref, hit)
    }
}
