import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

extension ImageService {
    /// Writes the named images as one Docker 25+ docker-save tarball to `sink`
    /// (`oci-layout`, `index.json`, `manifest.json`, `repositories`, `blobs/sha256/…`).
    ///
    /// A name gives that name only; an ID gives the image unnamed (as docker does).
    /// - Throws: `LadingError.notFound` for an unknown name; `LayoutError` for a missing blob.
    public func save(_ names: [String], to sink: ByteSink) throws {
        var items: [ImageRecord] = []
        var position: [Digest: Int] = [:]
        for (n, image) in zip(names, try resolve(names)) {
            let byName = (try? Reference(parsing: n)).map(\.withDefaultTag).flatMap { r in image.names.contains(r) ? r : nil }
            if let i = position[image.id] {
                if let byName, !items[i].names.contains(byName) { items[i].names.append(byName) }
            } else {
                position[image.id] = items.count
                items.append(.init(descriptor: image.descriptor, names: byName.map { [$0] } ?? []))
            }
        }
        if let platform {
            // One platform: each image is written as that platform's manifest.
            items = try items.map { item in
                let d = try details(of: ImageRecord(descriptor: item.descriptor, names: item.names))
                var desc = Descriptor(mediaType: d.manifest.mediaType ?? MediaType.ociManifest, digest: d.manifestDigest,
                                      size: layout.blobSize(d.manifestDigest) ?? 0)
                desc.platform = platform
                return .init(descriptor: desc, names: item.names)
            }
        }
        try DockerArchiveWriter.write(items, from: layout, sink: sink)
    }

    /// Writes the tarball to `path` atomically: a temporary file beside it, renamed when
    /// complete; a device or FIFO at `path` (`/dev/null`) is written in place, never replaced.
    public func save(_ names: [String], toFile path: String) throws {
        try OutputFile.write(to: path) { try save(names, to: $0) }
    }
}
