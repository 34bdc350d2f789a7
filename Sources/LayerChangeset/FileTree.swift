/// An in-memory file tree: path → `FileMetadata`, with no content. Memory grows with the
/// number of paths, never with file sizes.
///
/// Built by `MergedView` from layer streams or by `DirectoryScanner` from a directory;
/// compared by `TreeComparison`. The root always exists and is a directory.
public final class FileTree {
    final class Node {
        var meta: FileMetadata
        var children: [[UInt8]: Node] = [:]
        /// For a regular file merged from layers: (layer index, entry ordinal) holding its content.
        var source: (layer: Int, entry: Int)?
        init(_ meta: FileMetadata) { self.meta = meta }

        func copy() -> Node {
            let n = Node(meta)
            n.source = source
            for (k, c) in children { n.children[k] = c.copy() }
            return n
        }

        func sortedChildren() -> [([UInt8], Node)] {
            children.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        }

        var count: Int { children.values.reduce(children.count) { $0 + $1.count } }
    }

    let root: Node

    public init(rootMetadata: FileMetadata = FileMetadata(kind: .directory, mode: 0o755)) {
        root = Node(rootMetadata)
    }

    /// A deep copy.
    public func copy() -> FileTree {
        let t = FileTree(rootMetadata: root.meta)
        for (k, c) in root.children { t.root.children[k] = c.copy() }
        return t
    }

    func setSource(_ path: LayerPath, _ s: (Int, Int)?) { node(path)?.source = s }
    func source(_ path: LayerPath) -> (layer: Int, entry: Int)? { node(path)?.source }

    /// The number of paths, the root excluded.
    public var count: Int { root.count }

    func node(_ path: LayerPath) -> Node? {
        var n = root
        for c in path.components {
            guard let next = n.children[c] else { return nil }
            n = next
        }
        return n
    }

    /// The metadata at `path`, or nil when nothing is there.
    public subscript(path: LayerPath) -> FileMetadata? { node(path)?.meta }

    /// A path given as text (`etc/passwd` or `/etc/passwd`).
    public subscript(path: String) -> FileMetadata? { LayerPath(path).flatMap { self[$0] } }

    /// Sets `meta` at `path`. The parent must exist and be a directory. A non-directory, or
    /// a directory replacing a non-directory, drops the old subtree.
    func set(_ path: LayerPath, _ meta: FileMetadata) {
        guard let parent = node(path.parent), !path.isRoot else {
            if path.isRoot { root.meta = meta }
            return
        }
        if let old = parent.children[path.name], old.meta.kind == .directory, meta.kind == .directory {
            old.meta = meta
        } else {
            parent.children[path.name] = Node(meta)
        }
    }

    /// Removes `path` and its subtree.
    @discardableResult
    func remove(_ path: LayerPath) -> Bool {
        guard !path.isRoot, let parent = node(path.parent) else { return false }
        return parent.children.removeValue(forKey: path.name) != nil
    }

    /// Sets every mtime later than `clamp` (seconds) to it, nanoseconds dropped.
    func clampMtimes(to clamp: Int64) {
        func walk(_ n: Node) {
            for child in n.children.values {
                if child.meta.mtime > clamp || (child.meta.mtime == clamp && child.meta.mtimeNanoseconds > 0) {
                    child.meta.mtime = clamp
                    child.meta.mtimeNanoseconds = 0
                }
                walk(child)
            }
        }
        walk(root)
    }

    /// Every path below the root with its metadata, parents before children, siblings in
    /// byte order.
    public func entries() -> [(path: LayerPath, meta: FileMetadata)] {
        var out: [(LayerPath, FileMetadata)] = []
        forEachEntry { out.append(($0, $1)) }
        return out
    }

    /// Calls `body` with every path below the root and its metadata, in `entries()`'s
    /// order, without building the list.
    public func forEachEntry(_ body: (LayerPath, FileMetadata) throws -> Void) rethrows {
        func walk(_ n: Node, _ p: LayerPath) throws {
            for (name, child) in n.sortedChildren() {
                let cp = p.appending(name)
                try body(cp, child.meta)
                try walk(child, cp)
            }
        }
        try walk(root, .root)
    }
}
