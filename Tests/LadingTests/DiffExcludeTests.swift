import Foundation
import Lading
import LayerChangeset
import Testing
import TestSupport

/// `diff --exclude GLOB`: fnmatch(3) without flags against each full absolute path; a
/// matching directory takes its subtree with it (README, "unpack, diff, commit, squash").
@Suite struct DiffExcludeTests {
    func trees() throws -> (TemporaryDirectory, String, String) {
        let dir = try TemporaryDirectory()
        let a = dir.path + "/a", b = dir.path + "/b"
        let fm = FileManager.default
        for p in ["\(a)/var/cache/x", "\(a)/keep", "\(b)/var/cache/x", "\(b)/var/log", "\(b)/keep"] {
            try fm.createDirectory(atPath: p, withIntermediateDirectories: true)
        }
        for f in ["var/cache/x/f", "var/log/b.log", "keep/a.log", "keep/cache", "keep/.cache"] {
            try Data("1\n".utf8).write(to: URL(fileURLWithPath: "\(b)/\(f)"))
        }
        return (dir, a, b)
    }

    @Test(arguments: [
        ([], ["C /keep", "A /keep/.cache", "A /keep/a.log", "A /keep/cache", "C /var", "C /var/cache", "C /var/cache/x",
              "A /var/cache/x/f", "A /var/log", "A /var/log/b.log"]),
        // Not the base name, and not a path without its leading /.
        (["cache", "var/cache", "f"], ["C /keep", "A /keep/.cache", "A /keep/a.log", "A /keep/cache", "C /var", "C /var/cache",
                                        "C /var/cache/x", "A /var/cache/x/f", "A /var/log", "A /var/log/b.log"]),
        // A directory goes with its whole subtree.
        (["/var/cache"], ["C /keep", "A /keep/.cache", "A /keep/a.log", "A /keep/cache", "C /var", "A /var/log", "A /var/log/b.log"]),
        (["/var"], ["C /keep", "A /keep/.cache", "A /keep/a.log", "A /keep/cache"]),
        // What is inside goes; the directory itself is still compared (unchanged here).
        (["/var/cache/*"], ["C /keep", "A /keep/.cache", "A /keep/a.log", "A /keep/cache", "C /var", "A /var/log", "A /var/log/b.log"]),
        // `*` crosses `/` and matches leading dots.
        (["*.log"], ["C /keep", "A /keep/.cache", "A /keep/cache", "C /var", "C /var/cache", "C /var/cache/x", "A /var/cache/x/f", "A /var/log"]),
        (["*cache"], ["C /keep", "A /keep/a.log", "C /var", "A /var/log", "A /var/log/b.log"]),
    ] as [([String], [String])])
    func excludeMatchesTheFullAbsolutePath(_ globs: [String], _ expected: [String]) throws {
        let (dir, a, b) = try trees()
        defer { dir.remove() }
        let (s, sd) = try makeStore()
        defer { sd.remove() }
        let changes = try s.changes(from: a, to: b, options: ChangeOptions(ignoreTimestamps: true, exclude: globs))
        #expect(changes.map { "\($0.kind.rawValue) \($0.path)" } == expected)
    }
}
