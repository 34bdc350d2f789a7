import Foundation
import Lading
import Testing
import TestSupport

/// `import` and `unpack` agree: every crafted rootfs tarball is either refused by `import`
/// with the message naming the tarball and the entry, or imported and then unpacked into
/// exactly the expected tree. Nothing is left in the store after a refusal.
@Suite struct ImportRootfsTests {
    typealias Build = @Sendable (TarBuilder) throws -> Void
    enum Outcome: Sendable {
        /// The error text after `<tarball>: `.
        case refused(String)
        /// `unpackedTree` lines of the unpacked image.
        case tree([String])
    }

    static let cases: [(String, Build, Outcome)] = [
        ("bare .wh..", { b in try b.file(".wh..") },
         .refused("entry .wh..: whiteout marker: .wh. names are not allowed in a filesystem tarball")),
        ("bare .wh.", { b in try b.file("ok", "x").file(".wh.") },
         .refused("entry .wh.: whiteout marker: .wh. names are not allowed in a filesystem tarball")),
        ("opaque marker", { b in try b.directory("dir").file("dir/f", "x").file("dir/.wh..wh..opq") },
         .refused("entry dir/.wh..wh..opq: whiteout marker: .wh. names are not allowed in a filesystem tarball")),
        ("opaque marker under a file", { b in try b.file("f", "x").file("f/.wh..wh..opq") },
         .refused("entry f/.wh..wh..opq: whiteout marker: .wh. names are not allowed in a filesystem tarball")),
        ("whiteout in a rootfs", { b in try b.directory("a").file("a/b", "x").file("a/.wh.b") },
         .refused("entry a/.wh.b: whiteout marker: .wh. names are not allowed in a filesystem tarball")),
        ("aufs meta entry", { b in try b.file(".wh..wh.plnk/1", "x") },
         .refused("entry .wh..wh.plnk/1: whiteout marker: .wh. names are not allowed in a filesystem tarball")),
        ("whiteout name through a symlink", { b in try b.symlink("l", to: ".wh.x").file("l/f", "x") },
         .refused("entry l/f: resolves to /.wh.x/f through a symlink: .wh. names are not allowed in a filesystem tarball")),
        ("absolute hardlink target", { b in try b.directory("etc").file("etc/passwd", "root\n", mode: 0o600).hardlink("x", to: "/etc/passwd") },
         .tree(["etc d755", "etc/passwd f600 \"root\\n\"", "x f600 =etc/passwd"])),
        ("hardlink climbing out", { b in try b.file("f", "x").hardlink("x", to: "../../outside") },
         .refused("entry x: hardlink target ../../outside escapes the root")),
        ("hardlink to a missing path", { b in try b.file("f", "x").hardlink("x", to: "missing") },
         .refused("entry x: hardlink target /missing is not an earlier entry of the archive")),
        ("hardlink to a later entry", { b in try b.hardlink("x", to: "f").file("f", "x") },
         .refused("entry x: hardlink target /f is not an earlier entry of the archive")),
        ("hardlink to a directory", { b in try b.directory("d").hardlink("x", to: "d") },
         .refused("entry x: hardlink target /d does not exist or is a directory")),
        ("absolute symlink, linked", { b in try b.directory("etc").file("etc/passwd", "p").symlink("s", to: "/etc/passwd").hardlink("h", to: "s") },
         .tree(["etc d755", "etc/passwd f644 \"p\"", "h l -> /etc/passwd", "s l -> /etc/passwd"])),
        ("empty symlink target", { b in try b.symlink("s", to: "") },
         .refused("entry s: symlink target is empty")),
        ("./ names", { b in try b.directory("./").directory("./bin", mode: 0o700).file("./bin/tool", "t", mode: 0o755).symlink("./sh", to: "bin/tool").hardlink("./h", to: "./bin/tool") },
         .tree(["bin d700", "bin/tool f755 \"t\"", "h f755 =bin/tool", "sh l -> bin/tool"])),
        ("name climbing out", { b in try b.file("ok", "x").file("a/../../etc/passwd", "x") },
         .refused("entry a/../../etc/passwd: path escapes the root")),
        ("duplicate file", { b in try b.file("a", "first").file("b", "b").file("./a", "second", mode: 0o600) },
         .tree(["a f600 \"second\"", "b f644 \"b\""])),
        ("duplicate hardlink target", { b in try b.file("a", "1").hardlink("h", to: "a").file("a", "2").hardlink("g", to: "a") },
         .tree(["a f644 \"2\"", "g f644 =a", "h f644 \"1\""])),
        ("duplicate through a replaced symlink", { b in try b.directory("etc").symlink("l", to: "etc").file("l/passwd", "p").directory("l") },
         .tree(["etc d755", "etc/passwd f644 \"p\"", "l d755"])),
        ("duplicate directory replaced by a file", { b in try b.file("d/x", "x").file("d", "f").directory("d", mode: 0o750) },
         .tree(["d d750"])),
    ]

    @Test(arguments: cases.indices)
    func importThenUnpack(_ i: Int) throws {
        let (label, build, outcome) = Self.cases[i]
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let tar = "\(dir.path)/case.tar"
        let b = try TarBuilder()
        try build(b)
        try b.write(to: tar)
        let before = snapshot(service.layout.root)
        do {
            _ = try service.importTarball(path: tar, options: ImportOptions(reference: "rootfs:t"))
        } catch {
            #expect("\(error)" == outcome.refusal.map { "\(tar): \($0)" }, "\(label)")
            #expect(snapshot(service.layout.root) == before, "\(label)")
            return
        }
        guard case .tree(let expected) = outcome else {
            Issue.record("\(label): imported, expected \(outcome)")
            return
        }
        let out = "\(dir.path)/out"
        try service.unpack("rootfs:t", into: out)
        #expect(try unpackedTree(out) == expected, "\(label)")
    }
}

extension ImportRootfsTests.Outcome {
    var refusal: String? { if case .refused(let m) = self { m } else { nil } }
}

/// One line per path below `root`, sorted: `path d755`, `path f644 "content"`,
/// `path l -> target`; a further name of an inode listed already is `path f644 =first`.
func unpackedTree(_ root: String) throws -> [String] {
    var lines: [String] = []
    var inodes: [UInt: String] = [:]
    func walk(_ rel: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(rel)").sorted() {
            let path = rel.isEmpty ? name : "\(rel)/\(name)"
            var st = stat()
            guard lstat("\(root)/\(path)", &st) == 0 else { throw CocoaError(.fileReadUnknown) }
            let mode = String(st.st_mode & 0o7777, radix: 8)
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                lines.append("\(path) d\(mode)")
                try walk(path)
            case S_IFLNK:
                lines.append("\(path) l -> \(try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/\(path)"))")
            default:
                if let first = inodes[UInt(st.st_ino)] {
                    lines.append("\(path) f\(mode) =\(first)")
                } else {
                    inodes[UInt(st.st_ino)] = path
                    let content = try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
                    lines.append("\(path) f\(mode) \(content.debugDescription)")
                }
            }
        }
    }
    try walk("")
    return lines
}
