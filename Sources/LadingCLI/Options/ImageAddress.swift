import Foundation
import ImageSpec
import Lading

/// `NAME|ADDRESS` for the commands that look at an image without loading it
/// (`inspect`, `history`, `manifest`, `config`, `tree`): a store name or ID as before,
/// `store:NAME`, or any address `copy` reads (`docker-archive:F[:REF]`,
/// `oci:DIR[:REF]`, `oci-archive:F[:REF]`).
enum ImageAddress {
    /// Opens `text` for reading; nothing is created or written.
    static func open(_ text: String, store: StoreOptions) throws -> AddressView {
        try AddressView.open(try TransportAddress(parsing: text), storePath: StoreLocation.resolve(explicit: store.store))
    }

    /// Writes `bytes` to standard output as they are (no newline added).
    static func writeRaw(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
