import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// A `BlobStore` that writes nothing: what the loader stages into it is hashed as it
/// passes (so every blob is still verified against its descriptor and each layer
/// against its diff ID) and only JSON documents — content starting with `{` or `[`
/// after white space, at most `DocumentLimits.manifest` bytes — are kept, in memory.
/// Layers are never kept: reading one back throws. What `inspect`, `manifest`,
/// `config`, `history` and `tree` read a tarball through.
final class DocumentStore: BlobStore {
    private var sizes: [Digest: Int64] = [:]
    private var documents: [Digest: [UInt8]] = [:]

    init() {}

    func newBlob(sizeHint: Int64?) throws -> any BlobStaging {
        Staging(store: self, keep: (sizeHint ?? 0) <= Int64(DocumentLimits.manifest))
    }

    func hasBlob(_ d: Digest) -> Bool { sizes[d] != nil }

    func blobSize(_ d: Digest) -> Int64? { sizes[d] }

    func readBlob(_ d: Digest, limit: Int) throws -> [UInt8] {
        guard let size = sizes[d] else { throw LayoutError(.blobNotFound, "blob \(d) not found") }
        if size > Int64(limit) { throw LayoutError(.tooLarge, "blob \(d) is \(size) bytes, over the limit of \(limit) bytes") }
        guard let bytes = documents[d] else { throw LayoutError(.invalidDocument, "blob \(d) is not a JSON document") }
        return bytes
    }

    @discardableResult
    func putBlob(_ bytes: [UInt8]) throws -> Digest {
        let d = Digest.sha256(of: bytes)
        sizes[d] = Int64(bytes.count)
        documents[d] = bytes
        return d
    }

    func chunks(of d: Digest) throws -> ChunkSource {
        throw LayoutError(.blobNotFound, "blob \(d): content is not kept when only documents are read")
    }

    /// Hashes what passes; keeps it while it may be a JSON document.
    final class Staging: BlobStaging {
        let store: DocumentStore
        private var digester = StreamDigester()
        private var kept: [UInt8]?
        private var seenContent = false

        init(store: DocumentStore, keep: Bool) {
            self.store = store
            kept = keep ? [] : nil
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            digester.update(bytes)
            guard kept != nil else { return }
            if !seenContent, let first = bytes.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }) {
                seenContent = true
                if first != UInt8(ascii: "{") && first != UInt8(ascii: "[") { kept = nil; return }
            }
            if kept!.count + bytes.count > DocumentLimits.manifest { kept = nil; return }
            kept!.append(contentsOf: bytes)
        }

        func stageContent() throws -> any StagedContent {
            Staged(store: store, digest: Digest(sha256Hex: digester.finalizeHex()), size: digester.count, bytes: kept)
        }

        func abort() { kept = nil }
    }

    final class Staged: StagedContent {
        let store: DocumentStore
        let digest: Digest
        let size: Int64
        let bytes: [UInt8]?

        init(store: DocumentStore, digest: Digest, size: Int64, bytes: [UInt8]?) {
            self.store = store
            self.digest = digest
            self.size = size
            self.bytes = bytes
        }

        func readAll(limit: Int) throws -> [UInt8] {
            if size > Int64(limit) { throw LayoutError(.tooLarge, "blob \(digest) is \(size) bytes, over the limit of \(limit) bytes") }
            guard let bytes else { throw LayoutError(.invalidDocument, "blob \(digest) is not a JSON document") }
            return bytes
        }

        func sync() {}

        func install() throws {
            store.sizes[digest] = size
            if let bytes { store.documents[digest] = bytes }
        }
    }
}
