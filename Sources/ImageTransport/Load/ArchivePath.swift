/// Names inside an archive: cleaned like Go's `path.Clean`, relative to the archive root.
enum ArchivePath {
    /// Cleans `p`: drops `.` and empty components and leading `/`, resolves `..`.
    /// Returns nil when the path climbs above the archive root.
    static func clean(_ p: String) -> String? {
        var out: [Substring] = []
        for c in p.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." {
                if out.isEmpty { return nil }
                out.removeLast()
                continue
            }
            out.append(c)
        }
        return out.joined(separator: "/")
    }

    /// The directory part of a cleaned path ("" at the root).
    static func dir(_ p: String) -> String {
        guard let i = p.lastIndex(of: "/") else { return "" }
        return String(p[..<i])
    }
}
