import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

/// Builds one layer's entries.
typealias Build = @Sendable (TarBuilder) throws -> Void

/// A temporary directory holding `root/` (what layers are applied to), a sibling `canary/`
/// that no layer may touch, and the layer files.
final class Sandbox {
    let dir: TemporaryDirectory
    var root: String { dir.path + "/root" }
    var canary: String { dir.path + "/canary" }
    private var count = 0

    init() throws {
        dir = try TemporaryDirectory("layer-test")
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/canary", withIntermediateDirectories: true)
        try Data("canary\n".utf8).write(to: URL(fileURLWithPath: canary + "/file"))
    }

    deinit { dir.remove() }

    /// Writes layer bytes to a file and opens a reader named `layer N`.
    func layer(_ bytes: [UInt8]) throws -> TarReader {
        count += 1
        let path = "\(dir.path)/layer\(count).tar"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try TarReader(.path(path), name: "layer \(count)")
    }

    func layer(_ build: (TarBuilder) throws -> Void) throws -> TarReader {
        let b = try TarBuilder()
        try build(b)
        return try layer(b.bytes())
    }

    /// Applies layers built by the closures, in order.
    func apply(_ layers: [Build], options: ApplyOptions = ApplyOptions()) throws {
        let readers = try layers.map { try layer($0) }
        try LayerApplier.unpack(readers, into: root, options: options)
    }

    /// The sandbox holds exactly root, canary and layer files, and the canary is untouched.
    func expectContained(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix("layer") && !$0.hasPrefix("member") }
        #expect(names.sorted() == ["canary", "root"], sourceLocation: sourceLocation)
        let c = try FileManager.default.contentsOfDirectory(atPath: canary)
        #expect(c == ["file"], sourceLocation: sourceLocation)
        #expect(try String(contentsOfFile: canary + "/file", encoding: .utf8) == "canary\n", sourceLocation: sourceLocation)
    }

    func tree() throws -> FileTree { try DirectoryScanner().scan(root) }
    func lines(mtime: Bool = false) throws -> [String] { render(try tree(), mtime: mtime) }
}

/// One line per path: `/path kind mode uid:gid [size sha8] [-> target] [mtime]`.
func render(_ tree: FileTree, mtime: Bool = false, xattrs: Bool = false) -> [String] {
    tree.entries().map { p, m in
        var s = "\(p) \(m.kind.rawValue) \(String(m.mode, radix: 8)) \(m.uid):\(m.gid)"
        if m.kind == .regular { s += " \(m.size) \(m.contentDigest.map { String($0.prefix(8)) } ?? "-")" }
        if let t = m.linkTarget { s += " -> \(String(decoding: t, as: UTF8.self))" }
        if m.kind == .characterDevice || m.kind == .blockDevice { s += " \(m.deviceMajor),\(m.deviceMinor)" }
        if mtime { s += " @\(m.mtime)" }
        if xattrs { for k in m.xattrs.keys.sorted() { s += " \(k)=\(String(decoding: m.xattrs[k]!, as: UTF8.self))" } }
        return s
    }
}

/// First 8 hex digits of the SHA-256 of `text`.
func sha8(_ text: String) -> String {
    var d = StreamDigester()
    d.update(Array(text.utf8))
    return String(d.finalizeHex().prefix(8))
}

/// Runs `body` and returns the `LayerError` it throws (recording an issue if none).
func layerError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> LayerError? {
    do {
        try body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
    } catch let e as LayerError {
        return e
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
