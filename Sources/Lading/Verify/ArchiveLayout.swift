import Foundation
import ImageLayout
import TarArchive

/// An oci-archive unpacked as it is into a directory, so `verify` judges a layout the
/// same whatever carries it: the same structure, blob name and orphan checks as for a
/// directory. Only directories and regular files are written, under `root`; any other
/// entry (a link, a device, a name leaving the root) is a finding of its own.
enum ArchiveLayout {
    /// Whether the tar at `path` is an OCI layout without docker's `manifest.json` (an
    /// oci-archive given as a bare path). Reads headers only; false when it cannot tell.
    static func isLayoutArchive(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let reader = try? TarReader(.path(path), name: path) else { return false }
        var hasLayout = false
        while let e = try? reader.next() {
            let name = e.path.hasPrefix("./") ? String(e.path.dropFirst(2)) : e.path
            if name == "manifest.json" { return false }
            if name == "oci-layout" { hasLayout = true }
        }
        return hasLayout
    }

    /// Unpacks `archive` (a tar, compressed or not) into `root`, streaming each file.
    /// - Returns: the entries not written, with why.
    /// - Throws: `ArchiveError` when the archive cannot be read.
    static func unpack(_ archive: String, into root: String) throws -> [(path: String, why: String)] {
        let reader = try TarReader(.path(archive), name: archive)
        var skipped: [(String, String)] = []
        while let e = try reader.next() {
            let parts = e.path.split(separator: "/").filter { $0 != "." }
            guard !e.path.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else {
                if !parts.isEmpty || e.kind != .directory { skipped.append((e.path, "name leaves the layout")) }
                continue
            }
            let path = root + "/" + parts.joined(separator: "/")
            switch e.kind {
            case .directory:
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            case .regular:
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
                guard fd >= 0 else { skipped.append((e.path, String(cString: strerror(errno)))); continue }
                defer { close(fd) }
                try reader.forEachChunk { chunk in
                    var off = 0
                    while off < chunk.count {
                        let n = write(fd, chunk.baseAddress! + off, chunk.count - off)
                        if n <= 0 { throw LadingError(.invalidArgument, "cannot write \(path): \(String(cString: strerror(errno)))") }
                        off += n
                    }
                }
            default:
                skipped.append((e.path, "a \(e.kind) is not part of an image layout"))
            }
        }
        return skipped
    }
}
