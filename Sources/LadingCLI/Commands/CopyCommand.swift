import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "copy", abstract: "Copy images between docker-archive:, oci:, oci-archive: and the store.",
        discussion: """
        Addresses: docker-archive:PATH[:REF], oci:DIR[:REF], oci-archive:PATH[:REF], store:NAME or a bare store name (refused when it names a file or directory or looks like a misspelled transport; store:NAME is always a store name); PATH may be - for a tarball on standard input or output.
        Blobs travel byte for byte unless --compression asks for another; diff IDs never change. oci: and oci-archive: destinations get OCI manifests and indexes: Docker schema 2 manifests and manifest lists are converted (config and layer digests unchanged), as skopeo does; docker-archive: and the store keep them as they are. zstd layers written into a docker-archive stay zstd (containerd 2 and docker 25+ read them); use --compression gzip for older readers.
        """)
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Option(help: "keep, gzip, zstd or none.") var compression = "keep"
    @Option(name: .customLong("compression-level"), help: "gzip: 0 (store) to 12, default 6; zstd: 1 to 19, default 3.") var compressionLevel: Int?
    @Flag(name: .customLong("all-platforms"), help: "Copy every platform present (the default).") var allPlatforms = false
    @OptionGroup var layerSize: LayerSizeOption
    @Argument(help: "The source address.", completion: .copyAddress) var source: String
    @Argument(help: "The destination address.", completion: .copyAddress) var destination: String

    func validate() throws {
        guard compression == "keep" || MediaType.LayerCompression(rawValue: compression) != nil else {
            throw ValidationError("--compression must be keep, gzip, zstd or none")
        }
        if compression != "keep" { try OptionChecks.level(compressionLevel, for: compression) }
    }

    func run() throws {
        guarded {
            var o = CopyOptions()
            if compression != "keep" {
                guard let c = MediaType.LayerCompression(rawValue: compression) else { throw ValidationError("--compression must be keep, gzip, zstd or none") }
                o.compression = c
            }
            if compression == "keep", compressionLevel != nil {
                printErr("Warning: --compression-level has no effect with --compression keep (blobs are copied as they are)")
            }
            o.compressionLevel = compression == "keep" ? nil : OptionChecks.effectiveLevel(compressionLevel, for: compression)
            o.platform = try platformOptions.parsed()
            o.maxLayerSize = try layerSize.bytes()
            let store = StoreLocation.resolve(explicit: storeOptions.store)
            let copier = ImageCopier(storePath: store)
            let (src, dst) = (try TransportAddress(parsingCopyAddress: source), try TransportAddress(parsingCopyAddress: destination))
            try withProgress("Copying", total: ProgressTotals.copy(from: src, store: store)) { try copier.copy(from: src, to: dst, options: o) }
        }
    }
}
