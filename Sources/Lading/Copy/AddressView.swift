import Foundation
import ImageLayout
import ImageSpec
import ImageTransport

/// An address `copy` takes, opened for reading only: what `inspect`, `history`,
/// `manifest`, `config` and `tree` look at without loading anything.
///
/// - The store and an `oci:` layout are read in place: `index.json` and the documents
///   asked for, never a layer; nothing is written or locked.
/// - A `docker-archive:` or `oci-archive:` tarball is read in one streaming pass by the
///   loader (every blob verified as `load` verifies it) into a `DocumentStore`: JSON
///   documents are kept in memory, layers are only hashed; nothing is written.
public final class AddressView {
    public let address: TransportAddress
    /// The images the address names (all of the source's without a REF), in its order.
    public let images: [ImageRecord]
    /// Every image of the source (what refers to `images` may be among them).
    public let all: [ImageRecord]
    /// Where the documents of `all` are read from.
    public let source: any BlobSource
    /// What the loader said of a tarball (sparse indexes, skipped entries).
    public let warnings: [String]

    init(address: TransportAddress, images: [ImageRecord], all: [ImageRecord], source: any BlobSource, warnings: [String] = []) {
        self.address = address
        self.images = images
        self.all = all
        self.source = source
        self.warnings = warnings
    }

    /// Opens `address` (`store:NAME` or a bare name resolves as `inspect` resolves it:
    /// a name, `name@digest`, an ID or ID prefix; `store:` alone is every image).
    /// - Parameter storePath: the store, for store addresses; never created.
    /// - Throws: `LayoutError.notALayout` naming a store or layout that does not exist;
    ///   `LadingError.notFound` naming an image the address does not hold; the loader's
    ///   errors (`ArchiveError`, `TransportError`, …) naming the file and entry at fault.
    public static func open(_ address: TransportAddress, storePath: String) throws -> AddressView {
        switch address {
        case .store(let name):
            let layout = try OCILayout(root: storePath, create: false)
            let table = NameTable(try layout.readIndex())
            let all = table.records()
            let images = name.isEmpty ? all : [try ImageService.find(name, in: table)]
            return AddressView(address: address, images: images, all: all, source: layout)
        case .ociLayout(let dir, let ref):
            let layout = try OCILayout(root: dir, create: false)
            let all = try layout.records()
            return AddressView(address: address, images: try select(all, reference: ref, in: dir), all: all, source: layout)
        case .dockerArchive(let path, let ref), .ociArchive(let path, let ref):
            var options = ImageLoader.Options()
            options.keepOtherEntries = true
            options.refuseUnnamableTags = false
            let store = DocumentStore()
            let plan = try ImageLoader.read(path: path, into: store, options: options)
            try plan.install(into: store)
            // Names sorted, as the store's records have them.
            let all = plan.images.filter { MediaType.isIndex($0.descriptor.mediaType) || MediaType.isManifest($0.descriptor.mediaType) }
                .map { ImageRecord(descriptor: $0.descriptor, names: $0.names.sorted(), bareTags: $0.bareTags) }
            return AddressView(address: address, images: try select(all, reference: ref, in: path), all: all,
                               source: store, warnings: plan.warnings)
        }
    }

    /// The images `reference` names, as `copy` selects them: by name (`repo:tag`, or a
    /// name's `repo:tag` part), else by a bare `ref.name` tag (umoci, skopeo), which
    /// then stays the image's only name; `@N` is the source's N-th image (from 0, as
    /// skopeo's docker-archive source index); every image when `reference` is nil.
    /// - Throws: `LadingError.notFound`: `<source>: no image named <reference>`, or
    ///   `<source>: no image @N (it holds M)`.
    static func select(_ images: [ImageRecord], reference: String?, in source: String) throws -> [ImageRecord] {
        guard let reference else { return images }
        if reference.hasPrefix("@"), let n = Int(reference.dropFirst()), n >= 0, reference.dropFirst().allSatisfy(\.isASCII) {
            guard n < images.count else { throw LadingError(.notFound, "\(source): no image \(reference) (it holds \(images.count))") }
            return [images[n]]
        }
        let wanted = try? Reference(parsing: reference).withDefaultTag
        var items = images.filter { $0.names.contains { $0 == wanted || $0.objectPart == reference } }
        if items.isEmpty {
            items = images.filter { $0.bareTags.contains(reference) }.map { .init(descriptor: $0.descriptor, names: $0.names, bareTags: [reference]) }
        }
        guard !items.isEmpty else { throw LadingError(.notFound, "\(source): no image named \(reference)") }
        return items
    }

    /// The reader of this address's documents, picking `platform` from indexes.
    public func reader(platform: Platform?) -> ImageReader { ImageReader(source: source, platform: platform) }

    /// The one image the address names.
    /// - Throws: `LadingError.invalidArgument` when it holds several (listing their
    ///   names), so that a REF must pick one.
    public func single() throws -> ImageRecord {
        guard images.count == 1 else {
            let names = images.map { $0.names.first?.familiarString ?? $0.bareTags.first ?? $0.id.description }
            throw LadingError(.invalidArgument, "\(address) holds \(images.count) images (\(names.joined(separator: ", "))); name one as \(address):REF")
        }
        return images[0]
    }
}
