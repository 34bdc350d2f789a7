import ArgumentParser
import Foundation
import ImageSpec
import Lading

/// Checks of option values made while parsing, so that a bad value is a usage error
/// (exit 2) naming the option, before any work is done.
enum OptionChecks {
    /// `--compression-level` against the compression it is for: gzip 0 to 12, zstd 1 to 19.
    static func level(_ level: Int?, for compression: String) throws {
        guard let level else { return }
        let range: ClosedRange<Int>
        switch compression {
        case "gzip", "keep": range = 0...12
        case "zstd": range = 1...19
        default: return
        }
        guard range.contains(level) else {
            throw ValidationError("--compression-level: \(compression == "keep" ? "gzip" : compression) takes \(range.lowerBound) to \(range.upperBound), not \(level)")
        }
    }

    /// The level to use: nil, with a warning, where the compression takes none.
    static func effectiveLevel(_ level: Int?, for compression: String) -> Int? {
        guard level != nil, compression == "none" else { return level }
        printErr("Warning: --compression-level has no effect with --compression none")
        return nil
    }

    /// `--platform`: must parse as os/arch[/variant].
    static func platform(_ text: String?) throws {
        guard let text else { return }
        do { _ = try Platform.parse(text, host: .host) } catch { throw ValidationError("--platform: \(error)") }
    }

    /// The name of an image `import`, `commit` or `squash` creates: a valid reference
    /// without a digest.
    static func newName(_ text: String?, verb: String) throws {
        guard let text else { return }
        do { _ = try ImageService.newImageName(text, verb: verb) } catch { throw ValidationError("\(error)") }
    }
}
