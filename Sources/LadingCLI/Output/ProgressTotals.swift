import Foundation
import Lading

/// The totals the progress display shows: the bytes a command will read, where they
/// can be known cheaply before it starts (nil where not).
enum ProgressTotals {
    /// A regular file's size, or the sum of the regular files' sizes under a directory.
    static func tree(_ path: String) -> Int64? {
        if let size = regularFileSize(path) { return size }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
              let e = FileManager.default.enumerator(atPath: path) else { return nil }
        var total: Int64 = 0
        while let rel = e.nextObject() as? String { total += regularFileSize("\(path)/\(rel)") ?? 0 }
        return total
    }

    /// What `copy` reads of its source: an archive's size, a layout's blobs, an image's blobs.
    static func copy(from source: TransportAddress, store: String) -> Int64? {
        switch source {
        case .dockerArchive(let p, _), .ociArchive(let p, _): return regularFileSize(p)
        case .ociLayout(let dir, _): return tree(dir + "/blobs")
        case .store(let name):
            return (try? ImageService(storePath: store, create: false)).flatMap { try? $0.imageBytes(name) }
        }
    }

    /// What `verify` reads of its targets (as `Verifier.verify` takes them): the store's
    /// or a layout's blobs, an image's blobs, twice an archive (read into a scratch
    /// layout, then each blob read again to check it). Nil when one target is unknown.
    static func verify(_ targets: [String], store: String) -> Int64? {
        var total: Int64 = 0
        for t in targets {
            guard let address = try? TransportAddress(parsing: t) else { return nil }
            var part: Int64?
            switch address {
            case .store(let name) where name == "store" || name.isEmpty: part = tree(store + "/blobs")
            case .store(let name):
                if FileManager.default.fileExists(atPath: name) {
                    part = regularFileSize(name).map { $0 * 2 } ?? tree(name + "/blobs")
                } else {
                    part = (try? ImageService(storePath: store, create: false)).flatMap { try? $0.imageBytes(name) }
                }
            case .ociLayout(let dir, _): part = tree(dir + "/blobs")
            case .dockerArchive(let p, _), .ociArchive(let p, _): part = regularFileSize(p).map { $0 * 2 }
            }
            guard let part else { return nil }
            total += part
        }
        return total
    }
}
