import ArgumentParser
import Lading

struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove image names, and images whose last name goes.")
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .shortAndLong, help: "Remove an image by ID even when it has names in several repositories.")
    var force = false
    @Flag(name: .customLong("no-prune"), help: "Do not delete untagged parents.") var noPrune = false
    @Argument(help: "Image names or IDs.", completion: .imageName) var images: [String]

    func run() throws {
        var failed = false
        let service: ImageService
        do { service = try storeOptions.readingService() } catch { fail(error) }
        let results: [Result<[String], Error>]
        do { results = try service.remove(images, force: force, noPrune: noPrune) } catch { fail(error) }
        for result in results {
            switch result {
            case .success(let lines): for line in lines { print(line) }
            case .failure(let error):
                printErr("Error: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
