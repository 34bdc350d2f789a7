import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// A layout read in place as a `BlobStore`, for writing a tarball to a pipe without a
/// staging directory: a blob "staged" into it is only hashed (and decoded, by the loader,
/// for its diff ID) to verify the layout's own file, which is what gets "installed".
/// Documents lading makes (OCI conversions) are kept in memory; the layout is never
/// written to.
///
/// Each blob is read twice, to verify it and to copy it; the copy is hashed again and a
/// blob that changed in between fails the copy (`LayoutError.digestMismatch`).
final class ReadThroughStore: BlobStore {
    let layout: OCILayout
    /// The store's own blobs were verified when they were installed: nothing is re-read.
    let trusted: Bool
    private var verified: Set<Digest> = []
    private var memory: [Digest: [UInt8]] = [:]

    init(layout: OCILayout, trusted: Bool) {
        self.layout = layout
        self.trusted = trusted
    }

    func newBlob(sizeHint: Int64?) throws -> any BlobStaging { Hashing(store: self) }

    func hasBlob(_ d: Digest) -> Bool { blobSize(d) != nil }

    func blobSize(_ d: Digest) -> Int64? {
        if let m = memory[d] { return Int64(m.count) }
        return trusted || verified.contains(d) ? layout.blobSize(d) : nil
    }

    func readBlob(_ d: Digest, limit: Int) throws -> [UInt8] {
        if let m = memory[d] { return m }
        guard hasBlob(d) else { throw LayoutError(.blobNotFound, "blob \(d) not found") }
        return try layout.readBlob(d, limit: limit)
    }

    @discardableResult
    func putBlob(_ bytes: [UInt8]) throws -> Digest {
        let d = Digest.sha256(of: bytes)
        if !hasBlob(d) { memory[d] = bytes }
        return d
    }

    func forEachChunk(of d: Digest, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let m = memory[d] { return try m.withUnsafeBytes { try body($0) } }
        guard hasBlob(d) else { throw LayoutError(.blobNotFound, "blob \(d) not found") }
        var digester = StreamDigester()
        try layout.forEachChunk(of: d) { chunk in
            digester.update(chunk)
            try body(chunk)
        }
        let again = Digest(sha256Hex: digester.finalizeHex())
        if again != d { throw LayoutError(.digestMismatch, "blob \(d) changed while it was copied (now \(again))") }
    }

    func chunks(of d: Digest) throws -> ChunkSource {
        guard hasBlob(d) else { throw LayoutError(.blobNotFound, "blob \(d) not found") }
        return try layout.chunks(of: d)
    }

    /// Hashes what the loader reads; keeps nothing.
    final class Hashing: BlobStaging {
        let store: ReadThroughStore
        private var digester = StreamDigester()
        init(store: ReadThroughStore) { self.store = store }
        func write(_ bytes: UnsafeRawBufferPointer) throws { digester.update(bytes) }
        func stageContent() throws -> any StagedContent {
            Checked(store: store, digest: Digest(sha256Hex: digester.finalizeHex()), size: digester.count)
        }
        func abort() {}
    }

    /// A blob of the layout, verified.
    final class Checked: StagedContent {
        let store: ReadThroughStore
        let digest: Digest
        let size: Int64
        init(store: ReadThroughStore, digest: Digest, size: Int64) {
            self.store = store
            self.digest = digest
            self.size = size
        }
        func readAll(limit: Int) throws -> [UInt8] { try store.layout.readBlob(digest, limit: limit) }
        func sync() {}
        func install() throws {
            guard store.layout.blobSize(digest) == size else {
                throw LayoutError(.blobNotFound, "blob \(digest) is not in \(store.layout.root) under its digest")
            }
            store.verified.insert(digest)
        }
    }
}
