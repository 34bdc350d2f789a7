import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unnamed images (all selected images with -a) and unreachable blobs.",
        discussion: """
        Removes the images no name refers to (with -a, every image the filters select, named or not), then every blob no remaining image reaches, and prints what went and the space reclaimed. --dry-run prints what would go and removes nothing.
        Without -f (or --dry-run), asks for confirmation on standard output and reads one line from standard input, a terminal or not, as docker does: only y or Y (blanks around it ignored) goes ahead; any other answer (yes included), or none (end of input, as from /dev/null), removes nothing and exits 0.
        """)
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .shortAndLong, help: "Remove every image the filters select, not only unnamed ones.") var all = false
    @Option(help: "until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE].") var filter: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Show what would be removed.") var dryRun = false
    @Flag(name: .shortAndLong, help: "Do not prompt for confirmation.") var force = false

    func run() throws {
        guarded {
            var o = PruneOptions()
            o.all = all
            o.dryRun = dryRun
            for f in filter {
                guard let eq = f.firstIndex(of: "=") else { throw ValidationError("bad format of filter (expected name=value): \(f)") }
                var key = String(f[..<eq]), value = String(f[f.index(after: eq)...])
                if key == "label!" || (key == "label" && value.hasPrefix("!")) { key = "label!"; if value.hasPrefix("!") { value.removeFirst() } }
                if key == "label", value.hasPrefix("=") { key = "label!"; value.removeFirst() }
                func kv(_ v: String) -> (String, String?) {
                    if let e = v.firstIndex(of: "=") { return (String(v[..<e]), String(v[v.index(after: e)...])) }
                    return (v, nil)
                }
                switch key {
                case "until": o.until = try parseUntil(value)
                case "label": o.labels.append(kv(value))
                case "label!": o.notLabels.append(kv(value))
                default: throw ValidationError("invalid filter '\(key)'")
                }
            }
            // As docker: the answer is read from standard input, terminal or not; anything
            // but y or Y, end of input included, removes nothing and exits 0.
            let service = try storeOptions.readingService()
            if !force && !dryRun && !Confirmation.ask(all ? Confirmation.pruneAllWarning : Confirmation.pruneDanglingWarning) { return }
            let r = try service.prune(o)
            if !r.untagged.isEmpty || !r.deletedImages.isEmpty {
                print(dryRun ? "Would delete images:" : "Deleted Images:")
                for u in r.untagged { print("\(dryRun ? "would untag" : "untagged"): \(u)") }
                for d in r.deletedImages { print("\(dryRun ? "would delete" : "deleted"): \(d)") }
                print("")
            }
            for (d, _) in r.deletedBlobs { print("\(dryRun ? "would delete" : "deleted") blob: \(d)") }
            print("Total \(dryRun ? "reclaimable" : "reclaimed") space: \(Human.size(r.reclaimed))")
        }
    }

    /// docker's `until`: a Go duration (`24h`, `90m`), RFC 3339, `YYYY-MM-DD[THH[:MM[:SS]]]`, or Unix seconds.
    func parseUntil(_ v: String) throws -> Date {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        if let u = v.last, let mult = units[u], let n = Double(v.dropLast()) { return Date().addingTimeInterval(-n * mult) }
        if let d = parseRFC3339(v) { return d }
        if let secs = Double(v) { return Date(timeIntervalSince1970: secs) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        for fmt in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH", "yyyy-MM-dd"] {
            f.dateFormat = fmt
            if let d = f.date(from: v) { return d }
        }
        throw ValidationError("invalid until value: \(v)")
    }
}
