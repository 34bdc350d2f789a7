import ArgumentParser
import Foundation
import ImageLayout
import Lading

/// `lading content ls`: the store's blobs, as containerd's `ctr content ls` lists its
/// content store: the inventory a site sends for a delta save (`save --exclude-from`).
struct ContentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content", abstract: "Inspect the store's content (blobs).",
        subcommands: [ContentListCommand.self])
}

struct ContentListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List the store's blobs: DIGEST and SIZE (bytes), sorted by digest.",
        discussion: "The list is what `lading save --exclude-from LIST` reads to leave out the layers a site has: run `lading content ls > have.txt` at the site and carry have.txt out.",
        aliases: ["list"])
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .shortAndLong, help: "Only print digests.") var quiet = false
    @Option(help: "table or json.") var format = "table"

    func validate() throws {
        if !["table", "json"].contains(format) { throw ValidationError("--format must be table or json") }
    }

    func run() throws {
        guarded {
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store), create: false)
            let blobs = service.layout.allBlobs()
            var out = ""
            if quiet {
                for (d, _) in blobs { out += "\(d)\n" }
            } else if format == "json" {
                for (d, size) in blobs { out += jsonLine(["Digest": d.description, "Size": size]) + "\n" }
            } else {
                out = LadingCLI.table([["DIGEST", "SIZE"]] + blobs.map { [$0.0.description, String($0.1)] }) + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}
