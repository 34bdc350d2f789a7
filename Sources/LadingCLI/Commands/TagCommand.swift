import ArgumentParser
import Lading

struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Create a name TARGET that refers to SOURCE.")
    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "An image name or ID.", completion: .imageName) var source: String
    @Argument(help: "The new name.", completion: .imageName) var target: String

    func run() throws {
        guarded {
            let service = try storeOptions.readingService()
            try service.tag(source, target)
        }
    }
}
