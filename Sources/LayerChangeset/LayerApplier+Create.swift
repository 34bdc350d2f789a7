import Foundation
import TarArchive

extension LayerApplier {
    /// Creates one non-whiteout entry at `name` in the resolved directory `dir`.
    /// - Returns: false when the entry was skipped (sockets, devices when rootless).
    func create(_ entry: TarEntry, _ reader: TarReader, in dir: Int32, name: [UInt8], resolved: LayerPath) throws -> Bool {
        let existing: stat?
        do { existing = try lstatAt(dir, name) } catch {
            // The cause without its own copy of the name: the entry names it already.
            throw fail(.io, entry, "cannot inspect", cause: (error as? LayerError)?.cause ?? "\(error)")
        }
        if entry.kind == .directory, let st = existing, isDirectory(st) {
            try setAttributes(entry, dir, name, fd: nil, resolved: resolved)
            return true
        }
        switch entry.kind {
        case .socket:
            warn(entry, "socket skipped")
            return false
        case .characterDevice where options.rootless, .blockDevice where options.rootless:
            warn(entry, "device node skipped (rootless)")
            return false
        case .hardlink:
            return try link(entry, in: dir, name: name, resolved: resolved, existing: existing)
        default:
            break
        }
        if existing != nil {
            do { try removeAll(dir, name) } catch { throw fail(.io, entry, "cannot replace existing path", cause: "\(error)") }
            directoryTimes.removeSubtree(resolved)
        }
        let rc: Int32
        switch entry.kind {
        case .regular:
            try writeFile(entry, reader, in: dir, name: name, resolved: resolved)
            return true
        case .directory:
            rc = withCName(name) { mkdirat(dir, $0, 0o700) }
        case .symlink:
            rc = withCName(entry.linkBytes ?? []) { target in withCName(name) { symlinkat(target, dir, $0) } }
        case .fifo:
            rc = withCName(name) { mknodat(dir, $0, S_IFIFO | 0o600, 0) }
        case .characterDevice, .blockDevice:
            let type = entry.kind == .characterDevice ? S_IFCHR : S_IFBLK
            rc = withCName(name) { mknodat(dir, $0, type | 0o600, makeDevice(entry.deviceMajor, entry.deviceMinor)) }
        case .hardlink, .socket:
            return false
        }
        if rc != 0 { throw fail(.io, entry, "cannot create", cause: String(cString: strerror(errno))) }
        try setAttributes(entry, dir, name, fd: nil, resolved: resolved)
        return true
    }

