import Foundation
import ImageSpec
import Lading
import LayerChangeset
import TarArchive
import Testing
import TestSupport

/// Layers with a numeric field out of range: containerd's and moby's device-range cases
/// (a block device whose major is 2^32, a character device whose minor is -1) and a uid of
/// 2^40 (which used to unpack silently as 0:0). Every command refuses them with an error
/// naming the layer and the entry (exit status 1 in the CLI), stores nothing, and never traps
/// (the device cases used to kill `unpack`, `squash`, `import` and `diff` with a conversion trap).
@Suite struct NumericFieldCommandTests {
    static let bigMajor = RawTar.file("ok", "x") + RawTar.pax([("SCHILY.devmajor", "4294967296")])
        + RawTar.header(name: "dev/blk", type: "4") + RawTar.end
    static let bigMajorEntry = "entry dev/blk: device major 4294967296 is out of range (0 to 4294967295)"
    static let negativeMinor = RawTar.file("ok", "x") + RawTar.pax([("SCHILY.devminor", "-1")])
        + RawTar.header(name: "dev/chr", type: "3", devMajor: 1) + RawTar.end
    static let negativeMinorEntry = "entry dev/chr: device minor -1 is out of range (0 to 4294967295)"
    static let hugeUID = RawTar.file("ok", "x") + RawTar.header(name: "owned", type: "0", uid: 1 << 40) + RawTar.end
    static let hugeUIDEntry = "entry owned: uid 1099511627776 is out of range (0 to 4294967294)"
    static let good = RawTar.file("ok", "x") + RawTar.end

    /// A layer and the refusal of its bad entry (`entry <path>: <what>`).
    struct Case: CustomTestStringConvertible, Sendable {
        let layer: [UInt8], entry: String
        var testDescription: String { entry }
    }
    static let all = [Case(layer: bigMajor, entry: bigMajorEntry), Case(layer: negativeMinor, entry: negativeMinorEntry),
                      Case(layer: hugeUID, entry: hugeUIDEntry)]

