import Foundation

/// Small POSIX helpers with errors that name the path.
public enum FileOps {
    /// Creates `path` and its missing parents with mkdir(2), each with `mode`.
    /// - Throws: `LayoutError.io` naming the directory that could not be created, with
    ///   errno's text (`Read-only file system`, `Permission denied`, `No space left on
    ///   device`, `Not a directory` when a parent is a file).
    static func mkdirs(_ path: String, mode: mode_t = 0o755) throws {
        if mkdir(path, mode) == 0 { _ = chmod(path, mode); return }
        var e = errno
        if e == ENOENT {
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty && parent != path {
                try mkdirs(parent, mode: mode)
                if mkdir(path, mode) == 0 { _ = chmod(path, mode); return }
                e = errno
            }
        }
        // Another process may have created it meanwhile.
        if e == EEXIST && isDirectory(path) { return }
        let reason = e == EEXIST ? "it exists and is not a directory" : errnoText(e)
        throw LayoutError(.io, "cannot create directory \(path)", cause: reason)
    }

    /// Removes a file or a directory tree, going on past entries already gone (the
    /// command's own error path may be removing the same tree).
    static func removeTree(_ path: String) {
        if unlink(path) == 0 || errno == ENOENT { return }
        if let d = opendir(path) {
            var names: [String] = []
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(d)
            for n in names { removeTree("\(path)/\(n)") }
        }
        _ = rmdir(path)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    static func errnoText(_ e: Int32 = errno) -> String { String(cString: strerror(e)) }

    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 {
            throw LayoutError(.io, "cannot rename \(from) to \(to)", cause: errnoText())
        }
    }

    static func fsyncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    /// Reads a whole (small) file, refusing more than `limit` bytes before reading it.
    /// - Throws: `LayoutError` `.blobNotFound` (absent), `.tooLarge` (over `limit`), `.io`.
    public static func readSmall(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { throw LayoutError(.blobNotFound, "\(what) not found") }
            throw LayoutError(.io, "cannot open \(what)", cause: errnoText())
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw LayoutError(.io, "\(what) is not a regular file")
        }
        if Int(st.st_size) > limit {
            throw LayoutError(.tooLarge, "\(what) is \(st.st_size) bytes, over the limit of \(limit) bytes")
        }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var off = 0
        while off < out.count {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 { if errno == EINTR { continue }; throw LayoutError(.io, "cannot read \(what)", cause: errnoText()) }
            if n == 0 { break }
            off += n
        }
        return Array(out.prefix(off))
    }

    /// Writes `bytes` to a new file in `dir`, syncs it, and renames it to `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, tempDir: String, mode: mode_t = 0o644) throws {
        // Hidden, so that a layout whose creation was killed is still taken for empty.
        let tmp = "\(tempDir)/.\(UUID().uuidString).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw LayoutError(.io, "cannot create \(tmp)", cause: errnoText()) }
        var ok = false
        let token = SignalCleanup.register(tmp)
        defer {
            if !ok { unlink(tmp) }
            SignalCleanup.unregister(token)
        }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 { if errno == EINTR { continue }; close(fd); throw LayoutError(.io, "cannot write \(tmp)", cause: errnoText()) }
            off += n
        }
        if fsync(fd) != 0 { close(fd); throw LayoutError(.io, "cannot sync \(tmp)", cause: errnoText()) }
        close(fd)
        try rename(tmp, path)
        ok = true
        FileOps.fsyncDirectory((path as NSString).deletingLastPathComponent)
    }
}
