import TarArchive

/// The filesystem a stack of layers produces, computed by streaming the layer tars in
/// order without unpacking them: a `FileTree` of metadata and content digests.
///
/// The rules are exactly `LayerApplier`'s (whiteouts hide lower layers only, non-directories
/// replace subtrees, parent symlinks resolved inside the root, the same refusals with the
/// same messages), so `MergedView` of layers equals `DirectoryScanner` of their unpacking,
/// mtimes of implicitly created parents aside. Memory grows with the number of paths; file
/// content passes through one fixed buffer to be hashed.
public final class MergedView {
    /// The merged tree so far.
    public let tree: FileTree
    private var written = PathTrie<Bool>()
    private var layerName = ""
    private var nextGroup = 1
    private var layerIndex = -1
    private var ordinal = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

    /// Read and hash regular files' content (off: metadata only, content digests nil).
    private let hashContent: Bool

    /// The entries are one archive on an empty tree (`RootfsCheck`): a missing hardlink
    /// target is said to be no earlier entry, rather than to not exist.
    var singleArchive = false

    /// Starts from an empty tree (the `scratch` base), or from `base`, which is then modified.
    public init(base: FileTree = FileTree(), hashContent: Bool = true) {
        tree = base
        self.hashContent = hashContent
        var maxGroup = 0
        for (_, m) in base.entries() { maxGroup = max(maxGroup, m.hardlinkGroup ?? 0) }
        nextGroup = maxGroup + 1
    }

    deinit { buffer.deallocate() }

    /// Streams `layers` in order (lowest first) and returns the merged tree.
    /// - Throws: `LayerError` as `add(_:)`.
    public static func build(_ layers: [TarReader]) throws -> FileTree {
        let v = MergedView()
        for l in layers { try v.add(l) }
        return v.tree
    }

    /// Applies one more layer on top.
    /// - Throws: `LayerError` naming the layer and entry: `.unsafePath`, `.invalidWhiteout`,
    ///   `.invalidHardlink`, `.notADirectory`, `.nameTooLong`, `.unsupportedEntry`, `.archive`.
    public func add(_ reader: TarReader) throws {
        beginLayer(reader.name)
        while true {
            let e: TarEntry?
            do { e = try reader.next() } catch { throw LayerError.archive(layerName, error) }
            guard let entry = e else { break }
            try addEntry(entry, reader)
        }
    }

    /// Starts one more layer, named `name` in errors, whose entries `addEntry` then adds.
    func beginLayer(_ name: String) {
        layerName = name
        written = PathTrie<Bool>()
        layerIndex += 1
        ordinal = -1
    }

    func resolve(_ path: LayerPath, _ entry: TarEntry, create: Bool) throws -> (FileTree.Node, LayerPath)? {
        do {
            return try tree.resolveDirectory(path, create: create)
        } catch ResolveError.notADirectory(let p) {
            throw entryError(.notADirectory, layerName, entry, "parent \(p) is not a directory")
        } catch {
            throw entryError(.notADirectory, layerName, entry, "too many levels of symbolic links")
        }
    }

    /// Adds the entry `reader` is at (reading its content when hashing).
    /// - Returns: for an entry that writes a path, that path with the symlinks on the way
    ///   resolved inside the root; nil for the others (whiteouts, skipped entries).
    @discardableResult
    func addEntry(_ entry: TarEntry, _ reader: TarReader) throws -> LayerPath? {
        ordinal += 1
        switch try EntryAction(entry, layer: layerName) {
        case .skip:
            return nil
        case .opaque(let directory):
            guard let (dir, resolved) = try resolve(directory, entry, create: true) else { return nil }
            for name in Array(dir.children.keys) { removeLower(dir, name, resolved.appending(name)) }
            return nil
        case .whiteout(let directory, let name):
            guard let (dir, resolved) = try resolve(directory, entry, create: false) else { return nil }
            removeLower(dir, name, resolved.appending(name))
            return nil
        case .write(let path):
            guard let (dir, resolved) = try resolve(path.parent, entry, create: true) else { return nil }
            let target = resolved.appending(path.name)
            var meta = FileMetadata(entry: entry)
            var source: (Int, Int)? = nil
            switch entry.kind {
            case .socket:
                return target
            case .hardlink:
                let t = try EntryAction.hardlinkTarget(entry, layer: layerName)
                let parent = try? tree.resolveDirectory(t.parent, create: false)
                guard let (tdir, tres) = parent ?? nil, let node = tdir.children[t.name], node.meta.kind != .directory else {
                    let missing = (parent ?? nil)?.0.children[t.name] == nil
                    throw entryError(.invalidHardlink, layerName, entry, missing && singleArchive
                        ? "hardlink target \(t) is not an earlier entry of the archive"
                        : "hardlink target \(t) does not exist or is a directory")
                }
                if tres.appending(t.name) == target { return target }
                if node.meta.hardlinkGroup == nil {
                    node.meta.hardlinkGroup = nextGroup
                    nextGroup += 1
                }
                meta = node.meta
                source = node.source
            case .regular where !hashContent:
                source = (layerIndex, ordinal)
            case .regular:
                source = (layerIndex, ordinal)
                var d = StreamDigester()
                while true {
                    let n: Int
                    do { n = try reader.read(into: buffer) } catch { throw LayerError.archive(layerName, error) }
                    if n == 0 { break }
                    d.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                }
                meta.contentDigest = d.finalizeHex()
                meta.size = d.count
            default:
                break
            }
            if let old = dir.children[path.name], old.meta.kind == .directory, meta.kind == .directory {
                old.meta = meta
            } else {
                let n = FileTree.Node(meta)
                n.source = source
                dir.children[path.name] = n
            }
            written.insert(target, true)
            return target
        }
    }

    /// Removes what lower layers left at `name`, keeping what this layer wrote there or below.
    func removeLower(_ dir: FileTree.Node, _ name: [UInt8], _ resolved: LayerPath) {
        guard written.node(resolved) != nil else {
            dir.children.removeValue(forKey: name)
            return
        }
        guard let node = dir.children[name], node.meta.kind == .directory else { return }
        for child in Array(node.children.keys) { removeLower(node, child, resolved.appending(child)) }
    }
}

extension FileTree: InRootResolving {
    var rootHandle: Node { root }

    func lookup(_ name: [UInt8], in dir: Node) throws -> Lookup<Node> {
        guard let n = dir.children[name] else { return .missing }
        switch n.meta.kind {
        case .directory: return .directory(n)
        case .symlink: return .symlink(target: n.meta.linkTarget ?? [])
        default: return .other
        }
    }

    func makeDirectory(_ name: [UInt8], in dir: Node) throws -> Node {
        let n = Node(FileMetadata(kind: .directory, mode: 0o755))
        dir.children[name] = n
        return n
    }
}
