import Foundation
import ByteStreams

/// One difference between two trees, as `docker diff` reports it (FORMATS.md §5).
public struct Change: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case added = "A", changed = "C", deleted = "D"
    }

    /// An attribute whose difference made a path `C`.
    public enum Attribute: String, Sendable, Codable, CaseIterable, Comparable {
        case type, content, size, mode, uid, gid, mtime, linkTarget, xattrs, device

        public static func < (a: Attribute, b: Attribute) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var kind: Kind
    public var path: LayerPath
    /// For `.changed`: what differs, in `Attribute.allCases` order. Empty for a directory
    /// reported only because something below it changed.
    public var attributes: [Attribute]

    public init(_ kind: Kind, _ path: LayerPath, attributes: [Attribute] = []) {
        self.kind = kind
        self.path = path
        self.attributes = attributes
    }

    /// `A /path`, the path escaped as `LayerPath.description` does.
    public var description: String { "\(kind.rawValue) \(path)" }
}

/// Options for `TreeComparison`.
public struct ChangeOptions: Sendable {
    /// Ignore mtimes entirely. Default false (seconds compared; nanoseconds too when both
    /// sides have them, as moby does).
    public var ignoreTimestamps: Bool
    /// Report a directory whose mtime alone changed (docker does not). Default false;
    /// `ChangesetWriter` turns it on so directory times are reproduced.
    public var compareDirectoryTimes: Bool
    /// `fnmatch(3)` patterns, no flags, so `*` and `?` also match `/` and a leading dot.
    /// Each is tested against the absolute path (`/var/cache/x`); one that does not start
    /// with `/` also against every tail after a `/` (`var/cache/x`, `cache/x`, `x`), as
    /// `tar --exclude` matches: `cache` leaves out `/cache` and `/var/cache`, `/cache` only
    /// the first. A matching path and everything below it is left out.
    public var exclude: [String]

    public init(ignoreTimestamps: Bool = false, compareDirectoryTimes: Bool = false, exclude: [String] = []) {
        self.ignoreTimestamps = ignoreTimestamps
        self.compareDirectoryTimes = compareDirectoryTimes
        self.exclude = exclude
    }

    func excludes(_ path: LayerPath) -> Bool {
        guard !exclude.isEmpty else { return false }
        let text = path.absoluteBytes
        // Where the tails start: after each `/`.
        let tails = text.indices.filter { text[$0] == UInt8(ascii: "/") }.map { $0 + 1 }
        return exclude.contains { pattern in
            if withCName(text, { fnmatch(pattern, $0, 0) == 0 }) { return true }
            if pattern.hasPrefix("/") { return false }
            return tails.contains { start in withCName(Array(text[start...]), { fnmatch(pattern, $0, 0) == 0 }) }
        }
    }
}
