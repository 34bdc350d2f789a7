import ArgumentParser
import Foundation
import Lading

struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Save images to a tarball (Docker 25+ form: OCI layout plus manifest.json).",
        discussion: """
        Writes to standard output when no -o is given and standard output is not a terminal.

        --exclude-from SOURCE writes a delta archive: the layer blobs SOURCE has are left out \
        and listed in excluded-blobs.json (digest, size, media type). SOURCE is a store or \
        oci:DIR, a docker-archive or oci-archive, or a list from `lading content ls` run at \
        the site. Loading it takes those blobs from the destination store, checked there.

        --split SIZE (-o OUT required) writes OUT.000, OUT.001, ... of at most SIZE bytes \
        each (700M, 4G, or bytes), whose concatenation is the archive, and OUT.sha256 \
        (sha256sum -c format); at most 1000 parts (OUT.999), so that cat OUT.0* gives the \
        archive. `lading load OUT.000` (or OUT.sha256) checks each part.
        """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.", completion: .file())
    var output: String?
    @Flag(name: .customLong("all-platforms"), help: "Save every platform present (the default).") var allPlatforms = false
    @Flag(name: .customLong("all"), help: "Save every named image of the store (dangling images left out).") var all = false
    @Option(name: .customLong("exclude-from"), help: "Leave out the layer blobs this store, layout, archive or blob list has (a delta archive).")
    var excludeFrom: String?
    @Option(help: "Write parts of at most this size (700M, 4G, bytes) with a .sha256 checksum file; needs -o.")
    var split: String?
    @Argument(help: "Image names or IDs; a repository without a tag saves all its tags.", completion: .imageName)
    var images: [String] = []

    func validate() throws {
        if images.isEmpty && !all { throw ValidationError("save needs at least one image, or --all") }
        if allPlatforms && platformOptions.platform != nil { throw ValidationError("--all-platforms and --platform cannot be used together") }
        if let split {
            if output == nil || output == "-" { throw ValidationError("--split needs -o OUT (the parts are OUT.000, OUT.001, ...)") }
            do { _ = try SplitOutput.parseSize(split) } catch { throw ValidationError("--split: \(error)") }
        }
    }

    func run() throws {
        guarded {
            let service = try platformOptions.service(storeOptions, create: false)
            let excluding = try excludeFrom.map { try BlobInventory.digests(from: $0) } ?? []
            var record = ExcludedBlobs(blobs: [])
            if let output, let split {
                let size = try SplitOutput.parseSize(split)
                let parts = try withProgress("Saving", total: nil) { try service.save(images, all: all, excluding: excluding, splitInto: output, partSize: size) }
                record = parts.0
                printErr("Wrote \(parts.1.count) part\(parts.1.count == 1 ? "" : "s") and \(output).sha256")
            } else if let output, output != "-" {
                let total = excluding.isEmpty ? try? service.bytesToSave(images, all: all) : nil
                record = try withProgress("Saving", total: total) { try service.save(images, all: all, excluding: excluding, toFile: output) }
            } else {
                if isatty(1) != 0 {
                    throw ValidationError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
                }
                record = try service.save(images, all: all, excluding: excluding, to: FileSink(fd: 1, name: "standard output"))
            }
            if excludeFrom != nil {
                printErr("Delta archive: \(record.blobs.count) layer blob\(record.blobs.count == 1 ? "" : "s") (\(Human.size(record.totalSize))) left out, expected at the destination")
            }
        }
    }
}
