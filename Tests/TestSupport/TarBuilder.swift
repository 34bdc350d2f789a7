import Foundation
import TarArchive

/// Builds small tar archives in memory for tests: crafted layers with whiteouts,
/// hostile names, links and PAX records.
public final class TarBuilder {
    private let sink = MemorySink()
    private let writer: TarWriter

    public init(compression: Compression = .none) throws {
        writer = try TarWriter(sink: sink, options: .init(compression: compression), name: "test archive")
    }

    /// Adds a regular file with `content`.
    @discardableResult
    public func file(_ path: String, _ content: String = "", mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0, mtime: Int64 = 0) throws -> TarBuilder {
        try file(path, bytes: Array(content.utf8), mode: mode, uid: uid, gid: gid, mtime: mtime)
    }

    @discardableResult
    public func file(_ path: String, bytes: [UInt8], mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0, mtime: Int64 = 0) throws -> TarBuilder {
        var e = TarEntry(path: path, kind: .regular, size: Int64(bytes.count), permissions: mode, uid: uid, gid: gid, mtime: mtime)
        e.size = Int64(bytes.count)
        try writer.writeHeader(e)
        if !bytes.isEmpty { try writer.write(bytes) }
        return self
    }

    @discardableResult
    public func directory(_ path: String, mode: UInt32 = 0o755, mtime: Int64 = 0) throws -> TarBuilder {
        try writer.writeHeader(TarEntry(path: path, kind: .directory, permissions: mode, mtime: mtime))
        return self
    }

    @discardableResult
    public func symlink(_ path: String, to target: String) throws -> TarBuilder {
        try writer.writeHeader(TarEntry(path: path, kind: .symlink, permissions: 0o777, link: target))
        return self
    }

    @discardableResult
    public func hardlink(_ path: String, to target: String) throws -> TarBuilder {
        try writer.writeHeader(TarEntry(path: path, kind: .hardlink, permissions: 0o644, link: target))
        return self
    }

    /// Adds any entry as given (content follows for regular files).
    @discardableResult
    public func entry(_ e: TarEntry, content: [UInt8] = []) throws -> TarBuilder {
        try writer.writeHeader(e)
        if !content.isEmpty { try writer.write(content) }
        return self
    }

    /// Finishes the archive and returns its bytes.
    public func bytes() throws -> [UInt8] {
        try writer.finish()
        return sink.bytes
    }

    /// Finishes the archive and writes it to `path`.
    public func write(to path: String) throws {
        try Data(bytes()).write(to: URL(fileURLWithPath: path))
    }
}

/// A `ByteSink` that keeps everything in memory (tests only).
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
}

/// A fresh temporary directory, removed by `remove()`.
public struct TemporaryDirectory {
    public let path: String
    public init(_ label: String = "lading-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        let p = "\(base)/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        path = p
    }
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Paths to the test fixtures under `testdata/` (their sources and licences are in
/// `testdata/SOURCES.md`): `testdata/corpus` holds images written by umoci, skopeo and
/// containerd (`scripts/make-real-corpus.sh` rebuilds it), `testdata/public` files from
/// other projects' test suites.
///
/// `LADING_FIXTURES`, when set, is an optional override: a directory holding `corpus/`
/// and `testdata-public/` used instead of the copies in the repository.
public enum Fixtures {
    /// The package root (found from this source file's location).
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    public static var testdata: String { "\(packageRoot)/testdata" }
    /// The override directory from `LADING_FIXTURES`, or nil (the usual case).
    public static var override: String? {
        ProcessInfo.processInfo.environment["LADING_FIXTURES"].flatMap { $0.isEmpty ? nil : $0 }
    }
    public static var corpus: String { override.map { "\($0)/corpus" } ?? "\(testdata)/corpus" }
    public static var publicData: String { override.map { "\($0)/testdata-public" } ?? "\(testdata)/public" }

    /// A fixture that is not there.
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "test fixture missing: \(path) (testdata/SOURCES.md lists the fixtures)" }
    }

    /// `path`, or a thrown `Missing` naming it when nothing is there, so a test without
    /// its fixture fails with the file's name instead of failing later or trapping.
    @discardableResult
    public static func require(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }

    /// Requires every fixture that `text` (a command-line argument or shell command)
    /// names under `corpus` or `publicData`: the path after the fixture directory, up
    /// to a space, quote or `:` (as in `oci:DIR:tag`).
    public static func requireAll(in text: String) throws {
        for root in [corpus, publicData] {
            var rest = Substring(text)
            while let r = rest.range(of: root + "/") {
                let name = rest[r.upperBound...].prefix { !" \t'\":;|>".contains($0) }
                try require(root + "/" + name)
                rest = rest[r.upperBound...]
            }
        }
    }
}
