import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commit", abstract: "Commit a directory as a new layer on top of an image (or scratch).")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var build: BuildFlags
    @Argument(help: "The base image, or scratch.", completion: .imageName) var image: String
    @Argument(help: "The directory holding the new filesystem.", completion: .directory) var directory: String
    @Argument(help: "The new image's name.", completion: .imageName) var reference: String?

    func validate() throws { try OptionChecks.newName(reference, verb: "commit") }

    func run() throws {
        guarded {
            let service = try platformOptions.service(storeOptions)
            let options = try build.options(reference: reference)
            print(try withProgress("Committing", total: nil) { try service.commit(base: image, directory: directory, options: options) })
        }
    }
}
