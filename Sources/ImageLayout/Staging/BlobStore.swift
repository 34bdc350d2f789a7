import Foundation
import ImageSpec
import ByteStreams

/// Where blobs read from a source are staged, verified and installed: an OCI layout
/// (`OCILayout`), or a tarball being written (a spool of `blobs/sha256/…` entries).
///
/// A blob is first written through `newBlob` and hashed on the way; `stageContent()`
/// ends it and hands over the staged bytes, which become part of the store only by
/// `install()` (and which `hasBlob`, `blobSize`, `readBlob` see from then on).
public protocol BlobStore: BlobSource {
    /// Starts a new blob.
    /// - Parameter sizeHint: its size in bytes when known in advance (a tar entry's),
    ///   which lets a store keep small blobs in memory; nil when unknown.
    func newBlob(sizeHint: Int64?) throws -> any BlobStaging
    /// Whether an installed blob has this digest.
    func hasBlob(_ d: Digest) -> Bool
    /// Installs a small blob lading made (a manifest, an index) and returns its digest.
    @discardableResult func putBlob(_ bytes: [UInt8]) throws -> Digest
    /// Calls `body` with the installed blob's content, chunk by chunk (1 MiB at most);
    /// the default reads `chunks(of:)`.
    /// - Throws: `LayoutError` `.blobNotFound`, `.sizeMismatch` (not the recorded size), `.io`.
    func forEachChunk(of d: Digest, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
    /// The installed blob's content as a pull source (for a `TarReader`).
    /// - Throws: `LayoutError.blobNotFound`; reading throws `ArchiveError` `.io`.
    func chunks(of d: Digest) throws -> ChunkSource
    /// Whether the store holds blob `d` at `size` bytes with a record that its content was
    /// hashed and matched since it last changed (`CheckRecord`); false when it keeps none.
    func hasCheckedBlob(_ d: Digest, size: Int64) -> Bool
    /// Records that the installed blob `d` was just hashed and matched its name, the
    /// hash having started reading it at `hashStart` (`CheckRecord.now()`): nothing is
    /// recorded when the file may have changed since then.
    func recordChecked(_ d: Digest, hashStart: timespec)
}

/// A blob being written into a `BlobStore`, hashed as it is written.
public protocol BlobStaging: ByteSink {
    /// Ends the blob: its digest and size are known from here on.
    func stageContent() throws -> any StagedContent
    /// Discards what was written.
    func abort()
}

/// A blob written and hashed, not yet part of its store.
public protocol StagedContent: AnyObject {
    var digest: Digest { get }
    var size: Int64 { get }
    /// Reads the content whole.
    /// - Throws: `LayoutError.tooLarge` past `limit` bytes, `.io`.
    func readAll(limit: Int) throws -> [UInt8]
    /// Flushes the bytes to disk where the store asks for durable blobs.
    func sync()
    /// Makes the blob part of the store (a no-op the second time).
    func install() throws
}

extension BlobStore {
    public func hasCheckedBlob(_ d: Digest, size: Int64) -> Bool { false }
    public func recordChecked(_ d: Digest, hashStart: timespec) {}
}

extension BlobStore {
    /// Copies `bytes` into a new blob, checks it against `expected` and `expectedSize`
    /// and installs it.
    /// - Returns: the staged blob, installed.
    /// - Throws: `LayoutError.digestMismatch` / `.sizeMismatch` naming `what` and both values.
    @discardableResult
    public func commit(_ w: any BlobStaging, expected: Digest?, expectedSize: Int64?, what: String) throws -> any StagedContent {
        let staged = try w.stageContent()
        if let expectedSize, expectedSize != staged.size {
            throw LayoutError(.sizeMismatch, "\(what): size is \(staged.size) bytes, expected \(expectedSize)")
        }
        if let expected, expected != staged.digest {
            throw LayoutError(.digestMismatch, "\(what): content has digest \(staged.digest), expected \(expected)")
        }
        try staged.install()
        return staged
    }
}

extension BlobStore {
    /// Copies blob `digest` (`size` bytes) from `source` into this store, chunk by chunk
    /// (1 MiB at most), checked against both and installed; a failed copy leaves nothing.
    /// - Parameter between: called before each chunk is written (a cancellation check).
    /// - Returns: the blob, installed.
    /// - Throws: `LayoutError.blobNotFound` when `source` lacks it, `.digestMismatch` /
    ///   `.sizeMismatch` when its content is not what it is named, `ArchiveError.io`.
    @discardableResult
    public func copyBlob(_ digest: Digest, size: Int64, from source: any BlobStore,
                         between: () throws -> Void = {}) throws -> any StagedContent {
        let w = try newBlob(sizeHint: size)
        do {
            let chunks = try source.chunks(of: digest)
            while true {
                let c = try chunks.nextChunk()
                if c.isEmpty { break }
                try between()
                try w.write(c)
            }
        } catch {
            w.abort()
            throw error
        }
        return try commit(w, expected: digest, expectedSize: size, what: "blob \(digest)")
    }

    /// `chunks(of:)` pushed through `body`, exactly `blobSize(d)` bytes (a tar header
    /// was written with that size).
    public func forEachChunk(of d: Digest, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let size = blobSize(d) else { throw LayoutError(.blobNotFound, "blob \(d) not found") }
        let source = try chunks(of: d)
        var total: Int64 = 0
        while true {
            let chunk = try source.nextChunk()
            if chunk.isEmpty { break }
            total += Int64(chunk.count)
            if total > size { throw LayoutError(.sizeMismatch, "blob \(d) is longer than \(size) bytes") }
            try body(chunk)
        }
        if total < size { throw LayoutError(.sizeMismatch, "blob \(d) is shorter than \(size) bytes") }
    }
}

extension OCILayout: BlobStore {
    public func newBlob(sizeHint: Int64?) throws -> any BlobStaging { try newBlob() }

    public func hasCheckedBlob(_ d: Digest, size: Int64) -> Bool {
        d.isSupported && CheckRecord.matches(path: blobPath(d), digest: d, size: size)
    }

    public func recordChecked(_ d: Digest, hashStart: timespec) {
        if d.isSupported { CheckRecord.write(path: blobPath(d), digest: d, unchangedSince: hashStart) }
    }

    public func chunks(of d: Digest) throws -> ChunkSource {
        guard hasBlob(d) else { throw LayoutError(.blobNotFound, "blob \(d) is missing from \(root)") }
        return try DescriptorSource(opening: blobPath(d), name: "blob \(d)")
    }
}

extension BlobWriter: BlobStaging {
    public func stageContent() throws -> any StagedContent { try stage() }
}

extension StagedBlob: StagedContent {
    public func readAll(limit: Int) throws -> [UInt8] {
        try FileOps.readSmall(tempPath, limit: limit, what: "staged blob \(digest)")
    }
}
