import TarArchive

/// What one layer entry asks for, after name cleaning and whiteout classification. Shared
/// by `LayerApplier` (disk) and `MergedView` (memory) so both refuse the same entries with
/// the same messages.
enum EntryAction {
    /// Nothing to do (a directory entry naming the root, an aufs meta entry).
    case skip
    /// Hide every lower child of the directory.
    case opaque(directory: LayerPath)
    /// Hide the lower `name` in `directory`.
    case whiteout(directory: LayerPath, name: [UInt8])
    /// Create or replace the entry at `path`.
    case write(path: LayerPath)

    /// - Throws: `LayerError` naming the layer and entry: `.unsafePath`, `.invalidWhiteout`,
    ///   `.nameTooLong`, `.unsupportedEntry` (a symlink with an empty target).
    init(_ entry: TarEntry, layer: String) throws {
        let path: LayerPath
        do { path = try LayerPath.clean(entry.pathBytes) } catch {
            throw entryError(.unsafePath, layer, entry, "path escapes the root")
        }
        if path.isRoot {
            if entry.kind == .directory { self = .skip; return }
            throw entryError(.unsafePath, layer, entry, "a non-directory cannot replace the root")
        }
        let w: Whiteout?
        do { w = try Whiteout.classify(path) } catch {
            throw entryError(.invalidWhiteout, layer, entry, "whiteout names nothing")
        }
        switch w {
        case .meta: self = .skip
        case .opaque: self = .opaque(directory: path.parent)
        case .remove(let name): self = .whiteout(directory: path.parent, name: name)
        case nil: self = .write(path: path)
        }
        // No file system takes a name longer than NAME_MAX; say so before trying.
        let names: [[UInt8]]
        switch self {
        case .skip: names = []
        case .opaque(let d): names = d.components
        case .whiteout(let d, let n): names = d.components + [n]
        case .write(let p): names = p.components
        }
        if let long = names.first(where: { $0.count > Self.nameMax }) {
            throw entryError(.nameTooLong, layer, entry, "a name in the path is \(long.count) bytes, longer than \(Self.nameMax) (NAME_MAX)")
        }
        // symlink(2) refuses an empty target (ENOENT), as it does for docker and containerd.
        if case .write = self, entry.kind == .symlink, (entry.linkBytes ?? []).isEmpty {
            throw entryError(.unsupportedEntry, layer, entry, "symlink target is empty")
        }
    }

    /// The longest name of one path component Linux file systems take.
    static let nameMax = 255

    /// A hardlink entry's cleaned target.
    /// - Throws: `LayerError` `.invalidHardlink` when it escapes or names the root.
    static func hardlinkTarget(_ entry: TarEntry, layer: String) throws -> LayerPath {
        let raw = entry.linkBytes ?? []
        guard let t = try? LayerPath.clean(raw) else {
            throw entryError(.invalidHardlink, layer, entry, "hardlink target \(LayerPath.escape(raw)) escapes the root")
        }
        if t.isRoot { throw entryError(.invalidHardlink, layer, entry, "hardlink target is the root") }
        return t
    }
}

/// `"<layer>: entry <escaped name>: <what>"`, names over 100 characters cut short with `…`.
func entryError(_ code: LayerError.Code, _ layer: String, _ entry: TarEntry, _ what: String, cause: String? = nil) -> LayerError {
    LayerError(code, "\(layer): entry \(LayerPath.shortened(entry.pathBytes)): \(what)", cause: cause)
}
