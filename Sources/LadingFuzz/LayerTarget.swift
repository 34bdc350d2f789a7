import Foundation
import LayerChangeset
import TarArchive

/// One layer tarball applied onto a fresh root, `SCRATCH/root`, that already holds a
/// small lower tree with symlinks pointing out of it (`../outside`). Whether the layer
/// applies or is refused, nothing outside the root may change: `SCRATCH` keeps exactly
/// `root`, `outside` (a sentinel tree) and the input, all as they were, and the root
/// stays a directory.
enum LayerTarget {
    static func run(_ input: [UInt8]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try populate(scratch.path)
        try scratch.write("layer", input)
        let before = snapshot(scratch.path, skip: ["root"])
        let options = ApplyOptions(rootless: geteuid() != 0)
        do {
            let reader = try TarReader(.path(scratch.path + "/layer"), name: "layer")
            let applier = try LayerApplier(root: scratch.path + "/root", options: options)
            try applier.apply(reader)
            try applier.finish()
            note("apply", "applied")
        } catch {
            note("apply", error)  // refused: fine, as long as nothing escaped (checked below)
        }
        let after = snapshot(scratch.path, skip: ["root"])
        if after != before {
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
            throw FuzzViolation("a layer changed paths outside its root: \(changed.map { "\($0): \(before[$0] ?? "absent") -> \(after[$0] ?? "absent")" })")
        }
        var st = stat()
        guard lstat(scratch.path + "/root", &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw FuzzViolation("the root is no longer a directory: \(describe(scratch.path + "/root"))")
        }
    }

    /// The lower tree and the sentinel outside it.
    static func populate(_ dir: String) throws {
        let fm = FileManager.default
        for d in ["root/etc/sub", "root/usr/bin", "outside/dir"] {
            try fm.createDirectory(atPath: "\(dir)/\(d)", withIntermediateDirectories: true)
        }
        for (f, text) in [("root/etc/passwd", "root:x:0:0::/root:/bin/sh\n"), ("root/usr/bin/sh", "#!"),
                          ("outside/file", "sentinel\n"), ("outside/dir/file", "sentinel\n")] {
            guard fm.createFile(atPath: "\(dir)/\(f)", contents: Data(text.utf8)) else {
                throw FuzzViolation("cannot create \(dir)/\(f)")
            }
        }
        for (link, target) in [("root/bin", "usr/bin"), ("root/up", "../outside"), ("root/etc/up", "../../outside"),
                               ("root/etc/sub/up", "../../../outside/dir"), ("root/passwd", "etc/passwd"),
                               ("root/outfile", "../outside/file")] {
            try fm.createSymbolicLink(atPath: "\(dir)/\(link)", withDestinationPath: target)
        }
    }
}
