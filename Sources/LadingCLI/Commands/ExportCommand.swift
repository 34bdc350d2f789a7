import ArgumentParser
import Foundation
import Lading

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an image's flattened root filesystem as a tar archive.",
        discussion: "Whiteouts are applied and never appear; hardlinks are kept; the order and headers are deterministic. Writes to standard output when no -o is given and standard output is not a terminal.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.", completion: .file()) var output: String?
    @Argument(help: "An image name or ID.", completion: .imageName) var image: String

    func run() throws {
        guarded {
            let service = try platformOptions.service(storeOptions, create: false)
            if let output, output != "-" {
                try service.export(image, toFile: output)
            } else {
                if isatty(1) != 0 {
                    throw ValidationError("cowardly refusing to export to a terminal. Use the -o flag or redirect")
                }
                let sink = FileSink(fd: 1, name: "standard output")
                sink.hashing = false
                try service.export(image, to: sink)
            }
        }
    }
}
