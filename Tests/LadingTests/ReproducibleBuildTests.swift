import Foundation
import ImageSpec
import Lading
import TarArchive
import Testing
import TestSupport

/// With `SOURCE_DATE_EPOCH`, commit, squash, append and mutate give the same image from
/// the same inputs wherever they run: created times are the epoch, later entry mtimes
/// are clamped to it, headers carry nothing of the machine.
@Suite struct ReproducibleBuildTests {
    static let epoch: Int64 = 1_700_000_000

    /// The same tree made two ways: files created in a different order, mtimes (all
    /// later than the epoch but one) set differently.
    static func makeTree(_ root: String, reversed: Bool, offset: Int64) throws {
        var steps: [(String, String?)] = [("bin", nil), ("bin/tool", "tool\n"), ("etc", nil), ("etc/conf", "a=1\n"),
                                          ("var", nil), ("var/lib", nil), ("var/lib/state", "")]
        if reversed { steps.reverse() }
        let fm = FileManager.default
        for (path, content) in steps {
            let full = root + "/" + path
            try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let content {
                try content.write(toFile: full, atomically: false, encoding: .utf8)
            } else if !fm.fileExists(atPath: full) {
                try fm.createDirectory(atPath: full, withIntermediateDirectories: true)
            }
        }
        chmod(root + "/bin/tool", 0o755)
        for d in ["bin", "etc", "var", "var/lib"] { chmod(root + "/" + d, 0o755) }
        for f in ["etc/conf", "var/lib/state"] { chmod(root + "/" + f, 0o644) }
        if link(root + "/bin/tool", root + "/bin/tool-hard") != 0 { throw PeerError("link failed") }
        // Files first, directories deepest first: setting a time changes no parent's.
        let old = epoch - 86_400
        let times: [(String, Int64)] = [("bin/tool", epoch + offset), ("etc/conf", old), ("var/lib/state", epoch + 2 * offset),
                                        ("var/lib", epoch + 3 * offset), ("bin", epoch + offset), ("etc", epoch + offset), ("var", epoch + 5)]
        for (path, t) in times {
            var tv = [timeval(tv_sec: Int(t), tv_usec: Int(offset % 1_000_000)), timeval(tv_sec: Int(t), tv_usec: Int(offset % 1_000_000))]
            if utimes(root + "/" + path, &tv) != 0 { throw PeerError("utimes \(path) failed") }
        }
    }

    @Test func commitSquashAppendAndMutateGiveTheSameDigestFromDifferentlyMadeTrees() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = String(Self.epoch)
        let extra = dir.path + "/extra.tar"
        try TarBuilder().file("srv/x", "x\n", mtime: Self.epoch - 10).write(to: extra)
        var results: [[String]] = []
        for (i, (reversed, offset)) in [(false, Int64(1000)), (true, Int64(77_777))].enumerated() {
            let tree = "\(dir.path)/tree\(i)", store = "\(dir.path)/store\(i)"
            try Self.makeTree(tree, reversed: reversed, offset: offset)
            func lading(_ args: [String]) throws -> String {
                let r = try run([ladingBinary, args[0], "--store", store] + args.dropFirst(), environment: env)
                #expect(r.status == 0, "\(args): \(r.err)")
                return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let commit = try lading(["commit", "--platform", "linux/amd64", "scratch", tree, "repro.example/app:1"])
            let second = try lading(["commit", "-c", "ENV A=1", "repro.example/app:1", tree, "repro.example/app:2"])
            let appended = try lading(["append", "-t", "repro.example/app:3", "repro.example/app:2", extra])
            let squashed = try lading(["squash", "repro.example/app:3", "repro.example/app:4"])
            let mutated = try lading(["mutate", "-t", "repro.example/app:5", "--label", "k=v", "repro.example/app:4"])
            results.append([commit, second, appended, squashed, mutated])

            // Entry mtimes later than the epoch are the epoch; an earlier one stays.
            let service = try ImageService(storePath: store, create: false)
            let d = try service.details(of: try service.resolve("repro.example/app:1"))
            #expect(d.config.created == "2023-11-14T22:13:20Z")
            let reader = try TarReader(.path(service.layout.blobPath(try #require(d.manifest.layers.first).digest)), name: "layer")
            var mtimes: [String: Int64] = [:]
            while let e = try reader.next() {
                mtimes[e.path] = e.mtime
                #expect(e.uname == nil || e.uname == "", "\(e.path)")
            }
            #expect(mtimes == ["bin/": Self.epoch, "bin/tool": Self.epoch, "bin/tool-hard": Self.epoch, "etc/": Self.epoch,
                               "etc/conf": Self.epoch - 86_400, "var/": Self.epoch, "var/lib/": Self.epoch, "var/lib/state": Self.epoch])
            // The same tree committed again onto the image committed from it: nothing changed
            // (its mtimes, later than the epoch, are compared as the epoch).
            let again = try service.details(of: try service.resolve("repro.example/app:2"))
            #expect(again.manifest.layers == d.manifest.layers)
            #expect(again.config.history?.last?.emptyLayer == true && again.config.config?.env == ["A=1"])
            let h = try #require(try service.details(of: try service.resolve("repro.example/app:5")).config.history)
            #expect(h.allSatisfy { $0.created == "2023-11-14T22:13:20Z" })
        }
        #expect(results[0] == results[1])
        #expect(results[0].allSatisfy { $0.hasPrefix("sha256:") })
        // Five different images, each the same on both sides.
        #expect(Set(results[0]).count == 5)
    }

    @Test func peersReadAReproducibleCommit() throws {
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let tree = dir.path + "/tree"
        try Self.makeTree(tree, reversed: false, offset: 5)
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = String(Self.epoch)
        let store = service.layout.root
        let r = try run([ladingBinary, "commit", "--store", store, "scratch", tree, "repro.example/app:peer"], environment: env)
        #expect(r.status == 0, "\(r.err)")
        let bundle = dir.path + "/bundle"
        let u = try run(["umoci", "unpack", "--image", "\(store):peer", bundle])
        #expect(u.status == 0, "\(u.err)")
        var st = stat()
        #expect(stat(bundle + "/rootfs/bin/tool", &st) == 0 && st.st_mtim.tv_sec == Int(Self.epoch) && st.st_nlink == 2 && st.st_mode & 0o777 == 0o755)
        let s = try run(["skopeo", "inspect", "oci:\(store):peer"])
        #expect(s.status == 0 && s.out.contains("\"Created\": \"2023-11-14T22:13:20Z\""), "\(s.out)\(s.err)")
        try AppendMutateTests.expectContainerdUnpacks(service, "repro.example/app:peer", in: dir.path)
    }
}
