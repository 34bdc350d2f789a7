import Foundation
import Lading
import LayerChangeset
import Testing
import TestSupport

/// `diff --exclude GLOB`, as `tar --exclude`: fnmatch(3) without flags against the
/// absolute path and, for a GLOB not starting with `/`, against every tail after a `/`;
/// a matching directory takes its subtree with it (README, "unpack, diff, commit, squash").
@Suite struct DiffExcludeTests {
    /// Every line `diff` gives for `trees()` with nothing excluded.
    static let all = [
        "A /a.log", "C /keep", "A /keep/.cache", "A /keep/a.log", "A /keep/cache", "C /opt", "A /opt/o", "A /opt/o/f",
        "C /srv", "A /srv/var", "A /srv/var/cache", "A /srv/var/cache/f", "C /var", "C /var/cache", "C /var/cache/x",
        "A /var/cache/x/f", "A /var/cache2", "A /var/log", "A /var/log/b.log",
    ]

    /// `all` without these lines.
    static func allBut(_ gone: [String]) -> [String] { all.filter { !gone.contains($0) } }

    func trees() throws -> (TemporaryDirectory, String, String) {
        let dir = try TemporaryDirectory()
        let a = dir.path + "/a", b = dir.path + "/b"
        let fm = FileManager.default
        for p in ["\(a)/var/cache/x", "\(a)/keep", "\(a)/opt", "\(a)/srv",
                  "\(b)/var/cache/x", "\(b)/var/log", "\(b)/keep", "\(b)/opt/o", "\(b)/srv/var/cache"] {
            try fm.createDirectory(atPath: p, withIntermediateDirectories: true)
        }
        for f in ["var/cache/x/f", "var/log/b.log", "var/cache2", "keep/a.log", "keep/cache", "keep/.cache",
                  "opt/o/f", "srv/var/cache/f", "a.log"] {
            try Data("1\n".utf8).write(to: URL(fileURLWithPath: "\(b)/\(f)"))
        }
        return (dir, a, b)
    }

    @Test(arguments: [
        ([], all),
        // A leading `/` anchors at the root: /srv/var/cache and /var/cache2 stay.
        (["/var/cache"], allBut(["C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
        (["/cache", "/x", "/f"], all),
        (["/var"], allBut(["C /var", "C /var/cache", "C /var/cache/x", "A /var/cache/x/f", "A /var/cache2", "A /var/log", "A /var/log/b.log"])),
        // Without it, any tail after a `/` matches, but only whole names: not /var/cache2 or /keep/.cache.
        (["var/cache"], allBut(["A /srv/var/cache", "A /srv/var/cache/f", "C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
        (["cache"], allBut(["A /keep/cache", "A /srv/var/cache", "A /srv/var/cache/f", "C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
        // A base name at any depth; directories left with nothing changed below show no `C`.
        (["f"], allBut(["A /opt/o/f", "A /srv/var/cache/f", "C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
        (["cache/x"], allBut(["C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
        // What is inside goes; the directory itself is still compared (unchanged here).
        (["/opt/*"], allBut(["C /opt", "A /opt/o", "A /opt/o/f"])),
        (["/var/cache/*"], allBut(["C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
        // `*` crosses `/` and matches a leading dot.
        (["*.log"], allBut(["A /a.log", "A /keep/a.log", "A /var/log/b.log"])),
        (["/var/*.log"], allBut(["A /var/log/b.log"])),
        (["*cache"], allBut(["A /keep/.cache", "A /keep/cache", "A /srv/var/cache", "A /srv/var/cache/f", "C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
        (["/*/cache"], allBut(["A /keep/cache", "A /srv/var/cache", "A /srv/var/cache/f", "C /var/cache", "C /var/cache/x", "A /var/cache/x/f"])),
    ] as [([String], [String])])
    func excludeMatchesLikeTarExclude(_ globs: [String], _ expected: [String]) throws {
        let (dir, a, b) = try trees()
        defer { dir.remove() }
        let (s, sd) = try makeStore()
        defer { sd.remove() }
        let changes = try s.changes(from: a, to: b, options: ChangeOptions(ignoreTimestamps: true, exclude: globs))
        #expect(changes.map { "\($0.kind.rawValue) \($0.path)" } == expected)
    }

    @Test func excludeOnTheCommandLine() throws {
        let (dir, a, b) = try trees()
        defer { dir.remove() }
        let (_, sd) = try makeStore()
        defer { sd.remove() }
        let r = try run([ladingBinary, "diff", "--store", sd.path + "/store", "--ignore-timestamps",
                         "--exclude", "cache", "--exclude", "*.log", "--exclude", "/opt/*", a, b])
        #expect(r.status == 0)
        #expect(r.err == "")
        #expect(r.out == "C /keep\nA /keep/.cache\nC /srv\nA /srv/var\nC /var\nA /var/cache2\nA /var/log\n")
    }
}

@Suite struct DiffWithoutStoreTests {
    /// Two directories need no store: `diff` used to fail with "STORE does not exist".
    @Test func twoDirectoriesAreComparedWithoutAStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for d in ["a", "b"] { try FileManager.default.createDirectory(atPath: "\(dir.path)/\(d)/etc", withIntermediateDirectories: true) }
        try Data("1\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/a/etc/conf"))
        try Data("2\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/b/etc/conf"))
        try Data("new\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/b/added"))
        let r = try run([ladingBinary, "diff", "--store", dir.path + "/no-store", dir.path + "/a", dir.path + "/b"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "A /added\nC /etc\nC /etc/conf\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/no-store"))
    }
}
