import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct SquashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "squash", abstract: "Merge an image's layers (above --from) into one.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var build: BuildFlags
    @Option(help: "Keep layers up to this parent: a layer count, a diff ID, or an image whose layers are a prefix.", completion: .imageName) var from: String?
    @Argument(help: "The image.", completion: .imageName) var image: String
    @Argument(help: "The new image's name.", completion: .imageName) var reference: String?

    func validate() throws { try OptionChecks.newName(reference, verb: "squash") }

    func run() throws {
        guarded {
            let service = try platformOptions.service(storeOptions)
            let options = try build.options(reference: reference)
            print(try withProgress("Squashing", total: nil) { try service.squash(image, parent: from, options: options) })
        }
    }
}
