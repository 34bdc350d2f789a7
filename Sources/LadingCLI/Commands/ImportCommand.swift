import ArgumentParser
import Foundation
import Lading

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Create an image from a filesystem tarball.",
        discussion: "gzip and zstd input is stored as is; plain, xz and bzip2 input becomes gzip (unless --compression says otherwise). SOURCE_DATE_EPOCH makes the result reproducible.")
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: [.short, .customLong("change")], help: "A Dockerfile instruction for the config.") var change: [String] = []
    @Option(name: .shortAndLong, help: "History comment (default: Imported from FILE).") var message: String?
    @Option(help: "os/arch[/variant] of the image (default: this machine's).") var platform: String?
    @Option(help: "keep, gzip, zstd or none.") var compression = "keep"
    @Option(name: .customLong("compression-level"), help: "gzip: 0 (store) to 12, default 6; zstd: 1 to 19, default 3.") var compressionLevel: Int?
    @OptionGroup var layerSize: LayerSizeOption
    @Argument(help: "The tarball, or - for standard input.", completion: .file()) var file: String
    @Argument(help: "The new image's name.", completion: .imageName) var reference: String?

    func validate() throws {
        guard ImportOptions.Output(rawValue: compression) != nil else {
            throw ValidationError("--compression must be keep, gzip, zstd or none")
        }
        try OptionChecks.level(compressionLevel, for: compression)
        try OptionChecks.platform(platform)
        try OptionChecks.newName(reference, verb: "import")
    }

    func run() throws {
        guarded {
            let c = ImportOptions.Output(rawValue: compression) ?? .keep
            var o = ImportOptions(reference: reference)
            o.changes = change
            o.message = message
            o.platform = platform
            o.compression = c
            o.maxLayerSize = try layerSize.bytes()
            o.compressionLevel = OptionChecks.effectiveLevel(compressionLevel, for: compression)
            o.warning = { printErr("Warning: \($0)") }
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store))
            print(try withProgress("Importing", total: regularFileSize(file)) { try service.importTarball(path: file, options: o) })
        }
    }
}
