import Foundation
import ByteStreams

/// An owned file descriptor, closed when released.
final class FileDescriptor {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { _ = Glibc.close(fd) }
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`; nil when the name does not exist.
func lstatAt(_ dir: Int32, _ name: [UInt8]) throws -> stat? {
    var st = stat()
    let rc = withCName(name) { fstatat(dir, $0, &st, AT_SYMLINK_NOFOLLOW) }
    if rc == 0 { return st }
    if errno == ENOENT { return nil }
    throw LayerError.errno("cannot stat \(LayerPath.escape(name))")
}

func isDirectory(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFDIR }
func isSymlink(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFLNK }

/// Opens the directory `name` in `dir` without following a symlink.
func openDirectory(_ dir: Int32, _ name: [UInt8]) throws -> FileDescriptor {
    let fd = withCName(name) { openat(dir, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
    if fd < 0 { throw LayerError.errno("cannot open directory \(LayerPath.escape(name))") }
    return FileDescriptor(fd)
}

/// `readlinkat` as raw bytes.
func readLink(_ dir: Int32, _ name: [UInt8]) throws -> [UInt8] {
    var buf = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = withCName(name) { p in buf.withUnsafeMutableBufferPointer { readlinkat(dir, p, UnsafeMutableRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) } }
    if n < 0 { throw LayerError.errno("cannot read symlink \(LayerPath.escape(name))") }
    return Array(buf[0..<n])
}

/// The names in an open directory (`.` and `..` left out), in byte order.
func listDirectory(_ dir: Int32) throws -> [[UInt8]] {
    let d = dup(dir)
    guard d >= 0, let handle = fdopendir(d) else { throw LayerError.errno("cannot list directory") }
    defer { closedir(handle) }
    rewinddir(handle)
    var names: [[UInt8]] = []
    while let ent = readdir(handle) {
        let name: [UInt8] = withUnsafeBytes(of: &ent.pointee.d_name) { raw in
            let b = raw.bindMemory(to: UInt8.self)
            return Array(b.prefix(while: { $0 != 0 }))
        }
        if name == [0x2E] || name == [0x2E, 0x2E] { continue }
        names.append(name)
    }
    return names.sorted { $0.lexicographicallyPrecedes($1) }
}

/// Removes `name` in `dir` and, for a directory, everything below it. Symlinks are removed,
/// never followed. A missing name is not an error.
func removeAll(_ dir: Int32, _ name: [UInt8]) throws {
    guard let st = try lstatAt(dir, name) else { return }
    if isDirectory(st) {
        let sub = try openDirectory(dir, name)
        for child in try listDirectory(sub.fd) { try removeAll(sub.fd, child) }
    }
    let rc = withCName(name) { unlinkat(dir, $0, isDirectory(st) ? AT_REMOVEDIR : 0) }
    if rc != 0 && errno != ENOENT { throw LayerError.errno("cannot remove \(LayerPath.escape(name))") }
}

/// A directory on disk that entries are resolved in, confined to it.
final class RootDirectory: InRootResolving {
    let root: FileDescriptor
    let path: String

    /// Opens `path`, which must be an existing directory.
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw LayerError.errno("cannot open root directory \(path)") }
        root = FileDescriptor(fd)
        self.path = path
    }

    var rootHandle: FileDescriptor { root }

    func lookup(_ name: [UInt8], in dir: FileDescriptor) throws -> Lookup<FileDescriptor> {
        guard let st = try lstatAt(dir.fd, name) else { return .missing }
        if isDirectory(st) { return .directory(try openDirectory(dir.fd, name)) }
        if isSymlink(st) { return .symlink(target: try readLink(dir.fd, name)) }
        return .other
    }

    func makeDirectory(_ name: [UInt8], in dir: FileDescriptor) throws -> FileDescriptor {
        let rc = withCName(name) { mkdirat(dir.fd, $0, 0o755) }
        if rc != 0 { throw LayerError.errno("cannot create directory \(LayerPath.escape(name))") }
        let d = try openDirectory(dir.fd, name)
        _ = fchmod(d.fd, 0o755)
        return d
    }
}
