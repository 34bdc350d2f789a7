import TarArchive

/// Merges a range of layers into one layer (squash; FORMATS.md §6, moby's graphdriver
/// `SquashImage`): the new layer is the changeset from the retained lower layers to the
/// filesystem the whole stack produces.
///
/// - A deletion in the range becomes a `.wh.` whiteout only where it hides something in a
///   lower layer (with no lower layers, none survive); opaque directories become explicit
///   whiteouts of the lower children they hid; delete-then-re-add and type replacements
///   (directory → file, symlink → directory) come out as the final entry.
/// - Hardlink groups stay linked (those of symlinks, devices and FIFOs too) and keep their
///   content even when the name they were linked to is removed or overwritten later; owners,
///   modes, xattrs, mtimes and devices are kept; no path appears twice.
/// - Content is streamed from the layer tars, never buffered: a first pass builds the merged
///   view, then each layer is read once more and the surviving files copied out of it.
///
/// Output order: directories, symlinks, devices, FIFOs and whiteouts sorted (parents first),
/// then regular files layer by layer in stream order, each followed by its hardlinks.
public struct LayerSquasher {
    /// Opens layer `i` of the range (0 = lowest); called twice per layer.
    public typealias Opener = (Int) throws -> TarReader

    public init() {}

    /// - Parameters:
    ///   - count: the number of layers in the range.
    ///   - open: opens layer `i` of the range.
    ///   - lower: the merged view of the retained lower layers, or nil for none.
    ///   - writer: receives the squashed layer (not finished).
    /// - Returns: the changes the squashed layer carries relative to `lower`; over no lower
    ///   layer (every path added) an empty list.
    /// - Throws: `LayerError` from reading the layers; `.invalidHardlink` for a hardlink to a
    ///   lower-layer file that no unchanged name still holds.
    @discardableResult
    public func squash(count: Int, open: Opener, lower: FileTree?, to writer: TarWriter) throws -> [Change] {
        let base = lower ?? FileTree()
        // Over no lower layer everything is added: content digests would go unused.
        let view = MergedView(base: base.copy(), hashContent: lower != nil)
        for i in 0..<count { try view.add(try open(i)) }
        let merged = view.tree
        let changes: [Change]
        var emit = Set<LayerPath>()
        var groups: [Int: [LayerPath]] = [:]
        let order: [(LayerPath, Bool)]
        if lower == nil {
            // Over nothing every path is added, in the tree's own order (sorted, parents
            // first): no comparison and no set of paths to hold (export, import's rewrite).
            changes = []
            var paths: [(LayerPath, Bool)] = []
            merged.forEachEntry { p, m in
                paths.append((p, false))
                if let g = m.hardlinkGroup { groups[g, default: []].append(p) }
            }
            order = paths
        } else {
            changes = TreeComparison.changes(from: base, to: merged, options: ChangeOptions(compareDirectoryTimes: true))
            var whiteouts = Set<LayerPath>()
            for c in changes { if c.kind == .deleted { whiteouts.insert(c.path) } else { emit.insert(c.path) } }
            for (p, m) in merged.entries() { if let g = m.hardlinkGroup { groups[g, default: []].append(p) } }
            for p in Array(emit) {
                // A regular file linked to a lower-layer file is pointed at a name that still
                // holds it (below); any other group is written whole.
                guard let m = merged[p], let g = m.hardlinkGroup, m.kind != .regular || merged.source(p) != nil else { continue }
                for q in groups[g] ?? [] { emit.insert(q) }
            }
            for p in Array(emit) + Array(whiteouts) {
                var q = p.parent
                while !q.isRoot { emit.insert(q); q = q.parent }
            }
            order = (emit.map { ($0, false) } + whiteouts.map { ($0, true) }).sorted { $0.0 < $1.0 }
        }

        // Regular files by content source; everything else now, in sorted order (the first
        // name of a linked symlink, device or FIFO is the entry, the others hardlinks to it).
        var bySource: [Int: [Int: [LayerPath]]] = [:]
        var firstName: [Int: LayerPath] = [:]
        for (path, isWhiteout) in order {
            if isWhiteout {
                try writer.writeHeader(Whiteout.entry(deleting: path))
                continue
            }
            guard let meta = merged[path], meta.kind != .socket else { continue }
            if meta.kind == .regular {
                if let s = merged.source(path) {
                    bySource[s.layer, default: [:]][s.entry, default: []].append(path)
                } else {
                    // Linked to a lower-layer file: point at a name that still holds it.
                    let holder = (groups[meta.hardlinkGroup ?? -1] ?? []).first { !emit.contains($0) }
                    guard let holder else {
                        throw LayerError(.invalidHardlink, "squash: \(path): hardlinked lower-layer file has no remaining name")
                    }
                    var e = meta.tarEntry(path: path)
                    e.kind = .hardlink
                    e.size = 0
                    e.linkBytes = holder.bytes
                    try writer.writeHeader(e)
                }
                continue
            }
            var e = meta.tarEntry(path: path)
            if let g = meta.hardlinkGroup {
                if let first = firstName[g] {
                    e.kind = .hardlink
                    e.linkBytes = first.bytes
                } else {
                    firstName[g] = path
                }
            }
            try writer.writeHeader(e)
        }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        for layer in bySource.keys.sorted() {
            let wanted = bySource[layer]!
            let reader = try open(layer)
            var ordinal = -1
            while true {
                let next: TarEntry?
                do { next = try reader.next() } catch { throw LayerError.archive(reader.name, error) }
                guard next != nil else { break }
                ordinal += 1
                guard let paths = wanted[ordinal]?.sorted(), let first = paths.first, let meta = merged[first] else { continue }
                try writer.writeHeader(meta.tarEntry(path: first))
                var copied: Int64 = 0
                while true {
                    let n: Int
                    do { n = try reader.read(into: buffer) } catch { throw LayerError.archive(reader.name, error) }
                    if n == 0 { break }
                    try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                    copied += Int64(n)
                }
                if copied != meta.size {
                    throw LayerError(.archive, "\(reader.name): entry \(first): content changed between passes")
                }
                for other in paths.dropFirst() {
                    var e = meta.tarEntry(path: other)
                    e.kind = .hardlink
                    e.size = 0
                    e.linkBytes = first.bytes
                    try writer.writeHeader(e)
                }
            }
        }
        return changes
    }
}
