import Foundation
import Lading
import Testing

// What a build system compiles against: this target depends on `Lading` alone and
// imports nothing else of the package, so every type used here must be public there.

/// testdata/ of this repository.
private let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("testdata").path
private let archive = "\(testdata)/corpus/v2.skopeo.docker.tar"
private let imageID = "sha256:2984e26d971ac4b9e8be83ad61ef21d25074e16156be51da99cbd17fb971d606"

/// A temporary directory, removed by `remove()`.
private struct Scratch {
    let path = FileManager.default.temporaryDirectory.path + "/lading-api-\(UUID().uuidString.prefix(8))"
    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every file under `root` (relative path and size), the lock files left out.
private func listing(_ root: String) -> [String] {
    let e = FileManager.default.enumerator(atPath: root)
    return (e?.allObjects as? [String] ?? []).filter { !$0.hasPrefix(".") || $0.hasPrefix(".ingest/") && !$0.hasSuffix(".owner") }
        .filter { p in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\(p)", isDirectory: &isDir) && !isDir.boolValue
        }
        .map { p in "\(p) \((try? FileManager.default.attributesOfItem(atPath: "\(root)/\(p)")[.size] as? Int) ?? -1)" }
        .sorted()
}

@Suite struct PublicAPITests {
    @Test func loadListSaveVerify() throws {
        #expect(FileManager.default.fileExists(atPath: archive), "missing fixture \(archive)")
        let dir = try Scratch()
        defer { dir.remove() }
        let service = try ImageService(storePath: "\(dir.path)/store", create: true)
        let loaded = try service.load(path: archive)
        #expect(loaded.images.map(\.id.description) == [imageID])
        #expect(loaded.images.map { $0.names.map(\.familiarString) } == [["example.com/team/app:v2"]])
        #expect(loaded.warnings.isEmpty)

        let images: [ImageRecord] = try service.images()
        #expect(images.map(\.id.description) == [imageID])
        let found: ImageRecord = try service.resolve("example.com/team/app:v2")
        #expect(found.id == (try Digest(parsing: imageID)))

        let out = "\(dir.path)/out.tar"
        try service.save(["example.com/team/app"], toFile: out)
        let saved: VerifyReport = Verifier.verify(target: out, storePath: "\(dir.path)/store")
        #expect(saved.clean, "\(saved.findings)")
        let store = Verifier.verify(target: "store", storePath: "\(dir.path)/store")
        #expect(store.clean && store.findings.isEmpty, "\(store.findings)")
        #expect(store.blobsChecked == 4)

        // The saved archive loads into a second store as the same image.
        let other = try ImageService(storePath: "\(dir.path)/other", create: true)
        #expect(try other.load(path: out).images.map(\.id.description) == [imageID])
    }

