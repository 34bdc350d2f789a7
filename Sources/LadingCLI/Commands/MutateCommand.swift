import ArgumentParser
import Foundation
import Lading

struct MutateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutate",
        abstract: "Change an image's config and manifest annotations under a new name; layers untouched.",
        discussion: "--change instructions apply first, in order, then the other options. --entrypoint and --cmd take a JSON array (exec form) or a string (shell form). The history gains an empty_layer entry. SOURCE_DATE_EPOCH makes the result reproducible. Prints the new image's ID.")
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: [.short, .customLong("tag")], help: "The new image's name.") var tag: String?
    @Option(name: [.short, .customLong("change")], help: "A Dockerfile instruction for the config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR, HEALTHCHECK).")
    var change: [String] = []
    @Option(help: ArgumentHelp("Set a label (repeatable).", valueName: "key=value")) var label: [String] = []
    @Option(help: ArgumentHelp("Set an environment variable (repeatable).", valueName: "key=value")) var env: [String] = []
    @Option(help: "The entrypoint: a JSON array or a shell command.") var entrypoint: String?
    @Option(help: "The command: a JSON array or a shell command.") var cmd: String?
    @Option(help: "The user (name or uid[:gid]).") var user: String?
    @Option(help: "The working directory.") var workdir: String?
    @Option(help: "Set the image's os/arch[/variant].") var platform: String?
    @Option(help: ArgumentHelp("Set a manifest annotation (repeatable).", valueName: "key=value")) var annotation: [String] = []
    @Option(name: .shortAndLong, help: "History comment.") var message: String?
    @Argument(help: "The image.", completion: .imageName) var image: String

    /// `key=value` with a non-empty key.
    static func pairs(_ values: [String], option: String) throws -> [(String, String)] {
        try values.map { text in
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw ValidationError("--\(option) \(text): expected key=value")
            }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
    }

    func validate() throws {
        _ = try Self.pairs(label, option: "label")
        _ = try Self.pairs(env, option: "env")
        _ = try Self.pairs(annotation, option: "annotation")
        try OptionChecks.platform(platform)
        try OptionChecks.newName(tag, verb: "mutate")
    }

    func run() throws {
        guarded {
            var o = MutateOptions(reference: tag)
            o.changes = change
            o.labels = try Self.pairs(label, option: "label")
            o.env = try Self.pairs(env, option: "env")
            o.annotations = try Self.pairs(annotation, option: "annotation")
            o.entrypoint = entrypoint
            o.cmd = cmd
            o.user = user
            o.workdir = workdir
            o.platform = platform
            o.message = message
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store), create: false)
            print(try service.mutate(image, options: o))
        }
    }
}
