import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "manifest", abstract: "Print an image's manifest or index exactly as stored.",
        discussion: "The bytes are the document's own: `lading manifest NAME | sha256sum` gives the image ID. With --platform, the manifest of that platform is printed from an index. NAME may be an address: docker-archive:FILE[:REF], oci:DIR[:REF], oci-archive:FILE[:REF] (read, not loaded).")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Argument(help: "An image name or ID, or an address.", completion: .imageName) var image: String

    func run() throws {
        guarded {
            let view = try ImageAddress.open(image, store: storeOptions)
            let img = try view.single()
            let reader = view.reader(platform: try platformOptions.parsed())
            var target = img.descriptor
            if reader.platform != nil {
                target = MediaType.isIndex(target.mediaType) ? try reader.chosenManifest(of: img) : try reader.details(of: img).image.descriptor
            }
            ImageAddress.writeRaw(try reader.document(target.digest))
        }
    }
}
