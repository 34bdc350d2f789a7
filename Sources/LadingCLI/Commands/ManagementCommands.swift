import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show an image's history (IMAGE, CREATED, CREATED BY, SIZE, COMMENT), newest first.",
        discussion: "SIZE is the size of the layer blob an entry added; 0B for entries that added no layer. A --format template runs once per entry over docker's fields: .ID, .CreatedBy (never cut), .CreatedSince, .CreatedAt, .Size (human), .SizeBytes (bytes), .Comment; --format json prints the same fields, one object per line.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output.") var noTrunc = false
    @Flag(name: .shortAndLong, help: "Only show image IDs.") var quiet = false
    @OptionGroup var format: FormatOption<ListingFormats>
    @Argument(help: "An image name or ID, or an address: docker-archive:FILE[:REF], oci:DIR[:REF], oci-archive:FILE[:REF] (read, not loaded).",
              completion: .imageName) var image: String
    /// Column titles of `table` templates, as docker's.
    static let headers = ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
                          "Size": "SIZE", "SizeBytes": "SIZE (BYTES)", "Comment": "COMMENT"]

    func run() throws {
        guarded {
            let view = try ImageAddress.open(image, store: storeOptions)
            let img = try view.single()
            let rows = try view.reader(platform: try platformOptions.parsed()).history(of: img, name: image)
            let id = noTrunc ? img.id.description : img.id.shortID
            func ident(_ i: Int) -> String { i == 0 ? id : "<missing>" }
            if quiet { for i in rows.indices { print(ident(i)) }; return }
            let values = rows.enumerated().map { i, r in
                TemplateValue.object(["ID": .string(ident(i)), "CreatedAt": .string(r.created ?? ""), "CreatedSince": .string(created(r.created)),
                                      "CreatedBy": .string(r.createdBy), "Size": .string(Human.size(r.size)), "SizeBytes": .int(r.size),
                                      "Comment": .string(r.comment)])
            }
            if let text = try RowOutput.render(values, try format.parsed(), headers: Self.headers) { return print(text, terminator: "") }
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
    @Argument(help: "An image name or ID.", completion: .imageName) var image: String

    func run() throws {
        guarded {
            let service = try storeOptions.readingService()
            for c in try service.children(of: image) {
                print("\(c.id.shortID)\t\(c.names.map(\.familiarString).joined(separator: ", "))")
            }
        }
    }
}

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

struct DiskUsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "du", abstract: "Show disk usage per image (size, shared, unique) and for the store.",
        discussion: """
        --format json prints one object: Images (one entry per image: ID, Names, CreatedAt, CreatedSince, Size, SharedSize, UniqueSize), Count, TotalSize, LayersSize and Reclaimable; each size is given human-readable (Size: "2.01MB") and in bytes (SizeBytes: 2010000).
        A template runs once per row of the table (an image once per name) over .Repository, .Tag, .ID (short), .CreatedAt, .CreatedSince, .Size, .SharedSize, .UniqueSize and the byte counts .SizeBytes, .SharedSizeBytes, .UniqueSizeBytes.
        """)
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var format: FormatOption<ListingFormats>
    static let headers = ["Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
                          "Size": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "SizeBytes": "SIZE (BYTES)",
                          "SharedSizeBytes": "SHARED SIZE (BYTES)", "UniqueSizeBytes": "UNIQUE SIZE (BYTES)"]

    /// A size as `Name` (human) and `NameBytes` (a number).
    static func sizes(_ pairs: [(String, Int64)]) -> [String: TemplateValue] {
        var o: [String: TemplateValue] = [:]
        for (k, v) in pairs { o[k] = .string(Human.size(v)); o[k + "Bytes"] = .int(v) }
        return o
    }

    func run() throws {
        guarded {
            let format = try format.parsed()
            let u = try storeOptions.readingService().diskUsage()
            func common(_ i: ImageUsage) -> [String: TemplateValue] {
                Self.sizes([("Size", i.size), ("SharedSize", i.sharedSize), ("UniqueSize", i.uniqueSize)])
                    .merging(["CreatedAt": .string(i.created ?? ""), "CreatedSince": .string(Human.ago(i.created))]) { a, _ in a }
            }
            if case .json = format {
                let images = u.images.map { i in
                    TemplateValue.object(common(i).merging(["ID": .string(i.image.id.description),
                                                            "Names": .array(i.image.names.map { .string($0.familiarString) })]) { a, _ in a })
                }
                var top = Self.sizes([("TotalSize", u.totalSize), ("LayersSize", u.layersSize), ("Reclaimable", u.reclaimable)])
                top["Images"] = .array(images)
                top["Count"] = .int(Int64(u.images.count))
                return print(TemplateValue.object(top).json)
            }
            var rows: [TemplateValue] = []
            for i in u.images {
                let names: [Reference?] = i.image.names.isEmpty ? [nil] : i.image.names
                for n in names {
                    rows.append(.object(common(i).merging(["Repository": .string(n?.familiarName ?? "<none>"), "Tag": .string(n?.tag ?? "<none>"),
                                                           "ID": .string(i.image.id.shortID)]) { a, _ in a }))
                }
            }
            if let text = try RowOutput.render(rows, format, headers: Self.headers) { return print(text, terminator: "") }
            var table: [[String]] = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE"]]
            for case .object(let r) in rows {
                table.append(["Repository", "Tag", "ID", "CreatedSince", "Size", "SharedSize", "UniqueSize"].map { r[$0]?.printed ?? "" })
            }
            print("Images space usage:\n")
            print(LadingCLI.table(table))
            print("\nTotal: \(u.images.count) images, \(Human.size(u.totalSize)) (layers \(Human.size(u.layersSize))), reclaimable \(Human.size(u.reclaimable))")
        }
    }
}

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
