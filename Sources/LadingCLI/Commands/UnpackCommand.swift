import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct UnpackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpack", abstract: "Apply an image's layers onto a directory.",
        discussion: "Whiteouts are applied and never appear; nothing is written outside DIR. Absolute entry names are confined to DIR.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Flag(help: "Do not chown and skip device nodes (with a warning).") var rootless = false
    @Argument(help: "An image name or ID.", completion: .imageName) var image: String
    @Argument(help: "The target directory.", completion: .directory) var directory: String

    func run() throws {
        guarded {
            let service = try platformOptions.service(storeOptions, create: false)
            let rootless = self.rootless || geteuid() != 0
            let layers = try? service.details(of: try service.resolve(image)).manifest.layers.reduce(Int64(0)) { $0 + $1.size }
            try withProgress("Unpacking", total: layers) {
                try service.unpack(image, into: directory, options: ApplyOptions(rootless: rootless, warning: { printErr("Warning: \($0)") }))
            }
        }
    }
}
