import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import Lading
import TarArchive
import Testing
import TestSupport

/// Delta archives (`save --exclude-from`): the layers a site has are left out, listed in
/// excluded-blobs.json, and taken from the destination store on load.
@Suite struct DeltaBundleTests {
    /// The base layer app:base and app:v2 share (1,997,312 bytes) and v2's own layer.
    static let baseLayer = "sha256:285aa04819c4c1150ccf4a71cb4fd792942d366558dd2ba6b3badff1050ea9fe"
    static let ownLayer = "sha256:a8a0272c661e24eb0565ea7b1a50be38fa5da2ecbdd215f6ff41fd4ccb4be6c2"

    /// A source store with app:base and app:v2, and a site store with app:base only.
    private func stores(_ dir: TemporaryDirectory) throws -> (src: String, site: String) {
        let src = dir.path + "/src", site = dir.path + "/site"
        #expect(try run([ladingBinary, "load", "--store", src, "\(corpus)/multi.containerd.docker.tar"]).status == 0)
        #expect(try run([ladingBinary, "save", "--store", src, "-o", dir.path + "/base.tar", "example.com/team/app:base"]).status == 0)
        #expect(try run([ladingBinary, "load", "--store", site, dir.path + "/base.tar"]).status == 0)
        return (src, site)
    }

    private func entries(_ tar: String) throws -> [String] {
        try run(["tar", "-tf", tar]).out.split(separator: "\n").map(String.init)
    }

