import ArgumentParser
import Foundation
import ImageSpec
import Lading

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
