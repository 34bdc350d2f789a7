import Foundation
import ImageSpec
import ByteStreams

/// An OCI image layout directory (image-spec image-layout.md): `oci-layout`,
/// `index.json` and `blobs/<alg>/<hex>`. lading's default store is one; foreign
/// layouts are read through the same type.
///
/// Contract: a blob appears under `blobs/` only after its digest and size were
/// verified (temporary files live in `.ingest/`, removed on failure); `index.json` is
/// replaced atomically (write, fsync, rename) while an exclusive `flock` on `.lock`
/// is held, and re-read inside the lock, so concurrent commands never lose each
/// other's updates. A failed command leaves `index.json` as it was.
public final class OCILayout: @unchecked Sendable {
    public let root: String
    /// fsync each blob before it is renamed into `blobs/` (survives power loss, costs
    /// about as much as the copy itself). Off by default, as skopeo and umoci do; on when
    /// the environment has `LADING_SYNC=1`. `index.json` is always synced.
    public var syncBlobs = ProcessInfo.processInfo.environment["LADING_SYNC"] == "1"
    /// Sees every byte written into a new blob of this layout (progress) and stops the
    /// writer when cancelled; nil for none.
    public var monitor: TransferMonitor?

    /// Opens the layout at `root`.
    /// - Parameter create: create `oci-layout`, `index.json` and `blobs/sha256/` when absent.
    /// - Throws: `LayoutError.notALayout` when `root` is not a layout and `create` is false;
    ///   `.unsupported` for an `imageLayoutVersion` other than 1.0.0.
    public init(root: String, create: Bool) throws {
        // "" would put the layout at the file system's root ("/index.json").
        guard !root.isEmpty else { throw LayoutError(.notALayout, "an empty path names no layout") }
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        let header = "\(self.root)/oci-layout"
        if !FileOps.exists(header) {
            guard create else {
                throw LayoutError(.notALayout, FileOps.exists(self.root)
                    ? "\(self.root) is not an OCI image layout (no oci-layout file)"
                    : "\(self.root) does not exist")
            }
            // A new layout goes into a new or empty directory only: never spread blobs
            // and an index into a directory that holds something else.
            // (What another process creating the layout at this moment has made so far,
            // hidden temporary and lock files among it, does not count.)
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: self.root),
               entries.contains(where: { !$0.hasPrefix(".") && $0 != "blobs" && $0 != "index.json" }) {
                throw LayoutError(.notALayout, "\(self.root) is not an OCI image layout (no oci-layout file) and is not empty; not writing one into it")
            }
            try FileOps.mkdirs("\(self.root)/blobs/sha256")
            // Under the index lock: a process creating the layout at the same moment
            // may already have named images in index.json.
            try flocked("\(self.root)/.lock", LOCK_EX) {
                if !FileOps.exists("\(self.root)/index.json") {
                    try FileOps.writeAtomically(try JSON.encode(ImageIndex(manifests: [])), to: "\(self.root)/index.json", tempDir: self.root)
                }
                if !FileOps.exists(header) {
                    try FileOps.writeAtomically(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: header, tempDir: self.root)
                }
            }
        }
        let bytes = try FileOps.readSmall(header, limit: DocumentLimits.topLevel, what: "\(self.root)/oci-layout")
        let h = try JSON.decode(OCILayoutHeader.self, from: bytes, what: "\(self.root)/oci-layout")
        guard h.imageLayoutVersion == "1.0.0" else {
            throw LayoutError(.unsupported, "\(self.root)/oci-layout: unsupported imageLayoutVersion \(h.imageLayoutVersion)")
        }
    }

    /// The parent of every process's ingest directory.
    public var ingestRoot: String { "\(root)/.ingest" }

    /// This process's own directory for temporary blobs (`.ingest/<uuid>/`), created on
    /// first use. Its `.owner` file stays `flock`ed while this layout object lives, so
    /// `cleanAbandonedIngest` can tell the leftovers of a killed command from the files
    /// of a command still running.
    public var ingestPath: String {
        get throws {
            ingestLock.lock()
            defer { ingestLock.unlock() }
            if let p = ownIngest { return p }
            let p = "\(ingestRoot)/\(UUID().uuidString)"
            try FileOps.mkdirs(p)
            let fd = open("\(p)/.owner", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 || flock(fd, LOCK_EX) != 0 {
                throw LayoutError(.io, "cannot lock \(p)/.owner", cause: FileOps.errnoText())
            }
            // Written once the lock is held: an `.owner` with content that can be locked
            // by someone else belongs to a command that is gone.
            let pid = Array("\(getpid())\n".utf8)
            _ = pid.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            ownerFD = fd
            ownIngest = p
            ingestToken = SignalCleanup.register(p)
            return p
        }
    }
    private var ownIngest: String?
    private var ingestToken: Int?
    private var ownerFD: Int32 = -1
    private let ingestLock = NSLock()

    deinit {
        if let p = ownIngest {
            try? FileManager.default.removeItem(atPath: p)
            close(ownerFD)
        }
        if let t = ingestToken { SignalCleanup.unregister(t) }
    }

    /// Removes ingest directories whose owning command is gone (killed, crashed), and
    /// stray files directly under `.ingest`.
    /// - Returns: the number of directories and files removed.
    @discardableResult
    public func cleanAbandonedIngest() -> Int {
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: ingestRoot)) ?? [] {
            let p = "\(ingestRoot)/\(name)"
            if p == ownIngest { continue }
            guard FileOps.isDirectory(p) else {
                if unlink(p) == 0 { removed += 1 }
                continue
            }
            let fd = open("\(p)/.owner", O_RDWR | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
                // Empty: its owner created it and has not locked it yet (or died right
                // then): wait a minute to tell.
                var st = stat()
                if fstat(fd, &st) == 0, st.st_size == 0, time(nil) - st.st_mtim.tv_sec <= 60 { continue }
            } else {
                // Not yet locked by its owner, or abandoned long ago: wait a minute to tell.
                var st = stat()
                guard lstat(p, &st) == 0, time(nil) - st.st_mtim.tv_sec > 60 else { continue }
            }
            if (try? FileManager.default.removeItem(atPath: p)) != nil { removed += 1 }
        }
        return removed
    }

    /// `root/blobs/<alg>/<hex>`.
    public func blobPath(_ d: Digest) -> String { "\(root)/\(d.blobPath)" }

    /// The size of the blob on disk, or nil when it is absent.
    public func blobSize(_ d: Digest) -> Int64? { FileOps.fileSize(blobPath(d)) }

    public func hasBlob(_ d: Digest) -> Bool { blobSize(d) != nil }

    /// Reads a small blob whole and checks its digest.
    /// - Parameter limit: refuse blobs larger than this (bytes) before reading them.
    /// - Throws: `LayoutError.blobNotFound`, `.tooLarge`, `.digestMismatch`.
    public func readBlob(_ d: Digest, limit: Int = DocumentLimits.manifest) throws -> [UInt8] {
        guard d.isSupported else { throw LayoutError(.unsupported, "blob \(d): unsupported digest algorithm \(d.algorithm)") }
        let bytes = try FileOps.readSmall(blobPath(d), limit: limit, what: "blob \(d)")
        let actual = Digest.sha256(of: bytes)
        if actual != d { throw LayoutError(.digestMismatch, "blob \(d) has digest \(actual)") }
        return bytes
    }

    /// Starts writing a new blob.
    public func newBlob() throws -> BlobWriter {
        try BlobWriter(layout: self)
    }

    /// Writes a small blob (a manifest or config lading created) and returns its descriptor digest.
    @discardableResult
    public func putBlob(_ bytes: [UInt8]) throws -> Digest {
        let d = Digest.sha256(of: bytes)
        // Kept only when it reads back whole: a damaged copy is written again.
        if blobSize(d) == Int64(bytes.count), (try? readBlob(d, limit: bytes.count)) != nil { return d }
        let w = try newBlob()
        try bytes.withUnsafeBytes { try w.write($0) }
        return try w.commit(expected: d, what: "blob \(d)")
    }

    func install(tempPath: String, as d: Digest) throws {
        let dest = blobPath(d)
        // A verified blob replaces whatever has the name (a copy damaged on disk is
        // repaired by loading it again); the rename is atomic, and readers keep the file
        // they opened.
        let dir = (dest as NSString).deletingLastPathComponent
        if !FileOps.isDirectory(dir) { try FileOps.mkdirs(dir) }
        // Hashed as it was written: recorded so (before the chmod, which would bar a
        // user who is not root from setting the attribute).
        CheckRecord.write(path: tempPath, digest: d, setTime: true)
        chmod(tempPath, 0o444)
        try FileOps.rename(tempPath, dest)
    }

    /// Reads `index.json`.
    /// - Throws: `LayoutError.invalidIndex` naming the file and what is wrong.
    public func readIndex() throws -> ImageIndex {
        let path = "\(root)/index.json"
        let bytes = try FileOps.readSmall(path, limit: DocumentLimits.topLevel, what: path)
        do {
            return try JSON.decode(ImageIndex.self, from: bytes, what: path)
        } catch let e as SpecError {
            throw LayoutError(.invalidIndex, e.message)
        }
    }

    /// Runs `body` on `index.json` under an exclusive lock and writes the result back
    /// atomically when `body` returns (nothing is written when it throws or leaves the
    /// index unchanged).
    /// - Parameter undo: called, still under the lock, when `body` or the write fails
    ///   (to remove blobs `body` installed for the index it did not write).
    public func updateIndex<T>(undo: () -> Void = {}, _ body: (inout ImageIndex) throws -> T) throws -> T {
        try withLock {
            var index = try readIndex()
            let before = try JSON.encode(index)
            do {
                let result = try body(&index)
                let after = try JSON.encode(index)
                if after != before { try writeIndexLocked(after) }
                return result
            } catch {
                undo()
                throw error
            }
        }
    }

    /// Replaces `index.json` atomically with `bytes`; the index lock must be held.
    func writeIndexLocked(_ bytes: [UInt8]) throws {
        try FileOps.writeAtomically(bytes, to: "\(root)/index.json", tempDir: root)
    }

    /// Runs `body` holding the layout's exclusive lock.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try flocked("\(root)/.lock", LOCK_EX, body)
    }

    /// Runs `body` holding the collection lock (`.gc.lock`): shared (`exclusive` false)
    /// while a command installs blobs that `index.json` does not name yet (copy), so that
    /// nothing deletes them in between; exclusive while unreferenced blobs are deleted
    /// (prune, rmi). Take it before `withLock`/`updateIndex`, never inside them.
    public func withCollectionLock<T>(exclusive: Bool, _ body: () throws -> T) throws -> T {
        try flocked("\(root)/.gc.lock", exclusive ? LOCK_EX : LOCK_SH, body)
    }

    private func flocked<T>(_ path: String, _ operation: Int32, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw LayoutError(.io, "cannot open lock file \(path)", cause: FileOps.errnoText()) }
        defer { close(fd) }
        while flock(fd, operation) != 0 {
            if errno != EINTR { throw LayoutError(.locked, "cannot lock \(path)", cause: FileOps.errnoText()) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