    @Test func deltaLeavesOutWhatTheSiteHasAndLoadsThere() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, site) = try stores(dir)
        let inventory = try run([ladingBinary, "content", "ls", "--store", site])
        #expect(inventory.status == 0)
        #expect(inventory.out.hasPrefix("DIGEST "))
        #expect(inventory.out.contains("\(Self.baseLayer)   1997312\n"), "\(inventory.out)")
        try inventory.out.write(toFile: dir.path + "/have.txt", atomically: true, encoding: .utf8)

        let delta = dir.path + "/delta.tar"
        let r = try run([ladingBinary, "save", "--store", src, "--exclude-from", dir.path + "/have.txt", "-o", delta, "example.com/team/app:v2"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("Delta archive: 1 layer blob (2MB) left out, expected at the destination"), "\(r.err)")
        let names = try entries(delta)
        #expect(!names.contains("blobs/sha256/\(Self.baseLayer.dropFirst(7))"))
        #expect(names.contains("blobs/sha256/\(Self.ownLayer.dropFirst(7))"))
        #expect(names.contains("excluded-blobs.json") && names.contains("manifest.json") && names.contains("index.json"))
        let record = try JSON.decode(ExcludedBlobs.self, from: Array(try run(["tar", "-xOf", delta, "excluded-blobs.json"]).out.utf8), what: "x")
        #expect(record.blobs == [Descriptor(mediaType: "application/vnd.docker.image.rootfs.diff.tar", digest: try Digest(parsing: Self.baseLayer), size: 1_997_312)])

        // Every kind of SOURCE gives the same archive.
        let whole = try Data(contentsOf: URL(fileURLWithPath: delta))
        for source in [site, "oci:\(site)", dir.path + "/base.tar", "docker-archive:\(dir.path)/base.tar"] {
            let other = dir.path + "/other.tar"
            #expect(try run([ladingBinary, "save", "--store", src, "--exclude-from", source, "-o", other, "example.com/team/app:v2"]).status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == whole, "--exclude-from \(source)")
        }

        // verify of the archive alone: the left-out layer is expected, and said so.
        let v = try run([ladingBinary, "verify", delta])
        #expect(v.status == 0, "\(v.out)")
        #expect(v.out.contains("\(delta): delta archive: 1 layer blob (2MB) left out, expected at the destination (load checks them there)"), "\(v.out)")
        let vj = try run([ladingBinary, "verify", "--format", "json", delta])
        #expect(vj.out.contains("\"expectedAtDestination\":1"), "\(vj.out)")

        // The site loads it: same image ID as the source's, the store verifies clean.
        let load = try run([ladingBinary, "load", "--store", site, delta])
        #expect(load.status == 0, "\(load.err)")
        #expect(load.out == "Loaded image: example.com/team/app:v2\n")
        let id = try ImageService(storePath: src).resolve("example.com/team/app:v2").id
        #expect(try ImageService(storePath: site).resolve("example.com/team/app:v2").id == id)
        #expect(try run([ladingBinary, "verify", "--store", site, "store"]).status == 0)
    }

    @Test func deltaWhoseBaseIsAbsentOrDamagedFailsNamingTheDigest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, site) = try stores(dir)
        let delta = dir.path + "/delta.tar"
        #expect(try run([ladingBinary, "save", "--store", src, "--exclude-from", site, "-o", delta, "example.com/team/app:v2"]).status == 0)

        // A store without the base: nothing named, nothing left.
        let empty = dir.path + "/empty"
        #expect(try run([ladingBinary, "load", "--store", empty, "--base-name", "zstd/app", "\(corpus)/layout-zstd"]).status == 0)
        let before = snapshot(empty)
        let r = try run([ladingBinary, "load", "--store", empty, delta])
        #expect(r.status == 1)
        #expect(r.err == "Error: \(delta): delta archive: 1 of the 1 blobs it leaves out is not in the destination store intact: \(Self.baseLayer) (missing) (load the images it was made against first)\n", "\(r.err)")
        #expect(snapshot(empty) == before)

        // A damaged base at the site: named as such, store unchanged.
        let blob = "\(site)/blobs/sha256/\(Self.baseLayer.dropFirst(7))"
        chmod(blob, 0o644)
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: blob))
        try h.seek(toOffset: 1000)
        try h.write(contentsOf: Data([0x41]))
        try h.close()
        let siteBefore = snapshot(site)
        let d = try run([ladingBinary, "load", "--store", site, delta])
        #expect(d.status == 1)
        #expect(d.err.contains("\(Self.baseLayer) (damaged: its content has digest sha256:"), "\(d.err)")
        #expect(snapshot(site) == siteBefore)
    }

    /// The store records a hash of each blob of 1 MiB or more it writes (`user.lading.checked`):
    /// the delta load takes a left-out blob on that record while the file is as recorded,
    /// hashes it once it changed, and hashes it always with --rehash-base.
    @Test func aRecordedBaseIsTakenOnItsRecordUntilItChanges() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, site) = try stores(dir)
        let delta = dir.path + "/delta.tar"
        #expect(try run([ladingBinary, "save", "--store", src, "--exclude-from", site, "-o", delta, "example.com/team/app:v2"]).status == 0)
        let blob = "\(site)/blobs/sha256/\(Self.baseLayer.dropFirst(7))"
        // A file system without user extended attributes keeps no records: every check hashes.
        FileManager.default.createFile(atPath: dir.path + "/probe", contents: Data())
        guard Xattr.set(path: Array((dir.path + "/probe").utf8), "user.probe", [1]) == 0 else {
            #expect(Xattr.get(path: blob, "user.lading.checked") == nil)
            return
        }
        // Written by the load: recorded, its time set a second back.
        var st = stat()
        #expect(lstat(blob, &st) == 0)
        let recorded = Xattr.get(path: blob, "user.lading.checked")
        #expect(recorded?.count == 56)
        #expect(recorded.map { Array($0.prefix(32)) } == hexBytes(String(Self.baseLayer.dropFirst(7))))
        #expect(recorded.map { Array($0[32..<40]) } == withUnsafeBytes(of: Int64(1_997_312).littleEndian, Array.init))
        #expect(Double(st.st_mtim.tv_sec) < Date().timeIntervalSince1970)
        // Small blobs (the manifest, the config) carry none.
        let small = try FileManager.default.contentsOfDirectory(atPath: "\(site)/blobs/sha256").filter { "sha256:" + $0 != Self.baseLayer }
        #expect(small.count == 2)
        for b in small { #expect(Xattr.get(path: "\(site)/blobs/sha256/\(b)", "user.lading.checked") == nil, "\(b)") }

        // Altered behind the store's back with its time put back: the record still
        // matches, so the load takes it; --rehash-base hashes it and refuses it.
        chmod(blob, 0o644)
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: blob))
        try h.seek(toOffset: 1000)
        try h.write(contentsOf: Data([0x41]))
        try h.close()
        var times = [st.st_atim, st.st_mtim]
        #expect(utimensat(AT_FDCWD, blob, &times, 0) == 0)
        let copy = dir.path + "/copy"
        #expect(try run(["cp", "-a", site, copy]).status == 0)
        let before = snapshot(site)
        let strict = try run([ladingBinary, "load", "--store", site, "--rehash-base", delta])
        #expect(strict.status == 1)
        #expect(strict.err.contains("\(Self.baseLayer) (damaged: its content has digest sha256:"), "\(strict.err)")
        #expect(snapshot(site) == before)
        let quick = try run([ladingBinary, "load", "--store", copy, delta])
        #expect(quick.status == 0, "\(quick.err)")

        // Any write moves the time: the record no longer matches and the load hashes.
        let h2 = try FileHandle(forUpdating: URL(fileURLWithPath: blob))
        try h2.seek(toOffset: 2000)
        try h2.write(contentsOf: Data([0x42]))
        try h2.close()
        let changed = try run([ladingBinary, "load", "--store", site, delta])
        #expect(changed.status == 1)
        #expect(changed.err.contains("\(Self.baseLayer) (damaged: its content has digest sha256:"), "\(changed.err)")

        // A blob without a record is hashed, and recorded once found intact (its time is
        // older than a second).
        let fresh = dir.path + "/fresh"
        #expect(try run([ladingBinary, "load", "--store", fresh, dir.path + "/base.tar"]).status == 0)
        let freshBlob = "\(fresh)/blobs/sha256/\(Self.baseLayer.dropFirst(7))"
        #expect(try run(["python3", "-c", "import os,sys; os.removexattr(sys.argv[1], 'user.lading.checked')", freshBlob]).status == 0)
        #expect(Xattr.get(path: freshBlob, "user.lading.checked") == nil)
        let l = try run([ladingBinary, "load", "--store", fresh, delta])
        #expect(l.status == 0, "\(l.err)")
        #expect(Xattr.get(path: freshBlob, "user.lading.checked").map { Array($0.prefix(40)) } == recorded.map { Array($0.prefix(40)) })
    }

    /// A blob hashed in place is recorded only when its time is a second older than the
    /// start of the hash: a write while it was being read (its time after that start)
    /// leaves it unrecorded, so the next delta load hashes it again.
    @Test func aBlobWrittenWhileItWasHashedIsNotRecorded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (_, site) = try stores(dir)
        let blob = "\(site)/blobs/sha256/\(Self.baseLayer.dropFirst(7))"
        FileManager.default.createFile(atPath: dir.path + "/probe", contents: Data())
        guard Xattr.set(path: Array((dir.path + "/probe").utf8), "user.probe", [1]) == 0 else { return }
        #expect(try run(["python3", "-c", "import os,sys; os.removexattr(sys.argv[1], 'user.lading.checked')", blob]).status == 0)
        let layout = try OCILayout(root: site, create: false)
        let digest = try Digest(parsing: Self.baseLayer)
        // The file's time: five seconds ago.
        var written = CheckRecord.now()
        written.tv_sec -= 5
        let times = [written, written]
        #expect(utimensat(AT_FDCWD, blob, times, 0) == 0)
        // A hash that began before that write (six seconds ago) saw the old content.
        var early = written
        early.tv_sec -= 1
        layout.recordChecked(digest, hashStart: early)
        #expect(Xattr.get(path: blob, "user.lading.checked") == nil)
        #expect(!layout.hasCheckedBlob(digest, size: 1_997_312))
        // A hash that began after it is recorded.
        layout.recordChecked(digest, hashStart: CheckRecord.now())
        #expect(Xattr.get(path: blob, "user.lading.checked")?.count == 56)
        #expect(layout.hasCheckedBlob(digest, size: 1_997_312))
    }

    /// A split set whose checksum file has CRLF line ends loads (`sha256sum -c` reads it);
    /// a part that is a FIFO is refused by name before anything is read, not waited on.
    @Test func aSplitSetWithCRLFSumsLoadsAndAFIFOPartIsNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, site) = try stores(dir)
        let out = dir.path + "/out"
        #expect(try run([ladingBinary, "save", "--store", src, "--split", "700000", "-o", out, "example.com/team/app"]).status == 0)
        let sums = try String(contentsOfFile: "\(out).sha256", encoding: .utf8)
        try sums.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: "\(out).sha256", atomically: true, encoding: .utf8)
        let crlf = try run([ladingBinary, "load", "--store", dir.path + "/crlf", "\(out).000"])
        #expect(crlf.status == 0, "\(crlf.err)")
        #expect(crlf.out.contains("Loaded image: example.com/team/app:v2"))
        try FileManager.default.removeItem(atPath: "\(out).001")
        #expect(mkfifo("\(out).001", 0o644) == 0)
        let before = snapshot(site)
        let fifo = try run(["timeout", "60", ladingBinary, "load", "--store", site, "\(out).000"])
        #expect(fifo.status == 1)
        #expect(fifo.err == "Error: split archive \(out).sha256: part \(out).001 is not a regular file\n", "\(fifo.err)")
        #expect(snapshot(site) == before)
    }

    /// A split save stopped by a signal removes the parts it wrote, as a failed one does.
    @Test func aSplitSaveStoppedBySIGINTLeavesNoParts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, _) = try stores(dir)
        let outDir = dir.path + "/parts"
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: false)
        // The second part is a FIFO nobody reads: the save blocks opening it, with the
        // first part written, until it is stopped.
        #expect(mkfifo(outDir + "/out.001", 0o644) == 0)
        let p = try Started([ladingBinary, "save", "--store", src, "--split", "1M", "-o", outDir + "/out", "example.com/team/app"])
        #expect(waitUntil(20) { (try? FileManager.default.attributesOfItem(atPath: outDir + "/out.000")[.size] as? Int) == 1 << 20 })
        usleep(300_000)
        kill(p.pid, SIGINT)
        #expect(p.wait(seconds: 60) == 128 + SIGINT, "\(p.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outDir) == [])
    }

    /// The edges of a split set: at most 1,000 parts (so that `cat OUT.0*` stays the
    /// archive), a checksum file too large to be one, `./` names, a long list of missing
    /// parts cut short, the first part without its checksum file.
    @Test func splitSetEdgesAreNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, site) = try stores(dir)
        let out = dir.path + "/out"
        let many = try run([ladingBinary, "save", "--store", src, "--split", "1K", "-o", out, "example.com/team/app"])
        #expect(many.status == 1)
        #expect(many.err == "Error: --split 1024: the archive needs more than 1000 parts of 1024 bytes (out.000 to .999, so that cat out.0* gives it); choose a larger size\n", "\(many.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("out") } == [])

        #expect(try run([ladingBinary, "save", "--store", src, "--split", "4K", "-o", out, "example.com/team/app"]).status == 0)
        let sums = try String(contentsOfFile: "\(out).sha256", encoding: .utf8)
        let count = sums.split(separator: "\n").count
        #expect(count > 200 && count <= 1000, "\(count)")
        // `./NAME`, as `sha256sum` writes for `sha256sum ./out.*`.
        try sums.replacingOccurrences(of: "  out.", with: "  ./out.").write(toFile: "\(out).sha256", atomically: true, encoding: .utf8)
        let dotted = try run([ladingBinary, "load", "--store", dir.path + "/dotted", "\(out).000"])
        #expect(dotted.status == 0, "\(dotted.err)")
        let before = snapshot(site)
        func refused(_ args: [String], _ message: String) throws {
            let r = try run([ladingBinary, "load", "--store", site] + args)
            #expect(r.status == 1)
            #expect(r.err == "Error: \(message)\n", "\(r.err)")
            #expect(snapshot(site) == before)
        }
        // Twelve parts missing: ten named.
        for i in 1...12 { try FileManager.default.moveItem(atPath: String(format: "\(out).%03d", i), toPath: String(format: "\(dir.path)/moved.%03d", i)) }
        try refused(["\(out).000"], "split archive \(out).sha256: parts " + (1...10).map { String(format: "\(out).%03d", $0) }.joined(separator: ", ") + " and 2 more missing")
        for i in 1...12 { try FileManager.default.moveItem(atPath: String(format: "\(dir.path)/moved.%03d", i), toPath: String(format: "\(out).%03d", i)) }
        // A line lost, two lines swapped, the last line lost: named by the list, before any
        // part is read (these read as a truncated or damaged archive before).
        let lines = sums.split(separator: "\n").map(String.init)
        func listing(_ l: [String]) throws { try (l.joined(separator: "\n") + "\n").write(toFile: "\(out).sha256", atomically: true, encoding: .utf8) }
        try listing(lines.enumerated().filter { $0.offset != 40 }.map(\.element))
        try refused(["\(out).000"], "split archive \(out).sha256: \(out).040 is not listed (the list goes from \(out).039 to \(out).041)")
        var swapped = lines
        swapped.swapAt(100, 101)
        try listing(swapped)
        try refused(["\(out).sha256"], "split archive \(out).sha256: line 101 lists \(out).101 where \(out).100 belongs: the lines are out of order")
        try listing(Array(lines.dropLast()))
        let last = String(format: "\(out).%03d", lines.count - 1)
        try refused(["\(out).000"], "split archive \(out).sha256: \(last) is beside the parts but not listed after " + String(format: "\(out).%03d", lines.count - 2))
        try listing(lines)
        // The first part alone.
        try FileManager.default.moveItem(atPath: "\(out).sha256", toPath: "\(dir.path)/sums")
        try refused(["\(out).000"], "split archive \(out).000: \(out).sha256 is missing (a split set is read through its checksum file, which save --split writes beside the parts)")
        // A checksum file of more than 1 MiB is no set's.
        try Data(repeating: 0x61, count: (1 << 20) + 1).write(to: URL(fileURLWithPath: dir.path + "/huge.sha256"))
        let huge = try run([ladingBinary, "load", "--store", site, dir.path + "/huge.sha256"])
        #expect(huge.status == 1)
        #expect(huge.err.hasPrefix("Error: split archive checksum file \(dir.path)/huge.sha256") && huge.err.contains("1048576"), "\(huge.err)")
    }

    private func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = [], chars = Array(hex.utf8)
        while chars.count >= 2 { out.append(UInt8(String(decoding: chars[0..<2], as: UTF8.self), radix: 16)!); chars.removeFirst(2) }
        return out
    }

    @Test func aBadInventoryIsNamedWithItsLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, _) = try stores(dir)
        let list = dir.path + "/have.txt"
        try "# site inventory\n\(Self.baseLayer) 1997312\nsha256:zz\n".write(toFile: list, atomically: true, encoding: .utf8)
        let out = dir.path + "/d.tar"
        let r = try run([ladingBinary, "save", "--store", src, "--exclude-from", list, "-o", out, "example.com/team/app:v2"])
        #expect(r.status == 1)
        #expect(r.err == "Error: \(list):3: \"sha256:zz\" is not a digest (expected sha256:<64 hex> at the start of each line)\n", "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let missing = try run([ladingBinary, "save", "--store", src, "--exclude-from", dir.path + "/nope", "-o", out, "example.com/team/app:v2"])
        #expect(missing.status == 1 && missing.err == "Error: \(dir.path)/nope: no such file or directory\n", "\(missing.err)")
    }

    @Test func splitPartsConcatenateToTheArchiveAndLoad() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, _) = try stores(dir)
        let whole = dir.path + "/whole.tar", out = dir.path + "/out"
        #expect(try run([ladingBinary, "save", "--store", src, "-o", whole, "example.com/team/app"]).status == 0)
        let r = try run([ladingBinary, "save", "--store", src, "--split", "700000", "-o", out, "example.com/team/app"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("Wrote 3 parts and \(out).sha256"), "\(r.err)")
        let parts = (0..<3).map { String(format: "\(out).%03d", $0) }
        let sizes = try parts.map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int }
        let total = try FileManager.default.attributesOfItem(atPath: whole)[.size] as! Int
        #expect(sizes[0] == 700_000 && sizes[1] == 700_000 && sizes[2] == total - 1_400_000)
        #expect(!FileManager.default.fileExists(atPath: "\(out).003"))
        let cat = try run(["sh", "-c", "cat \(out).0* | cmp - \(whole) && cd \(dir.path) && sha256sum -c out.sha256"])
        #expect(cat.status == 0, "\(cat)")
        #expect(cat.out == "out.000: OK\nout.001: OK\nout.002: OK\n")
        for start in ["\(out).000", "\(out).sha256"] {
            let s = dir.path + "/dst-\(start.suffix(3))"
            let l = try run([ladingBinary, "load", "--store", s, start])
            #expect(l.status == 0, "\(l.err)")
            #expect(l.out.contains("Loaded image: example.com/team/app:base"))
            #expect(try ImageService(storePath: s).resolve("example.com/team/app:v2").id == ImageService(storePath: src).resolve("example.com/team/app:v2").id)
        }
        // A delta can be split too.
        #expect(try run([ladingBinary, "save", "--store", src, "--exclude-from", "\(dir.path)/base.tar", "--split", "4K", "-o", dir.path + "/d", "example.com/team/app:v2"]).status == 0)
        #expect(try run([ladingBinary, "verify", dir.path + "/d.sha256"]).status == 0)
    }

    @Test func aBadSplitSetNamesThePartAndChangesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (src, site) = try stores(dir)
        let out = dir.path + "/out"
        #expect(try run([ladingBinary, "save", "--store", src, "--split", "700000", "-o", out, "example.com/team/app"]).status == 0)
        let before = snapshot(site)
        func load(_ expect: String) throws {
            let r = try run([ladingBinary, "load", "--store", site, "\(out).000"])
            #expect(r.status == 1)
            #expect(r.err == "Error: \(expect)\n", "\(r.err)")
            #expect(snapshot(site) == before)
        }
        let fm = FileManager.default
        let head = "split archive \(out).sha256: part"
        // Missing.
        try fm.moveItem(atPath: "\(out).001", toPath: "\(out).x")
        try load("\(head) \(out).001 missing")
        // Reordered.
        try fm.moveItem(atPath: "\(out).000", toPath: "\(out).001")
        try fm.moveItem(atPath: "\(out).x", toPath: "\(out).000")
        try load("\(head) \(out).000 (1 of 3) holds part 2's content (\(out).001): the parts are out of order")
        try fm.moveItem(atPath: "\(out).000", toPath: "\(out).x")
        try fm.moveItem(atPath: "\(out).001", toPath: "\(out).000")
        try fm.moveItem(atPath: "\(out).x", toPath: "\(out).001")
        // Truncated.
        let good = try Data(contentsOf: URL(fileURLWithPath: "\(out).001"))
        try good.prefix(1000).write(to: URL(fileURLWithPath: "\(out).001"))
        try load("\(head) \(out).001 (2 of 3) is truncated: 1000 bytes, the parts before the last are 700000")
        try good.write(to: URL(fileURLWithPath: "\(out).001"))
        // Altered (the last part).
        var last = try Data(contentsOf: URL(fileURLWithPath: "\(out).002"))
        last[10] ^= 0xff
        try last.write(to: URL(fileURLWithPath: "\(out).002"))
        let sums = try String(contentsOfFile: "\(out).sha256", encoding: .utf8).split(separator: "\n")
        let actual = Digest.sha256(of: Array(last)).encoded
        try load("\(head) \(out).002 (3 of 3) does not match its checksum: sha256 \(actual), expected \(sums[2].prefix(64)) (altered or truncated)")
    }
}