    /// A store (an OCI layout written by hand, so that nothing checks the layers on the
    /// way in) holding `bad:1` with `layer` on top of `good`, and `good:1` with `good` alone.
    static func plantedStore(_ dir: String, layer: [UInt8]) throws -> String {
        let store = dir + "/store"
        try FileManager.default.createDirectory(atPath: store + "/blobs/sha256", withIntermediateDirectories: true)
        func put(_ b: [UInt8]) throws -> String {
            let d = Digest.sha256(of: b)
            try Data(b).write(to: URL(fileURLWithPath: "\(store)/\(d.blobPath)"))
            return #"{"mediaType":"MT","digest":"\#(d)","size":\#(b.count)}"#
        }
        func image(_ layers: [[UInt8]]) throws -> String {
            let ids = layers.map { "\"\(Digest.sha256(of: $0))\"" }.joined(separator: ",")
            let config = try put(Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[\#(ids)]}}"#.utf8))
                .replacingOccurrences(of: "MT", with: "application/vnd.oci.image.config.v1+json")
            let descs = try layers.map { try put($0).replacingOccurrences(of: "MT", with: "application/vnd.oci.image.layer.v1.tar") }
            return try put(Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[\#(descs.joined(separator: ","))]}"#.utf8))
                .replacingOccurrences(of: "MT", with: "application/vnd.oci.image.manifest.v1+json")
        }
        func named(_ desc: String, _ name: String) -> String {
            String(desc.dropLast()) + #","annotations":{"io.containerd.image.name":"docker.io/library/\#(name)","org.opencontainers.image.ref.name":"\#(name.split(separator: ":")[1])"}}"#
        }
        let index = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(named(try image([good, layer]), "bad:1")),\#(named(try image([good]), "good:1"))]}"#
        try Data(index.utf8).write(to: URL(fileURLWithPath: store + "/index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: store + "/oci-layout"))
        return store
    }

    /// `layer 1 (sha256:…)`, as the layer commands name the top layer of `bad:1`.
    static func layerName(_ layer: [UInt8]) -> String { "layer 1 (\(Digest.sha256(of: layer)))" }

    static func expectRefused(_ body: () throws -> Void, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("not refused: \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)" == message, sourceLocation: sourceLocation)
        }
    }

    static func expectCLI(_ args: [String], fails message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try run([ladingBinary] + args)
        #expect(r.status == 1, "\(args): \(r.err)", sourceLocation: sourceLocation)
        #expect(r.err == "Error: \(message)\n", sourceLocation: sourceLocation)
    }

    @Test(arguments: all)
    func importRefusesAndStoresNothing(_ c: Case) throws {
        let (layer, entry) = (c.layer, c.entry)
        let (s, dir) = try makeStore()
        defer { dir.remove() }
        let input = dir.path + "/rootfs.tar"
        try Data(layer).write(to: URL(fileURLWithPath: input))
        let before = snapshot(s.layout.root)
        Self.expectRefused({ _ = try s.importTarball(path: input, options: ImportOptions(reference: "x:1")) }, "\(input): \(entry)")
        try Self.expectCLI(["import", "--store", s.layout.root, input, "x:1"], fails: "\(input): \(entry)")
        #expect(snapshot(s.layout.root) == before)
        #expect(ingestLeftovers(s).isEmpty)
    }

    @Test(arguments: all)
    func layerCommandsRefuseNamingLayerAndEntry(_ c: Case) throws {
        let (layer, entry) = (c.layer, c.entry)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.plantedStore(dir.path, layer: layer)
        let s = try ImageService(storePath: store)
        let before = snapshot(store)
        let message = "\(Self.layerName(layer)): \(entry)"

        Self.expectRefused({ try s.unpack("bad:1", into: dir.path + "/lib-root") }, message)
        try Self.expectCLI(["unpack", "--store", store, "bad:1", dir.path + "/cli-root"], fails: message)
        // The layer below was applied; nothing of the refused one was.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/cli-root") == ["ok"])

        Self.expectRefused({ _ = try s.squash("bad:1", parent: nil, options: BuildOptions(reference: "sq:1")) }, message)
        try Self.expectCLI(["squash", "--store", store, "bad:1", "sq:1"], fails: message)

        Self.expectRefused({ _ = try s.changes(from: "good:1", to: "bad:1") }, message)
        try Self.expectCLI(["diff", "--store", store, "good:1", "bad:1"], fails: message)

        Self.expectRefused({ _ = try s.commit(base: "bad:1", directory: dir.path + "/lib-root", options: BuildOptions(reference: "c:1")) }, message)
        try Self.expectCLI(["commit", "--store", store, "bad:1", dir.path + "/lib-root", "c:1"], fails: message)

        #expect(snapshot(store) == before)
        #expect(ingestLeftovers(s).isEmpty)
        // The same store with a good image still works.
        #expect(try s.changes(from: "good:1", to: "good:1").isEmpty)
    }

    @Test(arguments: all)
    func verifyReportsTheLayerAndEntry(_ c: Case) throws {
        let (layer, entry) = (c.layer, c.entry)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try Self.plantedStore(dir.path, layer: layer)
        let digest = Digest.sha256(of: layer)
        let report = Verifier.verify(target: "store", storePath: store)
        let errors = report.findings.filter { $0.severity == .error }
        #expect(errors.map(\.message) == ["layer \(digest): \(entry)"])
        #expect(errors.map(\.blob) == [digest])
        let r = try run([ladingBinary, "verify", "--store", store, "store"])
        #expect(r.status == 1)
        #expect(r.out.contains("layer \(digest): \(entry)"), "\(r.out)\(r.err)")
        let clean = try run([ladingBinary, "verify", "--store", store, "good:1"])
        #expect(clean.status == 0, "\(clean.out)\(clean.err)")
    }

    /// `load` reads every layer's headers in its hashing pass: uncompressed and gzip
    /// layers, docker-save and OCI archives.
    @Test(arguments: [Compression.none, .gzip])
    func loadRefusesNamingTheArchiveLayerAndEntry(_ compression: Compression) throws {
        let (s, dir) = try makeStore()
        defer { dir.remove() }
        let stored = compression == .none ? Self.bigMajor : try Self.gzip(Self.bigMajor)
        let archive = dir.path + "/image.tar"
        try Data(try HostileArchiveTests.archive(layer: stored, diffID: Digest.sha256(of: Self.bigMajor)))
            .write(to: URL(fileURLWithPath: archive))
        let before = snapshot(s.layout.root)
        let message = "\(archive): layer 0 (l/layer.tar): \(Self.bigMajorEntry)"
        Self.expectRefused({ _ = try s.load(path: archive) }, message)
        try Self.expectCLI(["load", "--store", s.layout.root, "-i", archive], fails: message)
        #expect(snapshot(s.layout.root) == before)
        #expect(ingestLeftovers(s).isEmpty)
        // verify of the tarball reports the same.
        let r = try run([ladingBinary, "verify", archive])
        #expect(r.status == 1)
        #expect(r.out.contains(message), "\(r.out)\(r.err)")

        // The same layer with a good entry loads.
        let fine = dir.path + "/fine.tar"
        let goodStored = compression == .none ? Self.good : try Self.gzip(Self.good)
        try Data(try HostileArchiveTests.archive(layer: goodStored, diffID: Digest.sha256(of: Self.good)))
            .write(to: URL(fileURLWithPath: fine))
        #expect(try s.load(path: fine).images.count == 1)
    }

    @Test func loadOfAnOCIArchiveNamesTheBlob() throws {
        let (s, dir) = try makeStore()
        defer { dir.remove() }
        let layout = try Self.plantedStore(dir.path, layer: Self.negativeMinor)
        let archive = dir.path + "/oci.tar"
        let tar = try run(["tar", "-C", layout, "-cf", archive, "oci-layout", "index.json", "blobs"])
        #expect(tar.status == 0, "\(tar.err)")
        let d = Digest.sha256(of: Self.negativeMinor)
        let message = "\(archive): layer 1 (\(d)): \(Self.negativeMinorEntry)"
        Self.expectRefused({ _ = try s.load(path: archive) }, message)
        try Self.expectCLI(["load", "--store", s.layout.root, "-i", archive], fails: message)
        #expect(ingestLeftovers(s).isEmpty)
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let sink = MemorySink()
        let w = try TarWriter(sink: sink, format: .raw, options: .init(compression: .gzip), name: "gzip")
        try w.beginRawStream()
        try w.write(bytes)
        try w.finish()
        return sink.bytes
    }
}

/// A layer re-encoded by `copy --compression` gets the same entry check as a loaded one:
/// from a layout (the transcoder's own pass) and from the store (the recompressor).
@Suite struct NumericFieldRecodeTests {
    @Test(arguments: NumericFieldCommandTests.all)
    func copyWithCompressionRefusesNamingTheEntry(_ c: NumericFieldCommandTests.Case) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try NumericFieldCommandTests.plantedStore(dir.path, layer: c.layer)
        for src in ["oci:\(layout):bad:1", "store:bad:1"] {
            let out = dir.path + "/out"
            let r = try run([ladingBinary, "copy", "--store", layout, "--compression", "zstd", src, "oci:\(out):x"])
            #expect(r.status == 1, "\(src): \(r)")
            #expect(r.err.contains(c.entry), "\(src): \(r.err)")
            #expect(r.err.contains(Digest.sha256(of: c.layer).description), "\(src) names the layer: \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(src) left \(out)")
        }
    }
}
