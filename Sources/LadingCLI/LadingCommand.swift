import ArgumentParser
import Foundation
import ImageLayout
import ImageSpec
import Lading

@main
struct LadingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lading",
        abstract: "Load, save and manage container images in OCI layouts and docker-save tarballs, offline.",
        discussion: """
            The store is --store DIR, else $LADING_STORE, else $XDG_DATA_HOME/lading, else \
            ~/.local/share/lading. Errors go to standard error as "Error: ..." with exit status 1; \
            usage errors exit with 2.

            Shell completion (image names from the store, files, directories): \
            lading --generate-completion-script bash|zsh|fish (scripts/install installs all three). \
            The manual: man lading.
            """,
        version: "lading \(ladingVersion)",
        subcommands: [
            LoadCommand.self, SaveCommand.self, ImagesCommand.self, InspectCommand.self,
            TagCommand.self, RmiCommand.self, UnpackCommand.self, DiffCommand.self, CommitCommand.self, SquashCommand.self, ImportCommand.self,
            HistoryCommand.self, ChildrenCommand.self, PruneCommand.self, DiskUsageCommand.self, CountCommand.self, CopyCommand.self, VerifyCommand.self,
            ManifestCommand.self, ConfigCommand.self, TreeCommand.self,
            ExportCommand.self, AppendCommand.self, MutateCommand.self,
            ContentCommand.self, SyncCommand.self,
        ]
    )

    /// Runs the command; usage errors exit with status 2 (argument parsing's own code is 64).
    static func main() {
        SignalCleanup.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            SignalCleanup.waitIfStopping()
            let code = exitCode(for: error)
            if code.rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            Self.exit(withError: error)
        }
    }
}

/// This build's version (`lading --version`).
let ladingVersion = "0.13.0"

/// `--store DIR`, shared by every command that uses the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store (an OCI image layout directory). Default: $LADING_STORE, else $XDG_DATA_HOME/lading.", completion: .directory)
    var store: String?
}

/// Prints an error as `Error: …` on standard error and exits with `code`.
/// Prints `Error: …` and exits: 2 for a usage error (`ValidationError`), else `code`.
func fail(_ error: Error, code: Int32 = 1) -> Never {
    SignalCleanup.waitIfStopping()
    FileHandle.standardError.write(Data("Error: \(visible("\(error)"))\n".utf8))
    exit(error is ValidationError ? 2 : code)
}

/// `s` with control characters (but tabs and line ends) shown as `\u{…}`: a name read
/// from an archive never drives the terminal (an escape sequence in a tag, say).
func visible(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" || $0.value == 0x7F }) else { return s }
    return s.unicodeScalars.map { c in
        c.value < 0x20 && c != "\t" && c != "\n" || c.value == 0x7F ? "\\u{\(String(c.value, radix: 16))}" : String(c)
    }.joined()
}

/// Runs `body`, turning any thrown error into `fail`.
func guarded(_ body: () throws -> Void) {
    do { try body() } catch { fail(error) }
}

func printErr(_ s: String) {
    FileHandle.standardError.write(Data((visible(s) + "\n").utf8))
}

/// `--platform OS/ARCH[/VARIANT]`: which manifest of a multi-platform image to use.
struct PlatformOptions: ParsableArguments {
    @Option(help: "Use this platform's manifest of a multi-platform image (os/arch[/variant]).")
    var platform: String?

    func validate() throws { try OptionChecks.platform(platform) }

    /// The parsed platform (host defaults fill what is left out).
    func parsed() throws -> Platform? {
        try platform.map { try Platform.parse($0, host: .host) }
    }

    /// Opens the store with the platform selected.
    func service(_ store: StoreOptions, create: Bool = true) throws -> ImageService {
        let s = create ? try ImageService(storePath: StoreLocation.resolve(explicit: store.store)) : try store.readingService()
        s.platform = try parsed()
        return s
    }
}