    @Test func readingNeverCreatesAStore() throws {
        let dir = try Scratch()
        defer { dir.remove() }
        let missing = "\(dir.path)/nothing"
        do {
            _ = try ImageService(readingStoreAt: missing)
            Issue.record("opened a store that does not exist")
        } catch let e as LayoutError {
            #expect(e.code == .notALayout)
            #expect(e.localizedDescription == "\(missing) does not exist")
            #expect(LadingError(e).code == .notFound)
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
        let report = Verifier.verify(target: "store", storePath: missing)
        #expect(!report.clean)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func errorsReadAsTheirMessage() throws {
        let dir = try Scratch()
        defer { dir.remove() }
        let service = try ImageService(storePath: "\(dir.path)/store", create: true)
        do {
            _ = try service.resolve("busybox")
            Issue.record("resolved a name the store does not have")
        } catch {
            #expect(error.localizedDescription == "No such image: busybox")
            #expect(LadingError(error).code == .notFound)
            #expect("\(error)" == "No such image: busybox")
        }
        do {
            _ = try service.load(path: "\(dir.path)/absent.tar")
            Issue.record("loaded a file that does not exist")
        } catch {
            let e = LadingError(error)
            #expect(e.localizedDescription.hasPrefix("\(dir.path)/absent.tar"), "\(e.localizedDescription)")
            #expect(error.localizedDescription == e.message)
            #expect(!e.localizedDescription.contains("The operation could not be completed"))
        }
        #expect(LadingError(CancellationError()).code == .cancelled)
    }

    @Test func cancelledLoadLeavesTheStoreAsItWas() throws {
        let dir = try Scratch()
        defer { dir.remove() }
        let service = try ImageService(storePath: "\(dir.path)/store", create: true)
        let before = listing("\(dir.path)/store")
        let reports = Reports()
        let monitor = TransferMonitor { bytes in reports.add(bytes) }
        service.monitor = monitor
        reports.onFirst = { monitor.cancel() }
        #expect(throws: CancellationError.self) { try service.load(path: archive) }
        #expect(reports.values.count >= 1)
        #expect(listing("\(dir.path)/store") == before)
        #expect(try service.images().isEmpty)

        // Without cancelling, the same monitor's reports climb to the bytes written.
        let counting = TransferMonitor { bytes in reports.add(bytes) }
        reports.reset()
        service.monitor = counting
        let loaded = try service.loadCounting(path: archive)
        #expect(reports.values == reports.values.sorted())
        // Every byte staged went through the monitor once: every blob now in the store
        // (the layers and config, and the manifest load generates for a docker-save
        // archive), and the legacy entries it read and dropped (two VERSION files of 3
        // bytes, the layer json files of 73 and 426 bytes).
        #expect(counting.bytes == PublicAPITests.blobBytes("\(dir.path)/store") + 3 + 73 + 3 + 426)
        #expect(reports.values.last == counting.bytes)
        #expect(loaded.blobs.written == 4)
        service.monitor = nil
    }

    @Test func cancelledSaveCopyAndVerifyWriteNothing() throws {
        let dir = try Scratch()
        defer { dir.remove() }
        let store = "\(dir.path)/store"
        let service = try ImageService(storePath: store, create: true)
        _ = try service.load(path: archive)
        let cancelled = TransferMonitor()
        cancelled.cancel()

        service.monitor = cancelled
        #expect(throws: CancellationError.self) { try service.save(["example.com/team/app:v2"], toFile: "\(dir.path)/out.tar") }
        service.monitor = nil
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["store"])

        var copier = ImageCopier(storePath: store)
        copier.monitor = cancelled
        #expect(throws: CancellationError.self) {
            try copier.copy(from: try TransportAddress(parsing: "store:example.com/team/app:v2"),
                            to: try TransportAddress(parsing: "oci:\(dir.path)/layout:app"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["store"])

        let report = Verifier.verify(target: "store", storePath: store, monitor: cancelled)
        #expect(!report.clean)
        #expect(report.findings.map(\.message) == ["cancelled: not every blob was checked"])

        // The store is whole: it verifies clean, and a monitor that is not cancelled
        // reports every byte hashed.
        let counting = TransferMonitor()
        let full = Verifier.verify(target: "store", storePath: store, monitor: counting)
        #expect(full.clean && full.findings.isEmpty, "\(full.findings)")
        #expect(counting.bytes == Self.blobBytes(store))
    }

    /// The README's library example, with its paths in a temporary directory (absolute:
    /// tests run in parallel in one process, so none changes the current directory).
    @Test func readmeExample() throws {
        let dir = try Scratch()
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: archive, toPath: "\(dir.path)/base.tar")
        let printed = Reports()

        let service = try ImageService(storePath: "\(dir.path)/images", create: true)
        let loaded = try service.load(path: "\(dir.path)/base.tar")
        var listed: [String] = []
        for image in try service.images() {
            listed.append("\(image.id) \(image.names.map(\.familiarString))")
        }
        let monitor = TransferMonitor { bytes in printed.add(bytes) }
        service.monitor = monitor
        try service.save(["example.com/team/app"], toFile: "\(dir.path)/app.tar")
        service.monitor = nil
        let report = Verifier.verify(target: "\(dir.path)/app.tar", storePath: service.layout.root)
        var message = ""
        do {
            _ = try service.resolve("busybox")
        } catch {
            message = error.localizedDescription
            #expect(LadingError(error).code == .notFound)
        }

        #expect(loaded.images.count == 1)
        #expect(listed == ["\(imageID) [\"example.com/team/app:v2\"]"])
        let size = try FileManager.default.attributesOfItem(atPath: "\(dir.path)/app.tar")[.size] as? Int64
        #expect(printed.values.last == size)
        #expect(report.clean && report.findings.isEmpty)
        #expect(message == "No such image: busybox")
    }

    static func blobBytes(_ store: String) -> Int64 {
        let dir = "\(store)/blobs/sha256"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: "\(dir)/\(name)")[.size] as? Int64) ?? 0)
        }
    }
}

/// Progress values seen by a monitor's handler (any thread).
private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int64] = []
    var onFirst: (() -> Void)?
    func add(_ v: Int64) {
        lock.lock()
        seen.append(v)
        let first = seen.count == 1 ? onFirst : nil
        lock.unlock()
        first?()
    }
    func reset() {
        lock.lock()
        seen = []
        onFirst = nil
        lock.unlock()
    }
    var values: [Int64] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }
}

@Suite struct CopyMonitorTests {
    /// A copy from a docker-save tarball to an oci-archive reports the blob bytes it
    /// writes into the archive, and a cancelled one leaves no archive behind.
    @Test func copyReportsProgressAndStopsWhenCancelled() throws {
        let dir = try Scratch()
        defer { dir.remove() }
        var copier = ImageCopier(storePath: "\(dir.path)/store")
        let counting = TransferMonitor()
        copier.monitor = counting
        let out = "\(dir.path)/app.oci.tar"
        let copied = try copier.copy(from: try TransportAddress(parsing: "docker-archive:\(archive)"),
                                     to: try TransportAddress(parsing: "oci-archive:\(out):app"))
        #expect(copied.count == 1)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int64)
        // Both layers (1997312 and 10752 bytes, stored uncompressed) went through it.
        #expect(counting.bytes >= 1_997_312 + 10_752)
        #expect(counting.bytes <= size)
        #expect(Verifier.verify(target: "oci-archive:\(out)", storePath: "\(dir.path)/store").clean)

        let cancelled = TransferMonitor()
        cancelled.cancel()
        copier.monitor = cancelled
        #expect(throws: CancellationError.self) {
            try copier.copy(from: try TransportAddress(parsing: "docker-archive:\(archive)"),
                            to: try TransportAddress(parsing: "oci-archive:\(dir.path)/second.tar:app"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["app.oci.tar"])
    }
}
