import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct ChildrenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "children", abstract: "List images built on an image (their layers extend its layers).")
    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "An image name or ID.", completion: .imageName) var image: String

    func run() throws {
        guarded {
            let service = try storeOptions.readingService()
            for c in try service.children(of: image) {
                print("\(c.id.shortID)\t\(c.names.map(\.familiarString).joined(separator: ", "))")
            }
        }
    }
}
