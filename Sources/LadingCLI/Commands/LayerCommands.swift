import ArgumentParser
import Foundation
import ImageSpec
import Lading
import LayerChangeset

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

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Show the changes from A to B (images or directories) as A/C/D lines.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var format: FormatOption<ReportFormats>
    @Flag(name: .customLong("ignore-timestamps"), help: "Ignore modification times.") var ignoreTimestamps = false
    @Option(help: ArgumentHelp("Leave out paths matching this glob (repeatable).",
        discussion: "Matched with fnmatch(3), no flags, against each path as an absolute path (/var/cache/x) and, for a pattern that does not start with /, also against every tail after a / (var/cache/x, cache/x, x), as tar --exclude does: cache leaves out /cache, /var/cache and /srv/cache; /cache only /cache; var/cache both /var/cache and /x/var/cache. * and ? also match / and a leading dot: *.log is every .log file at any depth, /opt/* everything below /opt. A matching directory is left out with its subtree; with /opt/* the directory /opt itself is still compared.", valueName: "glob"))
    var exclude: [String] = []
    @Flag(name: .short, help: "Separate records with NUL.") var z = false
    @Flag(name: .customLong("exit-code"), help: "Exit 1 when there are changes.") var exitCode = false
    @Argument(help: "The old image or directory.", completion: .imageOrPath) var a: String
    @Argument(help: "The new image or directory.", completion: .imageOrPath) var b: String

    func run() throws {
        var found = false
        guarded {
            let options = ChangeOptions(ignoreTimestamps: ignoreTimestamps, exclude: exclude)
            // Two directories need no store.
            let changes = ImageService.isDirectory(a) && ImageService.isDirectory(b)
                ? try ImageService.changes(betweenDirectories: a, b, options: options)
                : try platformOptions.service(storeOptions, create: false).changes(from: a, to: b, options: options)
            found = !changes.isEmpty
            if case .json = try format.parsed() {
                print(ChangePrinter.json(changes))
            } else if z {
                FileHandle.standardOutput.write(Data(ChangePrinter.nulSeparated(changes)))
            } else if !changes.isEmpty {
                print(ChangePrinter.lines(changes), terminator: ChangePrinter.lines(changes).hasSuffix("\n") ? "" : "\n")
            }
        }
        if exitCode && found { throw ExitCode(1) }
    }
}

/// Options shared by commands that create an image.
struct BuildFlags: ParsableArguments {
    @Option(name: [.short, .customLong("change")], help: "A Dockerfile instruction for the config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR, HEALTHCHECK).")
    var change: [String] = []
    @Option(name: .shortAndLong, help: "History comment.") var message: String?
    @Option(name: .shortAndLong, help: "Author.") var author: String?
    @Option(help: "Layer compression: gzip, zstd or none.") var compression = "gzip"
    @Option(name: .customLong("compression-level"), help: "gzip: 0 (store) to 12, default 6; zstd: 1 to 19, default 3.") var compressionLevel: Int?
    @OptionGroup var layerSize: LayerSizeOption

    func options(reference: String?) throws -> BuildOptions {
        var o = BuildOptions(reference: reference)
        o.changes = change
        o.message = message
        o.author = author
        guard let c = MediaType.LayerCompression(rawValue: compression) else {
            throw ValidationError("--compression must be gzip, zstd or none")
        }
        o.compression = c
        o.compressionLevel = OptionChecks.effectiveLevel(compressionLevel, for: compression)
        o.maxLayerSize = try layerSize.bytes()
        return o
    }

    func validate() throws {
        guard MediaType.LayerCompression(rawValue: compression) != nil else {
            throw ValidationError("--compression must be gzip, zstd or none")
        }
        try OptionChecks.level(compressionLevel, for: compression)
    }
}

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
