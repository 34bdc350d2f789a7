import Foundation
import TarArchive

/// Reads a directory on disk into a `FileTree` (the directory side of `docker diff` and of
/// commit).
///
/// The walk never follows symlinks (each directory is opened with `O_NOFOLLOW` relative to
/// its parent). Regular files are hashed with SHA-256 through a fixed buffer when
/// `hashContent` is set. Names sharing an inode get one `hardlinkGroup` number. The root's
/// own metadata becomes the tree's root.
public struct DirectoryScanner {
    /// Hash regular files (needed to see same-size, same-mtime edits). Default true.
    public var hashContent: Bool
    /// When set, only the regular files it accepts are hashed (the others keep no
    /// content digest): commit hashes only files whose base has the same path and size,
    /// the only ones whose content alone can tell changed from unchanged.
    public var shouldHash: ((LayerPath, FileMetadata) -> Bool)?

    public init(hashContent: Bool = true, shouldHash: ((LayerPath, FileMetadata) -> Bool)? = nil) {
        self.hashContent = hashContent
        self.shouldHash = shouldHash
    }

    /// - Throws: `LayerError` `.io` naming the path that could not be read.
    public func scan(_ path: String) throws -> FileTree {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw LayerError.errno("cannot open directory \(path)") }
        let root = FileDescriptor(fd)
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LayerError.errno("cannot stat \(path)") }
        let tree = FileTree(rootMetadata: metadata(st, dir: fd, name: nil, link: nil))
        var state = ScanState()
        defer { state.buffer.deallocate() }
        try walk(root.fd, .root, tree.root, &state)
        return tree
    }

    struct ScanState {
        var groups: [[UInt64]: Int] = [:]
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    }

    func walk(_ dir: Int32, _ path: LayerPath, _ node: FileTree.Node, _ state: inout ScanState) throws {
        for name in try listDirectory(dir) {
            let childPath = path.appending(name)
            guard let st = try lstatAt(dir, name) else { continue }
            let link = isSymlink(st) ? try readLink(dir, name) : nil
            var meta = metadata(st, dir: dir, name: name, link: link)
            if meta.kind != .directory && st.st_nlink > 1 {
                let key = [UInt64(st.st_dev), UInt64(st.st_ino)]
                if let g = state.groups[key] { meta.hardlinkGroup = g } else {
                    meta.hardlinkGroup = state.groups.count + 1
                    state.groups[key] = state.groups.count + 1
                }
            }
            if meta.kind == .regular && hashContent && (shouldHash?(childPath, meta) ?? true) {
                meta.contentDigest = try hash(dir, name, state.buffer, childPath)
            }
            let child = FileTree.Node(meta)
            node.children[name] = child
            if meta.kind == .directory {
                let sub = try openDirectory(dir, name)
                try walk(sub.fd, childPath, child, &state)
            }
        }
    }

    func hash(_ dir: Int32, _ name: [UInt8], _ buffer: UnsafeMutableRawBufferPointer, _ path: LayerPath) throws -> String {
        let fd = withCName(name) { openat(dir, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 { throw LayerError.errno("cannot open \(path)") }
        let file = FileDescriptor(fd)
        var d = StreamDigester()
        while true {
            let n = read(file.fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw LayerError.errno("cannot read \(path)")
            }
            if n == 0 { break }
            d.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return d.finalizeHex()
    }

    func metadata(_ st: stat, dir: Int32, name: [UInt8]?, link: [UInt8]?) -> FileMetadata {
        let kind: FileKind
        switch st.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFCHR: kind = .characterDevice
        case S_IFBLK: kind = .blockDevice
        case S_IFIFO: kind = .fifo
        case S_IFSOCK: kind = .socket
        default: kind = .regular
        }
        let proc = Array("/proc/self/fd/\(dir)".utf8) + (name.map { [UInt8(ascii: "/")] + $0 } ?? [])
        let rdev = UInt64(st.st_rdev)
        return FileMetadata(
            kind: kind, mode: UInt32(st.st_mode) & 0o7777, uid: Int64(st.st_uid), gid: Int64(st.st_gid),
            size: kind == .regular ? Int64(st.st_size) : 0,
            mtime: Int64(st.st_mtim.tv_sec), mtimeNanoseconds: Int64(st.st_mtim.tv_nsec), linkTarget: link,
            xattrs: Xattr.list(path: proc),
            deviceMajor: kind == .characterDevice || kind == .blockDevice ? UInt32(((rdev >> 32) & 0xFFFF_F000) | ((rdev >> 8) & 0xFFF)) : 0,
            deviceMinor: kind == .characterDevice || kind == .blockDevice ? UInt32(((rdev >> 12) & 0xFFFF_FF00) | (rdev & 0xFF)) : 0)
    }
}
