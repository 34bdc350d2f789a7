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
