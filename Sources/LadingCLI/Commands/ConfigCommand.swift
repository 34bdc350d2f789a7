import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Print an image's config exactly as stored.",
        discussion: "The bytes are the config blob's own (`lading config NAME | sha256sum` is its digest). From a multi-platform image, --platform picks the manifest (default: this machine's platform, as inspect picks it). NAME may be an address: docker-archive:FILE[:REF], oci:DIR[:REF], oci-archive:FILE[:REF] (read, not loaded).")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @Argument(help: "An image name or ID, or an address.", completion: .imageName) var image: String

    func run() throws {
        guarded {
            let view = try ImageAddress.open(image, store: storeOptions)
            let img = try view.single()
            let reader = view.reader(platform: try platformOptions.parsed())
            let target = try reader.chosenManifest(of: img)
            let m = try JSON.decode(ImageManifest.self, from: try reader.document(target.digest), what: "manifest \(target.digest)")
            if reader.platform != nil, !MediaType.isIndex(img.descriptor.mediaType) { _ = try reader.details(of: img) }
            ImageAddress.writeRaw(try reader.document(m.config.digest))
        }
    }
}
