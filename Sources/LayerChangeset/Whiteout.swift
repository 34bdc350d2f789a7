import TarArchive
/// The whiteout rules of the OCI image layer format (image-spec `layer.md`, FORMATS.md §5),
/// in one place.
///
/// - `.wh.NAME` hides `NAME` (and its subtree) in lower layers of the same directory.
/// - `.wh..wh..opq` makes its directory opaque: every lower descendant is hidden.
/// - Other `.wh..wh.*` names directly under the root, and everything below them, are aufs
///   meta entries (`.wh..wh.plnk/…` and friends) and are skipped, as moby does; deeper down
///   such names are ordinary whiteouts.
/// - `.wh.`, `.wh..` and `.wh...` name nothing inside the directory and are invalid.
public enum Whiteout: Equatable, Sendable {
    /// Hides the sibling with this name in lower layers.
    case remove(name: [UInt8])
    /// Hides every lower child of the directory holding the marker.
    case opaque
    /// An aufs meta entry at the root (or inside one): skipped.
    case meta

    public static let prefix: [UInt8] = Array(".wh.".utf8)
    public static let opaqueMarker: [UInt8] = Array(".wh..wh..opq".utf8)
    static let metaPrefix: [UInt8] = Array(".wh..wh.".utf8)

    /// The invalid marker error.
    public struct Invalid: Error {}

    /// Classifies a cleaned entry path.
    /// - Returns: nil for an ordinary entry.
    /// - Throws: `Invalid` for a marker that names nothing (`.wh.`, `.wh..`, `.wh...`).
    public static func classify(_ path: LayerPath) throws -> Whiteout? {
        let name = path.name
        if let first = path.components.first, first.starts(with: metaPrefix),
           !(path.components.count == 1 && first == opaqueMarker) {
            return .meta
        }
        guard name.starts(with: prefix) else { return nil }
        if name == opaqueMarker { return .opaque }
        let target = Array(name.dropFirst(prefix.count))
        if target.isEmpty || target == [0x2E] || target == [0x2E, 0x2E] { throw Invalid() }
        return .remove(name: target)
    }

    /// The marker name that hides `name`: `.wh.` + name.
    public static func marker(for name: [UInt8]) -> [UInt8] { prefix + name }

    /// Whether a component of `path` starts with `.wh.`. In a layer such a name is a
    /// whiteout marker (or an aufs meta entry), never a file: a filesystem that becomes a
    /// layer (a tarball `import`s, a directory `commit` writes) may hold none, or the file
    /// would silently not appear and a lower one of the same name would be deleted.
    public static func isReserved(_ path: LayerPath) -> Bool {
        path.components.contains { $0.starts(with: prefix) }
    }

    /// Why a reserved name is refused in `what` (`a filesystem tarball`, `a committed directory`).
    static func reservedMessage(in what: String) -> String { ".wh. names are not allowed in \(what)" }
}

extension Whiteout {
    /// The tar entry that deletes `path` from lower layers: an empty regular file
    /// `.wh.NAME` beside it, mode 0600, owner 0:0, mtime 0, no user or group names.
    public static func entry(deleting path: LayerPath) -> TarEntry {
        var e = TarEntry(path: "", kind: .regular, permissions: 0o600)
        e.pathBytes = path.parent.appending(marker(for: path.name)).bytes
        e.uname = ""
        e.gname = ""
        return e
    }
}
