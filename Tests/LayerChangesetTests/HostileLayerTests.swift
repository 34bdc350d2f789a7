import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

/// Crafted layers that try to leave the root. Each either fails with an error naming the
/// entry, or lands confined inside the root; the sibling canary is never touched.
@Suite struct HostileLayerTests {
    static let refused: [(String, [Build], LayerError.Code, String)] = [
        ("dot-dot name", [{ b in try b.file("../evil", "x") }], .unsafePath,
         "layer 1: entry ../evil: path escapes the root"),
        ("dot-dot inside the name", [{ b in try b.file("a/../../canary/file", "x") }], .unsafePath,
         "layer 1: entry a/../../canary/file: path escapes the root"),
        ("symlink named dot", [{ b in try b.symlink(".", to: "/") }], .unsafePath,
         "layer 1: entry .: a non-directory cannot replace the root"),
        ("file naming the root", [{ b in try b.file("./", "x") }], .unsafePath,
         "layer 1: entry \"\": a non-directory cannot replace the root"),
        ("file named /", [{ b in try b.entry(TarEntry(path: "/..", kind: .fifo)) }], .unsafePath,
         "layer 1: entry /..: path escapes the root"),
        ("hardlink climbing out", [{ b in try b.hardlink("h", to: "../../x") }], .invalidHardlink,
         "layer 1: entry h: hardlink target ../../x escapes the root"),
        ("hardlink to a missing absolute name", [{ b in try b.hardlink("h", to: "/etc/passwd") }], .invalidHardlink,
         "layer 1: entry h: hardlink target /etc/passwd does not exist or is a directory"),
        ("hardlink through a symlink out of the root", [{ b in try b.symlink("l", to: "../../.."); try b.hardlink("h", to: "l/canary/file") }],
         .invalidHardlink, "layer 1: entry h: hardlink target /l/canary/file does not exist or is a directory"),
        ("hardlink to a directory", [{ b in try b.directory("d"); try b.hardlink("h", to: "d") }], .invalidHardlink,
         "layer 1: entry h: hardlink target /d does not exist or is a directory"),
        ("symlink with an empty target", [{ b in try b.symlink("s", to: "") }], .unsupportedEntry,
         "layer 1: entry s: symlink target is empty"),
        ("parent is a file", [{ b in try b.file("f", "x"); try b.file("f/x", "y") }], .notADirectory,
         "layer 1: entry f/x: parent /f is not a directory"),
        ("symlink loop", [{ b in try b.symlink("a", to: "b"); try b.symlink("b", to: "a"); try b.file("a/x", "y") }], .notADirectory,
         "layer 1: entry a/x: too many levels of symbolic links"),
        ("second layer is named", [{ b in try b.file("ok", "1") }, { b in try b.file("../../x", "1") }], .unsafePath,
         "layer 2: entry ../../x: path escapes the root"),
        ("non-UTF-8 name is escaped", [{ b in
            var e = TarEntry(path: "", kind: .regular)
            e.pathBytes = Array("../bad".utf8) + [0xFF, 0x0A]
            try b.entry(e)
        }], .unsafePath, "layer 1: entry \"../bad\\xff\\n\": path escapes the root"),
    ]

    @Test(arguments: refused.indices)
    func refusesWithTheEntryNamed(_ i: Int) throws {
        let (label, layers, code, message) = Self.refused[i]
        let s = try Sandbox()
        let e = layerError { try s.apply(layers) }
        #expect(e?.code == code, "\(label)")
        #expect(e?.message == message, "\(label)")
        try s.expectContained()
    }

    static let confined: [(String, [Build], [String])] = [
        ("absolute name", [{ b in try b.file("/abs/file", "x") }], ["/abs", "/abs/file"]),
        ("symlink to / then a file through it", [{ b in try b.symlink("link", to: "/"); try b.file("link/canary/file", "pwned") }],
         ["/canary", "/canary/file", "/link"]),
        ("symlink out of the root then a file through it, across layers",
         [{ b in try b.symlink("up", to: "../../../canary") }, { b in try b.file("up/file", "pwned") }],
         ["/canary", "/canary/file", "/up"]),
        ("symlink replaced by a file in a later layer",
         [{ b in try b.symlink("s", to: "../canary/file") }, { b in try b.file("s", "new") }], ["/s"]),
        ("symlink replaced by a file in the same layer",
         [{ b in try b.symlink("s", to: "/../canary/file"); try b.file("s", "new") }], ["/s"]),
        ("hardlink to an absolute name inside the root",
         [{ b in try b.file("etc/passwd", "root"); try b.hardlink("h", to: "/etc/passwd") }], ["/etc", "/etc/passwd", "/h"]),
        ("whiteout through a symlink parent stays inside",
         [{ b in try b.symlink("l", to: "/"); try b.file("keep", "k") }, { b in try b.file("l/.wh.canary") }], ["/keep", "/l"]),
    ]

