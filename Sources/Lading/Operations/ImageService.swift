import Foundation
import ImageLayout
import ImageSpec
import ImageTransport

/// The offline image service: what docker's image service does, over an OCI image
/// layout directory instead of a daemon. Every operation that changes the store
/// writes blobs first (verified, atomically renamed) and `index.json` last, under the
/// layout's lock, so a failure leaves the store as it was.
public final class ImageService {
    public let layout: OCILayout
    /// The platform an operation picks from a multi-platform image (containerd's
    /// `Only` matching); nil prefers this machine's platform among all.
    public var platform: Platform?

    /// Opens the store at `storePath`, an OCI image layout directory (image-spec
    /// image-layout.md).
    /// - Parameter create: with `true`, a new or empty directory becomes a store (and
    ///   what killed commands left in its ingest area is removed); with `false`, the
    ///   store is only opened, nothing is created or changed on disk: use it to read.
    /// - Throws: `LayoutError(.notALayout)` when `storePath` does not exist (with
    ///   `create: false`) or is a directory that holds something other than a layout.
    public init(storePath: String, create: Bool = true) throws {
        layout = try OCILayout(root: storePath, create: create)
        if create { layout.cleanAbandonedIngest() }
    }

    /// Opens an existing store to read it; never creates one (`init(storePath:create: false)`).
    /// - Throws: `LayoutError(.notALayout)` naming the path when it is not a store.
    public convenience init(readingStoreAt storePath: String) throws {
        try self.init(storePath: storePath, create: false)
    }

    /// Progress and cancellation for the operations that follow (`load`, `save`,
    /// `importTarball`, `commit`, `squash`): the monitor sees every byte written into the
    /// store's ingest area (the blobs, and for a legacy docker-save the entries load reads
    /// and drops), or into a saved archive, and a cancelled one makes the running
    /// operation throw `CancellationError` at its next write, leaving the store as it was.
    /// nil (the default): no reports, no cancellation.
    public var monitor: TransferMonitor? {
        get { layout.monitor }
        set { layout.monitor = newValue }
    }

    /// Every image in the store, grouped by target digest, in `index.json` order.
    public func images() throws -> [ImageRecord] { try layout.records() }

    /// Finds an image by name (`busybox` = `docker.io/library/busybox:latest`), by
    /// `name@digest`, or by an ID or ID prefix (4–64 hex, `sha256:` optional).
    /// - Throws: `LadingError.notFound`, or `.ambiguous` when a prefix matches several images.
    public func resolve(_ text: String) throws -> ImageRecord {
        try resolve([text])[0]
    }

    /// Finds each of `texts` as `resolve(_:)` does, reading `index.json` once: the cost
    /// is linear in the number of names and images.
    public func resolve(_ texts: [String]) throws -> [ImageRecord] {
        let table = NameTable(try layout.readIndex())
        return try texts.map { try Self.find($0, in: table) }
    }

    /// `resolve` against a name table being edited (a name or a full ID costs O(1); an ID
    /// prefix a pass over the images).
    static func find(_ text: String, in table: NameTable) throws -> ImageRecord {
        // A full ID (`sha256:<64 hex>`, or the 64 hex alone) is an ID first, as docker reads it.
        let bare = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        if bare.count == 64, let d = try? Digest(parsing: "sha256:\(bare)"), let hit = table.record(of: d) { return hit }
        if let ref = try? Reference(parsing: text) {
            if let hit = table.record(named: ref.withDefaultTag) { return hit }
            // `REPO@DIGEST`: the image with that digest, named in that repository (as docker's
            // containerd store matches both); another repository's image is not it.
            if let dg = ref.digest, let hit = table.record(of: dg), hit.names.contains(where: { $0.name == ref.name }) {
                return hit
            }
        }
        var hex = Substring(text)
        if hex.hasPrefix("sha256:") { hex = hex.dropFirst(7) }
        if (4...64).contains(hex.count), hex.allSatisfy({ "0123456789abcdef".contains($0) }) {
            if hex.count == 64, let d = try? Digest(parsing: "sha256:\(hex)"), let hit = table.record(of: d) { return hit }
            let hits = table.records().filter { $0.id.encoded.hasPrefix(hex) }
            if hits.count == 1 { return hits[0] }
            if hits.count > 1 { throw LadingError(.ambiguous, "\(text): ambiguous reference: matches \(hits.count) images") }
        }
        throw LadingError(.notFound, "No such image: \(text)")
    }
}
