import ArgumentParser
import Foundation
import ImageTransport
import Lading

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load images from a docker-save tarball, an oci-archive or an OCI layout directory.",
        discussion: "The tarball may be gzip, zstd, xz or bzip2 compressed. With no file, reads standard input.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Flag(name: .customLong("all-platforms"), help: "Load every platform present (the default).") var allPlatforms = false
    @Option(name: .shortAndLong, help: "Read from this file or directory instead of standard input.")
    var input: String?
    @Argument(help: "The file or directory to load ('-' for standard input).")
    var file: String?
    @Flag(name: .shortAndLong, help: "Suppress the load output.")
    var quiet = false
    @OptionGroup var layerSize: LayerSizeOption
    @Option(name: .customLong("base-name"), help: "Repository for images named only by a bare tag (as umoci and skopeo layouts are).")
    var baseName: String?

    func validate() throws {
        if let input, let file {
            throw ValidationError("give the file once: -i \(input) and \(file) were both given")
        }
    }

    func run() throws {
        guarded {
            let path = input ?? file ?? "-"
            if path == "-" && isatty(0) != 0 {
                throw ValidationError("requested load from stdin, but stdin is empty")
            }
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store))
            let options = ImageLoader.Options(baseName: baseName, platform: try platformOptions.parsed(), maxBlobSize: try layerSize.bytes())
            let result = try withProgress("Loading", total: regularFileSize(path), quiet: quiet) { try service.load(path: path, options: options) }
            for w in result.warnings { printErr("Warning: \(w)") }
            guard !quiet else { return }
            for image in result.images {
                for r in image.renamed { print(r.message) }
                if image.names.isEmpty { print("Loaded image ID: \(image.id)") }
                for n in image.names { print("Loaded image: \(n.familiarString)") }
            }
        }
    }
}
