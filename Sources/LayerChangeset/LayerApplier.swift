import Foundation
import TarArchive

/// Options for `LayerApplier`.
public struct ApplyOptions: Sendable {
    /// Run as an unprivileged user: device nodes are skipped and ownership is not changed
    /// (each skip is reported to `warning`). Default false (apply everything, as root).
    public var rootless: Bool
    /// Receives a message for each entry or attribute left out (rootless skips, xattrs the
    /// file system does not support, sockets). Default: nil (ignored).
    public var warning: (@Sendable (String) -> Void)?

    public init(rootless: Bool = false, warning: (@Sendable (String) -> Void)? = nil) {
        self.rootless = rootless
        self.warning = warning
    }
}

/// Applies layer tar streams, lowest first, onto a directory (image-spec `layer.md`
/// "Applying Changesets", FORMATS.md §5).
///
/// Rules:
/// - Whiteouts (`.wh.NAME`, `.wh..wh..opq`) remove what *lower* layers put there, never what
///   the same layer writes, wherever the marker sits in the stream. Markers never appear in
///   the result; aufs meta entries at the layer root are skipped.
/// - A non-directory replaces whatever was at its path (a whole tree included); a directory
///   over a directory changes attributes only. Missing parents are created with mode 0755.
/// - Owners are set before modes (setuid, setgid and sticky survive), xattrs after content,
///   file mtimes as each file is written, directory mtimes by `finish()`.
///
/// Security (every entry is hostile until resolved):
/// - Each parent directory is resolved inside the root one component at a time with
///   `O_NOFOLLOW`; a symlink met as a parent is followed *as if the root were `/`* (like
///   `RESOLVE_IN_ROOT`: absolute targets restart at the root, `..` stops at the root).
/// - The final component is never followed: an existing file or symlink there is unlinked
///   and the new one is created with `O_EXCL`, so nothing is written through an old symlink.
/// - Names are cleaned lexically: a leading `/` is dropped (absolute names are confined to
///   the root, as moby and containerd do); a name whose `..` climbs above the root is refused.
///   A directory entry naming the root itself is ignored; any other type naming it is refused.
/// - Hardlink targets are resolved the same way and must already exist inside the root.
///
/// Content is streamed through one fixed 1 MiB buffer.
public final class LayerApplier {
    let root: RootDirectory
    let options: ApplyOptions
    /// Directory mtimes to set at the end, by resolved path.
    var directoryTimes = PathTrie<(Int64, Int64)>()
    /// What the current layer wrote (resolved paths).
    var written = PathTrie<Bool>()
    var layerName = ""
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

    /// - Parameter root: an existing directory to apply layers onto.
    /// - Throws: `LayerError` `.io` when it cannot be opened.
    public init(root: String, options: ApplyOptions = ApplyOptions()) throws {
        self.root = try RootDirectory(path: root)
        self.options = options
    }

    deinit { buffer.deallocate() }

    /// Applies one layer. Call once per layer, lowest first, then `finish()`.
    /// - Throws: `LayerError` naming the layer (`reader.name`) and the entry: `.unsafePath`,
    ///   `.invalidWhiteout`, `.invalidHardlink`, `.notADirectory`, `.nameTooLong`,
    ///   `.unsupportedEntry`, `.archive`, `.io`.
    public func apply(_ reader: TarReader) throws {
        layerName = reader.name
        written = PathTrie<Bool>()
        while true {
            let entry: TarEntry?
            do { entry = try reader.next() } catch { throw LayerError.archive(layerName, error) }
            guard let entry else { break }
            try applyEntry(entry, reader)
        }
    }

    /// Sets the mtimes of every directory the layers described. Call after the last layer.
    public func finish() throws {
        for (path, t) in directoryTimes.all() {
            guard let (dir, _) = try? root.resolveDirectory(path.parent, create: false),
                  let st = try lstatAt(dir.fd, path.name), isDirectory(st) else { continue }
            try setTime(dir.fd, path.name, t, what: path.description)
        }
        directoryTimes = PathTrie()
    }

    /// Applies `layers` in order onto `root` and sets directory mtimes.
    public static func unpack(_ layers: [TarReader], into root: String, options: ApplyOptions = ApplyOptions()) throws {
        let a = try LayerApplier(root: root, options: options)
        for l in layers { try a.apply(l) }
        try a.finish()
    }

    func fail(_ code: LayerError.Code, _ entry: TarEntry, _ what: String, cause: String? = nil) -> LayerError {
        entryError(code, layerName, entry, what, cause: cause)
    }

    func warn(_ entry: TarEntry, _ what: String) {
        options.warning?("\(layerName): entry \(LayerPath.shortened(entry.pathBytes)): \(what)")
    }

    /// Resolves the parent of `path` (or `path` itself when `whole`) inside the root.
    func parent(of path: LayerPath, _ entry: TarEntry, create: Bool, whole: Bool = false) throws -> (FileDescriptor, LayerPath)? {
        do {
            return try root.resolveDirectory(whole ? path : path.parent, create: create)
        } catch ResolveError.notADirectory(let p) {
            throw fail(.notADirectory, entry, "parent \(p) is not a directory")
        } catch ResolveError.tooManySymlinks {
            throw fail(.notADirectory, entry, "too many levels of symbolic links")
        } catch let e as LayerError {
            throw fail(.io, entry, "cannot resolve parent directory", cause: e.description)
        }
    }

    func applyEntry(_ entry: TarEntry, _ reader: TarReader) throws {
        switch try EntryAction(entry, layer: layerName) {
        case .skip:
            return
        case .opaque(let directory):
            guard let (dir, resolved) = try parent(of: directory, entry, create: true, whole: true) else { return }
            for child in try listDirectory(dir.fd) {
                try removeLower(dir.fd, child, resolved.appending(child), entry)
            }
        case .whiteout(let directory, let name):
            guard let (dir, resolved) = try parent(of: directory, entry, create: false, whole: true) else { return }
            try removeLower(dir.fd, name, resolved.appending(name), entry)
        case .write(let path):
            guard let (dir, resolved) = try parent(of: path, entry, create: true) else { return }
            let target = resolved.appending(path.name)
            if try create(entry, reader, in: dir.fd, name: path.name, resolved: target) {
                written.insert(target, true)
            }
        }
    }

    /// Removes what lower layers left at `name` in `dir`, keeping whatever this layer wrote
    /// there or below.
    func removeLower(_ dir: Int32, _ name: [UInt8], _ resolved: LayerPath, _ entry: TarEntry) throws {
        do { try removeLowerTree(dir, name, resolved) } catch let e as LayerError {
            throw fail(.io, entry, "cannot apply whiteout", cause: e.description)
        }
    }

    private func removeLowerTree(_ dir: Int32, _ name: [UInt8], _ resolved: LayerPath) throws {
        guard written.node(resolved) != nil else {
            try removeAll(dir, name)
            directoryTimes.removeSubtree(resolved)
            return
        }
        guard let st = try lstatAt(dir, name), isDirectory(st) else { return }
        let sub = try openDirectory(dir, name)
        for child in try listDirectory(sub.fd) {
            try removeLowerTree(sub.fd, child, resolved.appending(child))
        }
    }
}
