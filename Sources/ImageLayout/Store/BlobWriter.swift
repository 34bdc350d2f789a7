import Foundation
import ImageSpec
import ByteStreams

/// A blob being written into the store: bytes go to a temporary file under the
/// layout's ingest directory and are hashed as they pass; `commit` verifies the
/// digest and size, then renames the file into `blobs/`. Nothing appears in
/// `blobs/` unless it was verified; `abort` (or deinit) removes the temporary file.
public final class BlobWriter: ByteSink {
    let layout: OCILayout
    let tempPath: String
    private let sink: FileSink
    /// SHA-256 runs on its own thread, beside the copy.
    private let digestSink = DigestSink()
    private let hasher: ThreadedSink
    private var hashed = false
    private var done = false

    init(layout: OCILayout) throws {
        self.layout = layout
        let dir = try layout.ingestPath
        self.tempPath = "\(dir)/\(UUID().uuidString).blob"
        do {
            sink = try FileSink(creating: tempPath, mode: 0o644, exclusive: true)
            sink.hashing = false
        } catch {
            throw LayoutError(.io, "cannot create a temporary blob in \(dir)", cause: "\(error)")
        }
        hasher = ThreadedSink(digestSink)
    }

    deinit { if !done { unlink(tempPath) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try layout.monitor?.advance(bytes.count)
        try hasher.write(bytes)
        try sink.write(bytes)
    }

    private func finishHashing() throws {
        if !hashed { try hasher.finish(); hashed = true }
    }

    /// Digest and size of everything written (call once writing is over).
    public var digest: Digest {
        try? finishHashing()
        return Digest(sha256Hex: digestSink.digester.finalizeHex())
    }
    public var size: Int64 {
        try? finishHashing()
        return digestSink.digester.count
    }

    /// Verifies and moves the blob into place.
    /// - Parameters:
    ///   - expected: the digest the content must have (nil: whatever it hashes to).
    ///   - expectedSize: the size it must have, if known.
    ///   - what: names the blob in errors (an archive entry, a descriptor).
    /// - Returns: the blob's digest.
    /// - Throws: `LayoutError.digestMismatch` / `.sizeMismatch` naming both values.
    @discardableResult
    public func commit(expected: Digest? = nil, expectedSize: Int64? = nil, what: String) throws -> Digest {
        let staged = try stage()
        try staged.verify(expected: expected, expectedSize: expectedSize, what: what)
        try staged.install()
        return staged.digest
    }

    /// Closes the writer and hands over the temporary file for a later
    /// `install()` (or discard). Used when a blob's expected digest is known only
    /// after the whole input was read.
    public func stage() throws -> StagedBlob {
        try finishHashing()
        done = true
        return StagedBlob(layout: layout, tempPath: tempPath, digest: digest, size: size)
    }

    /// Discards the temporary file.
    public func abort() {
        if !done { unlink(tempPath); done = true }
    }
}

/// A verified-later blob sitting in the ingest directory. Removed at deinit unless installed.
public final class StagedBlob {
    let layout: OCILayout
    public let tempPath: String
    public let digest: Digest
    public let size: Int64
    private var installed = false

    init(layout: OCILayout, tempPath: String, digest: Digest, size: Int64) {
        self.layout = layout
        self.tempPath = tempPath
        self.digest = digest
        self.size = size
    }

    deinit { if !installed { unlink(tempPath) } }

    /// - Throws: `LayoutError.digestMismatch` / `.sizeMismatch` naming `what` and both values.
    public func verify(expected: Digest?, expectedSize: Int64?, what: String) throws {
        if let expectedSize, expectedSize != size {
            throw LayoutError(.sizeMismatch, "\(what): size is \(size) bytes, expected \(expectedSize)")
        }
        if let expected, expected != digest {
            throw LayoutError(.digestMismatch, "\(what): content has digest \(digest), expected \(expected)")
        }
    }

    private var synced = false

    /// Flushes the file's content to disk when the layout asks for durable blobs
    /// (`OCILayout.syncBlobs`); a killed process never leaves a partial blob either way,
    /// since blobs appear only by rename after they were fully written and verified.
    public func sync() {
        guard !synced, layout.syncBlobs else { return }
        let fd = open(tempPath, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
        synced = true
    }

    /// Renames the file to `blobs/<alg>/<hex>` (a no-op when the blob is already there).
    public func install() throws {
        guard !installed else { return }
        sync()
        try layout.install(tempPath: tempPath, as: digest)
        installed = true
    }
}
