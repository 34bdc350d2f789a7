import ArgumentParser
import Foundation
import Lading

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load images from a docker-save tarball, an oci-archive or an OCI layout directory.",
        discussion: "The tarball may be gzip, zstd, xz or bzip2 compressed. With no file, reads standard input. A source may be written as skopeo's address: docker-archive:PATH, oci-archive:PATH or oci:DIR (every image in it is loaded). A filesystem tarball is made into an image with lading import.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Flag(name: .customLong("all-platforms"), help: "Load every platform present (the default).") var allPlatforms = false
    @Option(name: .shortAndLong, help: "Read from this file or directory instead of standard input (repeatable).", completion: .file())
    var input: [String] = []
    @Argument(help: "The files or directories to load ('-' for standard input; docker-archive:PATH, oci-archive:PATH, oci:DIR), each in turn.", completion: .file())
    var files: [String] = []
    @Flag(name: .shortAndLong, help: "Suppress the load output.")
    var quiet = false
    @OptionGroup var layerSize: LayerSizeOption
    @Option(name: .customLong("base-name"), help: "Repository for images named only by a bare tag (as umoci and skopeo layouts are).")
    var baseName: String?
    @Flag(name: .customLong("rehash-base"), help: "Hash in the store every blob a delta archive leaves out, even one the store recorded as hashed since it last changed (by default such a blob is checked by that record and its size).")
    var rehashBase = false

    func validate() throws {
        let paths = try (input + files).map(Self.path)
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input can be read once") }
    }

    /// The file or directory a source names: `docker-archive:PATH`, `oci-archive:PATH`
    /// and `oci:DIR` (parsed as `copy` parses them) are their PATH; anything else,
    /// or an existing file whose name merely starts so, is itself.
    /// - Throws: `ValidationError` for an address with a reference (load takes every image).
    static func path(_ source: String) throws -> String {
        guard ["docker-archive:", "oci-archive:", "oci:"].contains(where: source.hasPrefix),
              !FileManager.default.fileExists(atPath: source) else { return source }
        let path: String, reference: String?
        switch try TransportAddress(parsing: source) {
        case .dockerArchive(let p, let r), .ociArchive(let p, let r): (path, reference) = (p, r)
        case .ociLayout(let d, let r): (path, reference) = (d, r)
        case .store: return source
        }
        if let reference {
            throw ValidationError("\(source): load takes every image of a source, not one (\(reference)); use lading copy \(source) NAME for one image")
        }
        return path
    }

    func run() throws {
        guarded {
            let given = try (input + files).map(Self.path)
            let paths = given.isEmpty ? ["-"] : given
            if paths.contains("-") && isatty(0) != 0 {
                throw ValidationError("requested load from stdin, but stdin is empty")
            }
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store))
            var options = LoadOptions(baseName: baseName, platform: try platformOptions.parsed(), maxBlobSize: try layerSize.bytes())
            options.rehashExcluded = rehashBase
            var total = LoadedBlobs(), images = 0
            for path in paths {
                // Each source is loaded whole or not at all; a failure stops here, with the
                // sources before it loaded.
                let result: (images: [LoadedImageReport], warnings: [String], blobs: LoadedBlobs)
                do {
                    result = try withProgress("Loading", total: regularFileSize(path), quiet: quiet) { try service.loadCounting(path: path, options: options) }
                } catch {
                    if paths.count > 1 && images > 0 { printErr("Loaded \(images) image\(images == 1 ? "" : "s") before \(path)") }
                    throw error
                }
                for w in result.warnings { printErr("Warning: \(w)") }
                images += result.images.count
                total.written += result.blobs.written
                total.present += result.blobs.present
                total.bytesWritten += result.blobs.bytesWritten
                guard !quiet else { continue }
                for image in result.images {
                    for r in image.renamed { print(r.message) }
                    if image.names.isEmpty { print("Loaded image ID: \(image.id)") }
                    for n in image.names { print("Loaded image: \(n.familiarString)") }
                }
            }
            if paths.count > 1 && !quiet {
                print("Loaded \(images) image\(images == 1 ? "" : "s") from \(paths.count) sources: \(total.written) blob\(total.written == 1 ? "" : "s") written (\(Human.size(total.bytesWritten))), \(total.present) already present")
            }
        }
    }
}
