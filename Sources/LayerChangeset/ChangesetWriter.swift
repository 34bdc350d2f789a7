import Foundation
import TarArchive

/// Writes the layer that turns a base filesystem into a directory (commit; containerd's
/// changeset writer, FORMATS.md §5 "Changeset tar").
///
/// The tar holds exactly the differences: new and changed entries with their parent
/// directories first, a `.wh.NAME` whiteout at each topmost deleted path, and every name
/// of a hardlinked inode that is written (the first name in path order carries the content,
/// or is the symlink, device or FIFO; the others are hardlinks to it). Headers are deterministic: sorted order, mtimes in
/// whole seconds, no atime/ctime, empty user and group names, xattrs sorted; whiteouts are
/// empty regular files, mode 0600, owner 0:0, mtime 0. Sockets are left out. Applying the
/// base and then this layer reproduces the directory (the root's own attributes aside).
public struct ChangesetWriter {
    public var options: ChangeOptions
    /// Modification times later than this (seconds since the epoch) are read as it, before
    /// comparing and writing (`SOURCE_DATE_EPOCH`): a tree committed again onto the image
    /// committed from it is unchanged, as it is without the clamp. Nil: as they are.
    public var mtimeClamp: Int64?

    /// - Parameter options: `exclude` leaves paths out of the layer; timestamps are always
    ///   compared (directory times included) so that they are reproduced.
    public init(options: ChangeOptions = ChangeOptions()) {
        self.options = options
        self.options.ignoreTimestamps = false
        self.options.compareDirectoryTimes = true
    }

    /// Writes the changeset from `base` to `directory` into `writer` (not finished).
    /// - Parameters:
    ///   - base: the base image's merged view (`MergedView.build`), or `FileTree()` for scratch.
    ///   - directory: the new filesystem.
    /// - Returns: the changes written.
    /// - Throws: `LayerError` `.invalidWhiteout` before writing anything when a path to write
    ///   has a component starting with `.wh.` (`<directory>: /.wh.keep: whiteout marker: …`),
    ///   `.io` when the directory cannot be read or changes while being read; the writer's
    ///   `ArchiveError` when output fails.
    @discardableResult
    public func write(base: FileTree, directory: String, to writer: TarWriter) throws -> [Change] {
        // A file whose base has no regular file of the same size is changed whatever
        // its content: only the others need hashing.
        let new = try DirectoryScanner(shouldHash: { path, meta in
            guard let b = base[path], b.kind == .regular else { return false }
            return b.size == meta.size
        }).scan(directory)
        if let clamp = mtimeClamp { new.clampMtimes(to: clamp) }
        let changes = TreeComparison.changes(from: base, to: new, options: options)
        let root = try RootDirectory(path: directory)

        // Paths to emit: changed ones, their parents, and every name of a written inode.
        var emit = Set<LayerPath>()
        var whiteouts = Set<LayerPath>()
        var groups: [Int: [LayerPath]] = [:]
        for (p, m) in new.entries() { if let g = m.hardlinkGroup { groups[g, default: []].append(p) } }
        for c in changes {
            if c.kind == .deleted { whiteouts.insert(c.path) } else { emit.insert(c.path) }
        }
        for p in Array(emit) {
            if let g = new[p]?.hardlinkGroup { for q in groups[g] ?? [] where !options.excludes(q) { emit.insert(q) } }
        }
        for p in Array(emit) + Array(whiteouts) {
            var q = p.parent
            while !q.isRoot { emit.insert(q); q = q.parent }
        }
        // Checked before anything is written: in the layer, `.wh.keep` would delete the
        // base's `/keep` rather than be a file.
        if let reserved = emit.sorted().first(where: Whiteout.isReserved) {
            throw LayerError(.invalidWhiteout, "\(directory): \(reserved): whiteout marker: \(Whiteout.reservedMessage(in: "a committed directory"))")
        }

        var firstName: [Int: LayerPath] = [:]
        let order = (emit.map { ($0, false) } + whiteouts.map { ($0, true) }).sorted { $0.0 < $1.0 }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        for (path, isWhiteout) in order {
            if isWhiteout {
                try writer.writeHeader(Whiteout.entry(deleting: path))
                continue
            }
            guard let meta = new[path], meta.kind != .socket else { continue }
            var e = meta.tarEntry(path: path)
            if let g = meta.hardlinkGroup {
                if let first = firstName[g] {
                    e.kind = .hardlink
                    e.size = 0
                    e.linkBytes = first.bytes
                    try writer.writeHeader(e)
                    continue
                }
                firstName[g] = path
            }
            try writer.writeHeader(e)
            if meta.kind == .regular && meta.size > 0 {
                try copyContent(root, path, size: meta.size, buffer, writer)
            }
        }
        return changes
    }

    /// Writes the changeset as a complete tar (compressed per `compression`) to `sink`.
    @discardableResult
    public func write(base: FileTree, directory: String, to sink: ByteSink,
                      compression: TarWriter.Options = TarWriter.Options(), name: String = "changeset") throws -> [Change] {
        let w = try TarWriter(sink: sink, options: compression, name: name)
        let c = try write(base: base, directory: directory, to: w)
        try w.finish()
        return c
    }

    /// Streams exactly `size` bytes of the file at `path` (opened inside the root, final
    /// component not followed).
    func copyContent(_ root: RootDirectory, _ path: LayerPath, size: Int64,
                     _ buffer: UnsafeMutableRawBufferPointer, _ writer: TarWriter) throws {
        guard let (dir, _) = try? root.resolveDirectory(path.parent, create: false) else {
            throw LayerError(.io, "\(path): parent directory vanished")
        }
        let fd = withCName(path.name) { openat(dir.fd, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 { throw LayerError.errno("cannot open \(path)") }
        let file = FileDescriptor(fd)
        var left = size
        while left > 0 {
            let n = read(file.fd, buffer.baseAddress, Int(min(Int64(buffer.count), left)))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw LayerError.errno("cannot read \(path)") }
            if n == 0 { throw LayerError(.io, "\(path): file shrank while being written (expected \(size) bytes)") }
            try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            left -= Int64(n)
        }
    }
}
