import Foundation

/// Compares two trees and lists what changed, with moby `ChangesDirs` semantics
/// (FORMATS.md §5, `docker diff`):
///
/// - **A**: a new path, and every descendant of a new directory.
/// - **D**: only the topmost deleted path.
/// - **C**: a path whose type, mode, owner, device, size, mtime, link target, xattrs or
///   content (when both sides know it) differ; directories ignore size and (unless asked)
///   mtime. A directory that contains any change is also `C`, before its children. A
///   directory replaced by a file is `C` and its old children are not listed; a file
///   replaced by a directory is `C` plus `A` for each new child.
/// - The root is never reported. The result is sorted, parents before children.
public enum TreeComparison {
    /// The changes that turn `old` into `new`.
    public static func changes(from old: FileTree, to new: FileTree, options: ChangeOptions = ChangeOptions()) -> [Change] {
        var out: [Change] = []
        _ = compareChildren(old.root, new.root, .root, options, &out)
        return out
    }

    /// The changes between two directories on disk (content hashed to see same-size edits).
    /// - Throws: `LayerError` `.io` when a directory cannot be read.
    public static func changes(fromDirectory old: String, toDirectory new: String,
                               options: ChangeOptions = ChangeOptions()) throws -> [Change] {
        let scanner = DirectoryScanner()
        return changes(from: try scanner.scan(old), to: try scanner.scan(new), options: options)
    }

    /// The attributes that differ between two entries at the same path.
    public static func differences(_ a: FileMetadata, _ b: FileMetadata, options: ChangeOptions = ChangeOptions()) -> [Change.Attribute] {
        var d: [Change.Attribute] = []
        if a.kind != b.kind { return [.type] }
        let isDir = a.kind == .directory
        if !isDir, a.contentDigest != nil, b.contentDigest != nil, a.contentDigest != b.contentDigest { d.append(.content) }
        if !isDir && a.size != b.size { d.append(.size) }
        if a.mode != b.mode && a.kind != .symlink { d.append(.mode) }
        if a.uid != b.uid { d.append(.uid) }
        if a.gid != b.gid { d.append(.gid) }
        if !options.ignoreTimestamps && (!isDir || options.compareDirectoryTimes) {
            let ns = a.mtimeNanoseconds != 0 && b.mtimeNanoseconds != 0 && a.mtimeNanoseconds != b.mtimeNanoseconds
            if a.mtime != b.mtime || ns { d.append(.mtime) }
        }
        if a.linkTarget != b.linkTarget { d.append(.linkTarget) }
        if a.xattrs != b.xattrs { d.append(.xattrs) }
        if a.deviceMajor != b.deviceMajor || a.deviceMinor != b.deviceMinor { d.append(.device) }
        return d
    }

    /// Appends changes below two directories. - Returns: true when anything was appended.
    static func compareChildren(_ old: FileTree.Node?, _ new: FileTree.Node, _ path: LayerPath,
                                _ options: ChangeOptions, _ out: inout [Change]) -> Bool {
        let names = Set(old?.children.keys.map { $0 } ?? []).union(new.children.keys)
        var any = false
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let p = path.appending(name)
            if options.excludes(p) { continue }
            let a = old?.children[name], b = new.children[name]
            switch (a, b) {
            case (let a?, nil):
                _ = a
                out.append(Change(.deleted, p))
                any = true
            case (nil, let b?):
                out.append(Change(.added, p))
                if b.meta.kind == .directory { _ = compareChildren(nil, b, p, options, &out) }
                any = true
            case (let a?, let b?):
                let diff = differences(a.meta, b.meta, options: options)
                let at = out.count
                if !diff.isEmpty { out.append(Change(.changed, p, attributes: diff)) }
                var below = false
                if b.meta.kind == .directory {
                    below = compareChildren(a.meta.kind == .directory ? a : nil, b, p, options, &out)
                }
                if diff.isEmpty && below { out.insert(Change(.changed, p), at: at) }
                any = any || below || !diff.isEmpty
            case (nil, nil):
                break
            }
        }
        return any
    }
}
