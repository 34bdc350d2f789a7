import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show an image's history (IMAGE, CREATED, CREATED BY, SIZE, COMMENT), newest first.",
        discussion: "SIZE is the size of the layer blob an entry added; 0B for entries that added no layer.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output.") var noTrunc = false
    @Flag(name: .shortAndLong, help: "Only show image IDs.") var quiet = false
    @Option(help: "table or json.") var format = "table"
    @Argument(help: "An image name or ID, or an address: docker-archive:FILE[:REF], oci:DIR[:REF], oci-archive:FILE[:REF] (read, not loaded).") var image: String

    func run() throws {
        guarded {
            let view = try ImageAddress.open(image, store: storeOptions)
            let img = try view.single()
            let rows = try view.reader(platform: try platformOptions.parsed()).history(of: img, name: image)
            let id = noTrunc ? img.id.description : img.id.shortID
            func ident(_ i: Int) -> String { i == 0 ? id : "<missing>" }
            if quiet { for i in rows.indices { print(ident(i)) }; return }
            if format == "json" {
                for (i, r) in rows.enumerated() {
                    print(jsonLine(["ID": ident(i), "CreatedAt": r.created ?? "", "CreatedSince": created(r.created),
                                    "CreatedBy": r.createdBy, "Size": Human.size(r.size), "Comment": r.comment]))
                }
                return
            }
            var table: [[String]] = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
            for (i, r) in rows.enumerated() {
                var by = r.createdBy.replacingOccurrences(of: "\t", with: " ")
                if !noTrunc && by.count > 45 { by = String(by.prefix(44)) + "…" }
                table.append([ident(i), created(r.created), by, Human.size(r.size), r.comment])
            }
            print(LadingCLI.table(table))
        }
    }

    func created(_ s: String?) -> String {
        guard let d = Human.parseTime(s), d > Date(timeIntervalSince1970: 946_684_800) else { return "N/A" }
        return Human.ago(s)
    }
}

struct ChildrenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "children", abstract: "List images built on an image (their layers extend its layers).")
    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "An image name or ID.") var image: String

    func run() throws {
        guarded {
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store), create: false)
            for c in try service.children(of: image) {
                print("\(c.id.shortID)\t\(c.names.map(\.familiarString).joined(separator: ", "))")
            }
        }
    }
}

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unnamed images (all selected images with -a) and unreachable blobs.",
        discussion: "Without -f (or --dry-run), asks for confirmation on standard output and reads the answer from standard input, a terminal or not, as docker does: y or yes goes ahead; any other answer, or none (end of input, as from /dev/null), removes nothing and exits 0.")
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
            // but yes, end of input included, removes nothing and exits 0.
            if !force && !dryRun && !Confirmation.ask(all ? Confirmation.pruneAllWarning : Confirmation.pruneDanglingWarning) { return }
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store), create: !dryRun)
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

struct DiskUsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "du", abstract: "Show disk usage per image (size, shared, unique) and for the store.")
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "table or json.") var format = "table"

    func run() throws {
        guarded {
            let service = try ImageService(storePath: StoreLocation.resolve(explicit: storeOptions.store), create: false)
            let u = try service.diskUsage()
            if format == "json" {
                print(jsonLine([
                    "Images": u.images.map { i in
                        ["ID": i.image.id.description, "Names": i.image.names.map(\.familiarString), "Size": i.size,
                         "SharedSize": i.sharedSize, "UniqueSize": i.uniqueSize, "CreatedAt": i.created ?? ""] as [String: Any]
                    },
                    "Count": u.images.count, "TotalSize": u.totalSize, "LayersSize": u.layersSize, "Reclaimable": u.reclaimable,
                ]))
                return
            }
            var rows: [[String]] = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE"]]
            for i in u.images {
                let names: [Reference?] = i.image.names.isEmpty ? [nil] : i.image.names
                for n in names {
                    rows.append([n?.familiarName ?? "<none>", n?.tag ?? "<none>", i.image.id.shortID, Human.ago(i.created),
                                 Human.size(i.size), Human.size(i.sharedSize), Human.size(i.uniqueSize)])
                }
            }
            print("Images space usage:\n")
            print(LadingCLI.table(rows))
            print("\nTotal: \(u.images.count) images, \(Human.size(u.totalSize)) (layers \(Human.size(u.layersSize))), reclaimable \(Human.size(u.reclaimable))")
        }
    }
}

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "count", abstract: "Print the number of images in the store.")
    @OptionGroup var storeOptions: StoreOptions
    func run() throws {
        guarded {
            let path = StoreLocation.resolve(explicit: storeOptions.store)
            // No store yet: no images, and nothing created.
            guard FileManager.default.fileExists(atPath: path) else { return print(0) }
            print(try ImageService(storePath: path, create: false).images().count)
        }
    }
}
