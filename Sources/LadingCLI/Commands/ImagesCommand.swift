import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images (REPOSITORY, TAG, IMAGE ID, CREATED, SIZE).",
        discussion: "A --format template runs once per row over docker's fields: .ID, .Repository, .Tag, .Digest, .CreatedSince, .CreatedAt, .Size (human), .SizeBytes (bytes), .VirtualSize, .SharedSize, .UniqueSize, .Containers; --format json prints the same fields, one object per line.")
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .shortAndLong, help: "Only show image IDs.") var quiet = false
    @Flag(name: .shortAndLong, help: "Show all images, pseudo-images too (attestations, signatures, SBOMs, referrers tags), which are hidden by default.") var all = false
    @Flag(help: "Show digests.") var digests = false
    /// Column titles of `table` templates, as docker's.
    static let headers = ["ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST", "CreatedSince": "CREATED",
                          "CreatedAt": "CREATED AT", "Size": "SIZE", "SizeBytes": "SIZE (BYTES)", "VirtualSize": "VIRTUAL SIZE",
                          "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "Containers": "CONTAINERS"]
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate IDs.") var noTrunc = false
    @Option(name: .shortAndLong, help: "Filter: reference=PATTERN, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE.")
    var filter: [String] = []
    @OptionGroup var format: FormatOption<ListingFormats>
    @Argument(help: "Only images whose name matches this repository[:tag] pattern.", completion: .imageName) var repository: String?

    func run() throws {
        guarded {
            var rows: [(details: ImageDetails, name: Reference?)] = []
            // The default store not made yet (nothing loaded): an empty list, and nothing created.
            if let service = try storeOptions.readingService(missingDefaultIsEmpty: true) {
                var filters = try ImageFilter.parse(filter, service: service)
                if let repository { filters.references.append(repository) }
                let reader = ImageReader(source: service.layout)
                for image in try service.images() {
                    // An image whose config cannot be read (an artifact, a sparse index) is
                    // still listed, with what its descriptor says; pseudo-images only with -a.
                    let read = try? service.details(of: image)
                    if !all, reader.isPseudoImage(image, details: read) { continue }
                    let d = read ?? ImageDetails(unreadable: image)
                    guard filters.matches(d) else { continue }
                    if image.names.isEmpty { rows.append((d, nil)) }
                    for n in image.names where filters.matchesName(n) { rows.append((d, n)) }
                }
            }
            // Each date parsed once, not at every comparison.
            rows = rows.map { ($0, Human.parseTime($0.details.config.created) ?? .distantPast) }
                .sorted { $0.1 > $1.1 }.map(\.0)
            func id(_ d: ImageDetails) -> String { noTrunc ? d.image.id.description : d.image.id.shortID }
            if quiet {
                var seen = Set<String>()
                for r in rows where seen.insert(id(r.details)).inserted { print(id(r.details)) }
                return
            }
            let values = rows.map { r in
                TemplateValue.object([
                    "Repository": .string(r.name?.familiarName ?? "<none>"), "Tag": .string(r.name?.tag ?? "<none>"),
                    "ID": .string(id(r.details)), "Digest": .string(r.details.image.id.description),
                    "CreatedAt": .string(r.details.config.created ?? ""), "CreatedSince": .string(Human.ago(r.details.config.created)),
                    "Size": .string(Human.size(r.details.size)), "SizeBytes": .int(r.details.size),
                    "VirtualSize": .string(Human.size(r.details.size)), "SharedSize": .string("N/A"), "UniqueSize": .string("N/A"),
                    "Containers": .string("N/A"),
                ])
            }
            if let text = try RowOutput.render(values, try format.parsed(), headers: Self.headers) { return print(text, terminator: "") }
            var out: [[String]] = [["REPOSITORY", "TAG"] + (digests ? ["DIGEST"] : []) + ["IMAGE ID", "CREATED", "SIZE"]]
            for r in rows {
                out.append([r.name?.familiarName ?? "<none>", r.name?.tag ?? "<none>"]
                    + (digests ? [r.details.image.id.description] : [])
                    + [id(r.details), Human.ago(r.details.config.created), Human.size(r.details.size)])
            }
            print(table(out))
        }
    }
}

/// `images --filter` (docker's keys: reference, dangling, label, before, since).
struct ImageFilter {
    var references: [String] = []
    var dangling: Bool?
    var labels: [(String, String?)] = []
    var before: Date?
    var since: Date?

    static func parse(_ specs: [String], service: ImageService) throws -> ImageFilter {
        var f = ImageFilter()
        for s in specs {
            guard let eq = s.firstIndex(of: "=") else { throw ValidationError("bad format of filter (expected name=value): \(s)") }
            let key = s[..<eq].lowercased(), value = String(s[s.index(after: eq)...])
            switch key {
            case "reference": f.references.append(value)
            case "dangling":
                switch value.lowercased() {
                case "true", "1": f.dangling = true
                case "false", "0": f.dangling = false
                default: throw ValidationError("invalid filter 'dangling=\(value)'")
                }
            case "label":
                if let e = value.firstIndex(of: "=") { f.labels.append((String(value[..<e]), String(value[value.index(after: e)...]))) } else { f.labels.append((value, nil)) }
            case "before", "since":
                let d = try service.details(of: try service.resolve(value))
                let t = Human.parseTime(d.config.created) ?? .distantPast
                if key == "before" { f.before = t } else { f.since = t }
            default: throw ValidationError("invalid filter '\(key)'")
            }
        }
        return f
    }

    func matches(_ d: ImageDetails) -> Bool {
        if let dangling, dangling != d.image.names.isEmpty { return false }
        let labelsHave = d.config.config?.labels ?? [:]
        for (k, v) in labels {
            guard let have = labelsHave[k] else { return false }
            if let v, have != v { return false }
        }
        if before != nil || since != nil {
            let created = Human.parseTime(d.config.created) ?? .distantPast
            if let before, !(created < before) { return false }
            if let since, !(created > since) { return false }
        }
        if !references.isEmpty && !d.image.names.contains(where: matchesName) { return false }
        return true
    }

    func matchesName(_ n: Reference) -> Bool {
        references.isEmpty || references.contains { p in
            fnmatch(p, n.familiarString, 0) == 0 || fnmatch(p, n.familiarName, 0) == 0 || fnmatch(p, n.description, 0) == 0
        }
    }
}
