import Foundation
import ImageSpec

/// Reachability and garbage collection, built on `DescriptorWalk`.
///
/// Order (as containerd's and umoci's): the new `index.json` is written first, then the
/// blobs it no longer reaches are deleted. A command stopped in between leaves only
/// unreferenced blobs, which the next collection removes; never a name without its
/// blobs. A reachable document that cannot be read stops the collection before
/// anything is written or deleted.
extension OCILayout {
    /// Every digest `roots` reach: indexes, manifests, configs, layers and subjects.
    /// - Throws: `LayoutError.invalidDocument` / `.blobNotFound` naming a reachable
    ///   document that cannot be read, and its path from `index.json`.
    public func reachable(from roots: [Descriptor]) throws -> Set<Digest> {
        var live = Set<Digest>()
        var walk = DescriptorWalk(source: self)
        walk.namesInPaths = true
        try walk.visit(roots) { node in
            live.insert(node.descriptor.digest)
            return .descend
        }
        return live
    }

    /// The blobs under `blobs/sha256/` that `roots` do not reach, with their sizes in
    /// bytes, sorted by digest. Files whose names are not digests are left out.
    /// - Throws: as `reachable(from:)`.
    public func unreachable(from roots: [Descriptor]) throws -> [(Digest, Int64)] {
        let live = try reachable(from: roots)
        return allBlobs().filter { !live.contains($0.0) }
    }

    /// Every blob under `blobs/sha256/` with its size in bytes, sorted by digest (files
    /// whose names are not digests left out); what the layout has, reachable or not.
    public func allBlobs() -> [(Digest, Int64)] {
        var out: [(Digest, Int64)] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/blobs/sha256")) ?? [] {
            guard let d = try? Digest(parsing: "sha256:\(name)"), d.encoded == name else { continue }
            out.append((d, blobSize(d) ?? 0))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Edits the names of `index.json` with `edit` and removes the blobs the edited index no longer
    /// reaches, the temporary index files and ingest directories of killed commands;
    /// under the collection lock and the index lock, index written before any blob is
    /// deleted.
    ///
    /// With `dryRun`, nothing is written, deleted or locked (a read-only store works):
    /// the result says what would go.
    /// - Returns: `edit`'s result and the blobs removed (or that would be), with sizes.
    /// - Throws: what `edit` throws, and as `reachable(from:)`: then nothing is
    ///   written or deleted.
    public func updateNamesAndCollect<T>(dryRun: Bool = false, _ edit: (inout NameTable) throws -> T) throws -> (T, [(Digest, Int64)]) {
        if dryRun {
            var table = NameTable(try readIndex())
            let result = try edit(&table)
            return (result, try unreachable(from: table.index.manifests))
        }
        return try withCollectionLock(exclusive: true) {
            try withLock {
                let read = try readIndex()
                var table = NameTable(read)
                let result = try edit(&table)
                let index = table.index
                let dead = try unreachable(from: index.manifests)
                let before = try JSON.encode(read)
                let after = try JSON.encode(index)
                if after != before { try writeIndexLocked(after) }
                var removed: [(Digest, Int64)] = []
                for (d, size) in dead where unlink(blobPath(d)) == 0 { removed.append((d, size)) }
                sweepIndexTemporaries()
                cleanAbandonedIngest()
                return (result, removed)
            }
        }
    }

    /// Removes `.UUID.tmp` files a command killed while writing `index.json` left at the
    /// layout's root. Call with the index lock held: nobody else writes one then.
    func sweepIndexTemporaries() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where Self.isIndexTemporary(name) {
            unlink("\(root)/\(name)")
        }
    }

    /// `.` + a UUID + `.tmp`: the name `FileOps.writeAtomically` gives its temporary file.
    static func isIndexTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        return UUID(uuidString: String(name.dropFirst().dropLast(4))) != nil
    }
}
