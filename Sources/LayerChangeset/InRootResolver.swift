/// What a directory holds under one name, as seen by in-root resolution.
enum Lookup<Handle> {
    case directory(Handle)
    case symlink(target: [UInt8])
    case missing
    case other
}

/// Why a path could not be resolved inside the root.
enum ResolveError: Error {
    /// A component (at the given resolved path) exists and is not a directory.
    case notADirectory(LayerPath)
    /// More than `maxSymlinks` symlinks were followed.
    case tooManySymlinks
}

/// A tree that paths can be resolved in as if its root were `/` (the semantics of
/// `openat2(RESOLVE_IN_ROOT)` and of a chroot): symlinks met on the way are followed, an
/// absolute target restarts at the root, and `..` at the root stays at the root. Nothing
/// outside the root can be reached.
///
/// The one implementation of this walk serves both the disk (`RootDirectory`) and the
/// in-memory tree (`MergedView`), so both see the same file for the same entry name.
protocol InRootResolving {
    associatedtype Handle
    var rootHandle: Handle { get }
    func lookup(_ name: [UInt8], in dir: Handle) throws -> Lookup<Handle>
    /// Creates a directory (mode 0755, owned by the caller) for a missing parent.
    func makeDirectory(_ name: [UInt8], in dir: Handle) throws -> Handle
}

let maxSymlinks = 40

extension InRootResolving {
    /// Resolves the directory `path` (every component, symlinks followed inside the root).
    /// - Parameter create: create missing directories with mode 0755.
    /// - Returns: the directory's handle and its resolved path (no symlinks in it), or nil when
    ///   a component is missing and `create` is false.
    /// - Throws: `ResolveError`, or whatever `lookup`/`makeDirectory` throw.
    func resolveDirectory(_ path: LayerPath, create: Bool) throws -> (Handle, LayerPath)? {
        var stack: [Handle] = [rootHandle]
        var resolved: [[UInt8]] = []
        var pending = Array(path.components.reversed())
        var links = 0
        while let c = pending.popLast() {
            if c.isEmpty || c == [0x2E] { continue }
            if c == [0x2E, 0x2E] {
                if stack.count > 1 { stack.removeLast(); resolved.removeLast() }
                continue
            }
            switch try lookup(c, in: stack.last!) {
            case .directory(let h):
                stack.append(h)
                resolved.append(c)
            case .symlink(let target):
                links += 1
                if links > maxSymlinks { throw ResolveError.tooManySymlinks }
                if target.first == UInt8(ascii: "/") {
                    stack.removeSubrange(1...)
                    resolved.removeAll()
                }
                let parts = target.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
                pending.append(contentsOf: parts.reversed().map { Array($0) })
            case .missing:
                guard create else { return nil }
                stack.append(try makeDirectory(c, in: stack.last!))
                resolved.append(c)
            case .other:
                throw ResolveError.notADirectory(LayerPath(components: resolved + [c]))
            }
        }
        return (stack.last!, LayerPath(components: resolved))
    }
}