    /// Writes a regular file: content streamed through the fixed buffer, then attributes.
    func writeFile(_ entry: TarEntry, _ reader: TarReader, in dir: Int32, name: [UInt8], resolved: LayerPath) throws {
        let fd = withCName(name) { openat(dir, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        if fd < 0 { throw fail(.io, entry, "cannot create file", cause: String(cString: strerror(errno))) }
        let file = FileDescriptor(fd)
        while true {
            let n: Int
            do { n = try reader.read(into: buffer) } catch { throw LayerError.archive(layerName, error) }
            if n == 0 { break }
            var off = 0
            while off < n {
                let w = Glibc.write(file.fd, buffer.baseAddress! + off, n - off)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw fail(.io, entry, "cannot write file", cause: String(cString: strerror(errno)))
                }
                off += w
            }
        }
        try setAttributes(entry, dir, name, fd: file.fd, resolved: resolved)
    }

    /// Links `name` to the hardlink target (resolved inside the root, which it must not leave).
    func link(_ entry: TarEntry, in dir: Int32, name: [UInt8], resolved: LayerPath, existing: stat?) throws -> Bool {
        let target = try EntryAction.hardlinkTarget(entry, layer: layerName)
        let parent: (FileDescriptor, LayerPath)?
        do { parent = try root.resolveDirectory(target.parent, create: false) } catch {
            throw fail(.invalidHardlink, entry, "hardlink target \(target) cannot be resolved")
        }
        guard let (tdir, tresolved) = parent, let tst = try? lstatAt(tdir.fd, target.name), !isDirectory(tst) else {
            throw fail(.invalidHardlink, entry, "hardlink target \(target) does not exist or is a directory")
        }
        if tresolved.appending(target.name) == resolved { return true }
        if let st = existing {
            if st.st_dev == tst.st_dev && st.st_ino == tst.st_ino { return true }
            do { try removeAll(dir, name) } catch { throw fail(.io, entry, "cannot replace existing path", cause: "\(error)") }
            directoryTimes.removeSubtree(resolved)
        }
        let rc = withCName(target.name) { t in withCName(name) { linkat(tdir.fd, t, dir, $0, 0) } }
        if rc != 0 { throw fail(.io, entry, "cannot create hardlink", cause: String(cString: strerror(errno))) }
        return true
    }

    /// Owner, xattrs, mode, then mtime (directories: recorded for `finish()`).
    func setAttributes(_ entry: TarEntry, _ dir: Int32, _ name: [UInt8], fd: Int32?, resolved: LayerPath) throws {
        if !options.rootless {
            // In range: `TarReader.next()` refuses owners past `TarEntry.maxOwnerID`.
            let uid = uid_t(truncatingIfNeeded: entry.uid), gid = gid_t(truncatingIfNeeded: entry.gid)
            let rc = fd.map { fchown($0, uid, gid) } ?? withCName(name) { fchownat(dir, $0, uid, gid, AT_SYMLINK_NOFOLLOW) }
            if rc != 0 { throw fail(.io, entry, "cannot change owner", cause: String(cString: strerror(errno))) }
        }
        for x in entry.xattrs {
            let rc: Int32
            if let fd { rc = Xattr.set(fd: fd, x.name, x.value) } else {
                rc = Xattr.set(path: Array("/proc/self/fd/\(dir)/".utf8) + name, x.name, x.value)
            }
            if rc != 0 {
                let err = errno
                if options.rootless || err == ENOTSUP || (entry.kind == .symlink && err == EPERM) {
                    warn(entry, "xattr \(x.name) not set: \(String(cString: strerror(err)))")
                } else {
                    throw fail(.io, entry, "cannot set xattr \(x.name)", cause: String(cString: strerror(err)))
                }
            }
        }
        if entry.kind != .symlink {
            let mode = mode_t(entry.permissions & 0o7777)
            let rc = fd.map { fchmod($0, mode) } ?? withCName(name) { fchmodat(dir, $0, mode, 0) }
            if rc != 0 { throw fail(.io, entry, "cannot change mode", cause: String(cString: strerror(errno))) }
        }
        let t = (entry.mtime, entry.mtimeNanoseconds)
        if entry.kind == .directory {
            directoryTimes.insert(resolved, t)
        } else {
            try setTime(dir, name, t, what: LayerPath.escape(entry.pathBytes))
        }
    }

    func setTime(_ dir: Int32, _ name: [UInt8], _ t: (Int64, Int64), what: String) throws {
        var times = [timespec(tv_sec: Int(t.0), tv_nsec: Int(t.1)), timespec(tv_sec: Int(t.0), tv_nsec: Int(t.1))]
        let rc = withCName(name) { n in times.withUnsafeMutableBufferPointer { utimensat(dir, n, $0.baseAddress, AT_SYMLINK_NOFOLLOW) } }
        if rc != 0 { throw LayerError.errno("\(layerName): entry \(what): cannot set mtime") }
    }
}

/// Linux `makedev`: the glibc macro does not import into Swift.
func makeDevice(_ major: UInt32, _ minor: UInt32) -> dev_t {
    let ma = UInt64(major), mi = UInt64(minor)
    return dev_t(((ma & 0xFFFF_F000) << 32) | ((ma & 0xFFF) << 8) | ((mi & 0xFFFF_FF00) << 12) | (mi & 0xFF))
}
