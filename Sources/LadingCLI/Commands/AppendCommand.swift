import ArgumentParser
import Foundation
import Lading

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Add filesystem tarballs as layers on top of an image, under a new name.",
        discussion: "Each tarball is a layer: whiteout markers (.wh.NAME, .wh..wh..opq) in it delete files of the layers below. It is checked as unpacking checks a layer and stored as import stores it: gzip and zstd as they are, plain, xz and bzip2 as gzip (unless --compression says otherwise); each gets a history entry. SOURCE_DATE_EPOCH makes the result reproducible. Prints the new image's ID.")
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: [.short, .customLong("tag")], help: "The new image's name.") var tag: String?
    @Option(name: [.short, .customLong("change")], help: "A Dockerfile instruction for the config.") var change: [String] = []
    @Option(name: .shortAndLong, help: "History comment (default: Appended from FILE).") var message: String?
    @Option(help: "keep, gzip, zstd or none.") var compression = "keep"
    @Option(name: .customLong("compression-level"), help: "gzip: 0 (store) to 12, default 6; zstd: 1 to 19, default 3.") var compressionLevel: Int?
    @OptionGroup var layerSize: LayerSizeOption
    @Argument(help: "The base image.", completion: .imageName) var image: String
    @Argument(help: "The layer tarballs, lowest first (- for standard input).", completion: .file()) var layers: [String] = []

    func validate() throws {
        if layers.isEmpty { throw ValidationError("append needs at least one layer tarball") }
        if layers.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be given once") }
        guard ImportOptions.Output(rawValue: compression) != nil else {
            throw ValidationError("--compression must be keep, gzip, zstd or none")
        }
        try OptionChecks.level(compressionLevel, for: compression)
        try OptionChecks.newName(tag, verb: "append")
    }

    func run() throws {
        guarded {
            var o = ImportOptions(reference: tag)
            o.changes = change
            o.message = message
            o.compression = ImportOptions.Output(rawValue: compression) ?? .keep
            o.maxLayerSize = try layerSize.bytes()
            o.compressionLevel = OptionChecks.effectiveLevel(compressionLevel, for: compression)
            o.warning = { printErr("Warning: \($0)") }
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store), create: false)
            let total = layers.reduce(Int64(0)) { $0 + (regularFileSize($1) ?? 0) }
            print(try withProgress("Appending", total: total) { try service.append(image, layers: layers, options: o) })
        }
    }
}
