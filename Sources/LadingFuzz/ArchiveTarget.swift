import Foundation
import ImageSpec
import Lading

/// `load` of one tarball into a fresh store. Any input must either load, leaving a
/// store that verifies clean, or fail, leaving the store as it was with nothing in
/// its ingest area.
enum ArchiveTarget {
    /// Bounds the work of a decompression bomb (`--max-layer-size`).
    static let maxBlobSize: Int64 = 16 << 20

    static func run(_ input: [UInt8]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("input", input)
        let service: ImageService
        do { service = try ImageService(storePath: scratch.path + "/store") } catch {
            throw FuzzViolation("cannot create a store: \(error)")
        }
        let store = service.layout.root
        let before = snapshot(store, skip: [".ingest", ".lock"])
        do {
            _ = try service.load(path: scratch.path + "/input", options: .init(maxBlobSize: maxBlobSize))
        } catch {
            note("load", error)
            guard !"\(error)".isEmpty else { throw FuzzViolation("a load failed with an empty message") }
            let after = snapshot(store, skip: [".ingest", ".lock"])
            if after != before { throw FuzzViolation("a failed load changed the store (\(error)): \(changes(before, after))") }
            try checkIngest(service)
            return
        }
        note("load", "loaded")
        try checkIngest(service)
        let report = Verifier.verify(layout: service.layout, target: "store")
        // What the readers load with a warning by their written policy (an empty `layers`,
        // a config without `os`) is an error to verify, and not a gap between them.
        let errors = report.findings.filter { f in
            f.severity == .error && !(f.rule.map { ReaderPolicy.warned.contains($0.id) } ?? false) && !knownGaps.contains { f.message.contains($0) }
        }
        if !errors.isEmpty { throw FuzzViolation("a loaded store does not verify: \(errors)") }
    }

    /// Config checks `verify` makes and `load` does not (yet): none now (a rootfs whose
    /// type is not `layers` is refused by `load`; history against diff IDs is a warning).
    static let knownGaps: [String] = []

    /// Files left in the ingest area (only the owner markers of live writers may stay).
    static func checkIngest(_ service: ImageService) throws {
        let root = service.layout.ingestRoot
        guard let e = FileManager.default.enumerator(atPath: root) else { return }
        let left = e.compactMap { $0 as? String }.filter {
            !$0.hasSuffix(".owner") && !FileManager.default.fileExists(atPath: "\(root)/\($0)/.owner")
        }
        if !left.isEmpty { throw FuzzViolation("files left in the ingest area: \(left)") }
    }

    static func changes(_ a: [String: String], _ b: [String: String]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }
}
