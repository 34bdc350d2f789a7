import ArgumentParser
import Foundation
import Lading
import TarArchive

struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Save images to a tarball (Docker 25+ form: OCI layout plus manifest.json).",
        discussion: "Writes to standard output when no -o is given and standard output is not a terminal.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.", completion: .file())
    var output: String?
    @Flag(name: .customLong("all-platforms"), help: "Save every platform present (the default).") var allPlatforms = false
    @Flag(name: .customLong("all"), help: "Save every named image of the store (dangling images left out).") var all = false
    @Argument(help: "Image names or IDs; a repository without a tag saves all its tags.", completion: .imageName)
    var images: [String] = []

    func validate() throws {
        if images.isEmpty && !all { throw ValidationError("save needs at least one image, or --all") }
        if allPlatforms && platformOptions.platform != nil { throw ValidationError("--all-platforms and --platform cannot be used together") }
    }

    func run() throws {
        guarded {
            let service = try platformOptions.service(storeOptions, create: false)
            if let output, output != "-" {
                try withProgress("Saving", total: try? service.bytesToSave(images, all: all)) { try service.save(images, all: all, toFile: output) }
            } else {
                if isatty(1) != 0 {
                    throw ValidationError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
                }
                try service.save(images, all: all, to: FileSink(fd: 1, name: "standard output"))
            }
        }
    }
}
