import ArgumentParser
import Foundation
import ImageSpec
import Lading

/// Options shared by commands that create an image.
struct BuildFlags: ParsableArguments {
    @Option(name: [.short, .customLong("change")], help: "A Dockerfile instruction for the config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR, HEALTHCHECK).")
    var change: [String] = []
    @Option(name: .shortAndLong, help: "History comment.") var message: String?
    @Option(name: .shortAndLong, help: "Author.") var author: String?
    @Option(help: "Layer compression: gzip, zstd or none.") var compression = "gzip"
    @Option(name: .customLong("compression-level"), help: "gzip: 0 (store) to 12, default 6; zstd: 1 to 19, default 3.") var compressionLevel: Int?
    @OptionGroup var layerSize: LayerSizeOption

    func options(reference: String?) throws -> BuildOptions {
        var o = BuildOptions(reference: reference)
        o.changes = change
        o.message = message
        o.author = author
        guard let c = MediaType.LayerCompression(rawValue: compression) else {
            throw ValidationError("--compression must be gzip, zstd or none")
        }
        o.compression = c
        o.compressionLevel = OptionChecks.effectiveLevel(compressionLevel, for: compression)
        o.maxLayerSize = try layerSize.bytes()
        return o
    }

    func validate() throws {
        guard MediaType.LayerCompression(rawValue: compression) != nil else {
            throw ValidationError("--compression must be gzip, zstd or none")
        }
        try OptionChecks.level(compressionLevel, for: compression)
    }
}
