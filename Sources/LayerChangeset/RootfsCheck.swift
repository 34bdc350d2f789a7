import TarArchive

/// Checks a filesystem tarball (what `import` turns into a one-layer image) entry by
/// entry, so that the image made of it can be unpacked: the entries must pass every rule
/// `LayerApplier` applies to a layer, with the same messages (names that climb out of the
/// root, a non-directory for the root, hardlinks whose target escapes, is the root, is a
/// directory or is not an earlier entry, parents that are not directories, names longer
/// than NAME_MAX, symlinks with an empty target).
///
/// No name may have a component starting with `.wh.` (`Whiteout.isReserved`), neither as
/// written nor once the symlinks on its way are resolved (`l/f` with `l` → `.wh.x`): in a
/// layer such a name is a whiteout marker (or an aufs meta entry), not a file, so the file
/// would silently not appear, or a rewritten layer (duplicates, see `import`) would not unpack.
///
/// A layer tarball (`append`'s) may hold whiteout markers (`.wh.NAME`, `.wh..wh..opq`)
/// with `whiteouts`: they are checked as unpacking checks them and delete nothing here.
///
/// Only metadata is kept (one tree node per path); file content is not read.
public final class RootfsCheck {
    private let view = MergedView(hashContent: false)
    private let name: String
    private let whiteouts: Bool
    /// Whether a whiteout marker was met (with `whiteouts`).
    public private(set) var sawWhiteout = false

    /// - Parameters:
    ///   - name: the tarball's name, for errors (`<name>: entry <entry>: <what>`).
    ///   - whiteouts: accept whiteout markers (a layer, not a filesystem).
    public init(name: String, whiteouts: Bool = false) {
        self.name = name
        self.whiteouts = whiteouts
        view.singleArchive = true
        view.beginLayer(name)
    }

    static let whiteoutMessage = Whiteout.reservedMessage(in: "a filesystem tarball")

    /// Checks the entry `reader` is at, in archive order.
    /// - Throws: `LayerError` naming the tarball and entry: `.unsafePath`, `.invalidWhiteout`,
    ///   `.invalidHardlink`, `.notADirectory`, `.nameTooLong`, `.unsupportedEntry`.
    public func check(_ entry: TarEntry, _ reader: TarReader) throws {
        let path = try? LayerPath.clean(entry.pathBytes)
        if let path, Whiteout.isReserved(path) {
            guard whiteouts else { throw entryError(.invalidWhiteout, name, entry, "whiteout marker: \(Self.whiteoutMessage)") }
            sawWhiteout = true
        }
        if let resolved = try view.addEntry(entry, reader), Whiteout.isReserved(resolved) {
            // Without a symlink on the way, the entry lies under a marker's name.
            let how = resolved == path ? "lies inside a whiteout marker's name" : "resolves to \(resolved) through a symlink"
            throw entryError(.invalidWhiteout, name, entry, "\(how): \(Self.whiteoutMessage)")
        }
    }
}
