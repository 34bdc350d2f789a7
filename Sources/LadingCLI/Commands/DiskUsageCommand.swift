import ArgumentParser
import Foundation
import ImageSpec
import Lading

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