    @Test(arguments: confined.indices)
    func confinesToTheRoot(_ i: Int) throws {
        let (label, layers, expected) = Self.confined[i]
        let s = try Sandbox()
        try s.apply(layers)
        #expect(try s.tree().entries().map { $0.path.description } == expected, "\(label)")
        try s.expectContained()
        if label.hasPrefix("symlink replaced") {
            #expect(try String(contentsOfFile: s.root + "/s", encoding: .utf8) == "new")
        }
    }

    @Test func paxPathRecordOverridingAHarmlessNameIsRefused() throws {
        let s = try Sandbox()
        let bytes = RawTar.pax([("path", "../canary/file")]) + RawTar.file("harmless.txt", "pwned") + RawTar.end
        let e = layerError { try LayerApplier.unpack([try s.layer(bytes)], into: s.root) }
        #expect(e?.message == "layer 1: entry ../canary/file: path escapes the root")
        try s.expectContained()
    }

    @Test func paxLinkpathRecordIsChecked() throws {
        let s = try Sandbox()
        let bytes = RawTar.pax([("linkpath", "../../canary/file")]) + RawTar.header(name: "h", type: "1", link: "ok") + RawTar.end
        let e = layerError { try LayerApplier.unpack([try s.layer(bytes)], into: s.root) }
        #expect(e?.message == "layer 1: entry h: hardlink target ../../canary/file escapes the root")
        try s.expectContained()
    }
}

/// Names longer than NAME_MAX are refused before any system call, the same way on disk
/// (`LayerApplier`) and in memory (`MergedView`, what `import` checks), naming the entry
/// once, cut short at 100 characters.
@Suite struct LongNameTests {
    static let long = String(repeating: "a", count: 300)
    static let shown = "d/" + String(repeating: "a", count: 98) + "…"

    static let refused: [(String, Build, String)] = [
        ("file", { b in try b.file("d/\(long)", "x") }, "layer 1: entry \(shown): a name in the path is 300 bytes, longer than 255 (NAME_MAX)"),
        ("directory on the way", { b in try b.file("d/\(long)/f", "x") }, "layer 1: entry \(shown): a name in the path is 300 bytes, longer than 255 (NAME_MAX)"),
        ("whiteout", { b in try b.file("d/.wh.\(String(repeating: "b", count: 256))") },
         "layer 1: entry d/.wh.\(String(repeating: "b", count: 94))…: a name in the path is 256 bytes, longer than 255 (NAME_MAX)"),
    ]

    @Test(arguments: refused.indices)
    func refusedOnDiskAndInMemory(_ i: Int) throws {
        let (label, build, message) = Self.refused[i]
        let s = try Sandbox()
        let e = layerError { try s.apply([build]) }
        #expect(e?.code == .nameTooLong, "\(label)")
        #expect(e?.message == message, "\(label)")
        #expect(e?.description == message, "\(label): no cause repeating the name")
        let m = layerError { _ = try MergedView.build([try s.layer(build)]) }
        #expect(m?.message == message.replacingOccurrences(of: "layer 1", with: "layer 2"), "\(label)")
    }

    @Test func aNameOfExactly255BytesIsTaken() throws {
        let s = try Sandbox()
        let name = String(repeating: "c", count: 255)
        try s.apply([{ b in try b.file("d/\(name)", "x") }])
        #expect(try String(contentsOfFile: "\(s.root)/d/\(name)", encoding: .utf8) == "x")
        // A whiteout marker of 259 bytes removes a 255-byte name.
        try s.apply([{ b in try b.file("d/.wh.\(name)") }])
        #expect(!FileManager.default.fileExists(atPath: "\(s.root)/d/\(name)"))
    }
}

/// A hardlink to a later entry: in a filesystem tarball (`RootfsCheck`) the target is no
/// earlier entry of the archive; in a layer it may have come from a lower layer, so it
/// does not exist.
@Suite struct HardlinkOrderTests {
    func check(_ build: Build) throws -> LayerError? {
        let s = try Sandbox()
        let reader = try s.layer(build)
        let rules = RootfsCheck(name: "in.tar")
        return layerError { while let e = try reader.next() { try rules.check(e, reader) } }
    }

    @Test func rootfsCheckSaysNotAnEarlierEntry() throws {
        let later = try check { b in try b.hardlink("h", to: "f"); try b.file("f", "x") }
        #expect(later?.code == .invalidHardlink)
        #expect(later?.message == "in.tar: entry h: hardlink target /f is not an earlier entry of the archive")
        let directory = try check { b in try b.directory("d"); try b.hardlink("h", to: "d") }
        #expect(directory?.message == "in.tar: entry h: hardlink target /d does not exist or is a directory")
        let s = try Sandbox()
        let reader = try s.layer { b in try b.file("f", "x"); try b.hardlink("h", to: "f") }
        let rules = RootfsCheck(name: "in.tar")
        while let e = try reader.next() { try rules.check(e, reader) }
    }

    @Test func layersKeepTheirMessage() throws {
        let s = try Sandbox()
        let m = layerError { _ = try MergedView.build([try s.layer { b in try b.hardlink("h", to: "f"); try b.file("f", "x") }]) }
        #expect(m?.message == "layer 1: entry h: hardlink target /f does not exist or is a directory")
    }
}
