import Foundation
import Lading

extension StoreOptions {
    /// Whether the store was named (`--store` or `$LADING_STORE`) rather than defaulted.
    var named: Bool {
        if let store, !store.isEmpty { return true }
        return !(ProcessInfo.processInfo.environment["LADING_STORE"] ?? "").isEmpty
    }

    /// Opens the store for a command that reads it, creating nothing: the one check every
    /// reading command makes.
    /// - Parameter missingDefaultIsEmpty: return nil (no images) when the store is the
    ///   default location and does not exist yet (`images`, `count` before the first load).
    /// - Throws: `Error: PATH does not exist` for a missing store that was named (or any
    ///   missing store, without `missingDefaultIsEmpty`); `PATH is not an OCI image
    ///   layout` for a directory that is not one.
    func readingService(missingDefaultIsEmpty: Bool) throws -> ImageService? {
        let path = StoreLocation.resolve(explicit: store)
        if missingDefaultIsEmpty, !named, !FileManager.default.fileExists(atPath: path) { return nil }
        return try ImageService(storePath: path, create: false)
    }

    /// `readingService()` for commands that need images to exist.
    func readingService() throws -> ImageService {
        try ImageService(storePath: StoreLocation.resolve(explicit: store), create: false)
    }
}
