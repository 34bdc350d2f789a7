import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

/// Layer files of real images, extracted to a sandbox for tests.
enum ImageFixtures {
    /// The layer blobs of a `docker save` archive (legacy or crane style) in `manifest.json`
    /// order, copied out of the archive into `dir`. Symlinked members are followed.
    static func dockerArchiveLayers(_ archive: String, into dir: String) throws -> [String] {
        let r = try TarReader(.path(try Fixtures.require(archive)), name: archive)
        var files: [String: String] = [:]
        var links: [String: String] = [:]
        var n = 0
        while let e = try r.next() {
            let name = e.path.hasPrefix("./") ? String(e.path.dropFirst(2)) : e.path
            if e.kind == .symlink, let l = e.link {
                let base = (name as NSString).deletingLastPathComponent
                links[name] = ((base as NSString).appendingPathComponent(l) as NSString).standardizingPath
            }
            guard e.kind == .regular else { continue }
            n += 1
            let out = "\(dir)/member\(n)"
            try Data(try r.readAll(limit: 64 << 20)).write(to: URL(fileURLWithPath: out))
            files[name] = out
        }
        let manifestFile = try #require(files["manifest.json"], "\(archive) has no manifest.json")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestFile))) as? [[String: Any]]
        let layers = try #require(manifest?.first?["Layers"] as? [String], "\(archive): manifest.json lists no image with layers")
        return layers.map { files[$0] ?? files[links[$0] ?? ""] ?? "" }
    }

    /// The layer blob paths of tag `ref` in the OCI layout at `layout`.
    static func layoutLayers(_ layout: String, ref: String) throws -> [String] {
        func json(_ p: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as! [String: Any]
        }
        func blob(_ digest: String) -> String { "\(layout)/blobs/sha256/\(digest.dropFirst(7))" }
        let index = try json(try Fixtures.require("\(layout)/index.json"))
        let desc = try #require((index["manifests"] as? [[String: Any]])?.first {
            ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == ref
        }, "\(layout) has no image tagged \(ref)")
        let manifest = try json(blob(desc["digest"] as! String))
        return (manifest["layers"] as! [[String: Any]]).map { blob($0["digest"] as! String) }
    }

    static func readers(_ paths: [String]) throws -> [TarReader] {
        try paths.enumerated().map { try TarReader(.path(try Fixtures.require($1)), name: "layer \($0 + 1)") }
    }

    /// Unpacks `layers` into `root` and also merges them in memory; expects the two trees
    /// to agree (path, type, mode, owner, size, digest, link, device; hardlink groups as
    /// sets of names) and returns the rendering.
    static func unpackAndMerge(_ layers: [String], root: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        try LayerApplier.unpack(try readers(layers), into: root)
        let disk = try DirectoryScanner().scan(root)
        let merged = try MergedView.build(try readers(layers))
        #expect(render(disk) == render(merged), sourceLocation: sourceLocation)
        #expect(groups(disk) == groups(merged), sourceLocation: sourceLocation)
        return render(disk)
    }

    /// Hardlink groups as sorted lists of names.
    static func groups(_ t: FileTree) -> [[String]] {
        var g: [Int: [String]] = [:]
        for (p, m) in t.entries() { if let id = m.hardlinkGroup { g[id, default: []].append(p.description) } }
        return g.values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
