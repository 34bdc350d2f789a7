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

/// Paths to shared fixtures (`../shared/corpus`, `../shared/testdata-public`) and `testdata/`.
public enum Fixtures {
    /// The package root (found from this source file's location).
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    public static var shared: String {
        ProcessInfo.processInfo.environment["LADING_SHARED"] ?? "\(packageRoot)/../shared"
    }
    public static var corpus: String { "\(shared)/corpus" }
    public static var publicData: String { "\(shared)/testdata-public" }
    public static var testdata: String { "\(packageRoot)/testdata" }
}
