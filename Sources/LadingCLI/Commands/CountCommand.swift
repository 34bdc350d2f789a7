import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "count", abstract: "Print the number of images in the store.")
    @OptionGroup var storeOptions: StoreOptions
    func run() throws {
        guarded {
            // The default store not made yet: no images, and nothing created.
            print(try storeOptions.readingService(missingDefaultIsEmpty: true)?.images().count ?? 0)
        }
    }
}
