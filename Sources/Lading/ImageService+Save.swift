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
        var items: [DockerArchiveWriter.Item] = []
        for n in names {
            let image = try resolve(n)
            let byName = (try? Reference(parsing: n)).map(\.withDefaultTag).flatMap { r in image.names.contains(r) ? r : nil }
            if let i = items.firstIndex(where: { $0.descriptor.digest == image.id }) {
                if let byName, !items[i].names.contains(byName) { items[i].names.append(byName) }
            } else {
                items.append(.init(descriptor: image.descriptor, names: byName.map { [$0] } ?? []))
            }
        }
        try DockerArchiveWriter.write(items, from: layout, sink: sink) { HostPlatform.choose(from: $0) }
    }

    /// Writes the tarball to `path` atomically: a temporary file beside it, renamed when complete.
    public func save(_ names: [String], toFile path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = "\(dir.isEmpty ? "." : dir)/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let sink = try FileSink(creating: tmp, mode: 0o644)
        do {
            try save(names, to: sink)
            try sink.sync()
            if rename(tmp, path) != 0 { throw ArchiveError.errno("cannot rename \(tmp) to \(path)") }
        } catch {
            unlink(tmp)
            throw error
        }
    }
}

/// The platform of this machine, and the choice of a manifest from an index for it.
public enum HostPlatform {
    public static var current: Platform {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: &u.machine) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        switch machine {
        case "x86_64": return Platform(os: "linux", architecture: "amd64")
        case "aarch64": return Platform(os: "linux", architecture: "arm64")
        case let m where m.hasPrefix("armv7"): return Platform(os: "linux", architecture: "arm", variant: "v7")
        default: return Platform(os: "linux", architecture: machine)
        }
    }

    /// The first manifest of `index` for this platform, else the first that is not an attestation.
    public static func choose(from index: ImageIndex) -> Descriptor? {
        let host = current
        let real = index.manifests.filter {
            MediaType.isManifest($0.mediaType) && $0.annotations?[AnnotationKey.referenceType] == nil
                && !($0.platform?.os == "unknown" && $0.platform?.architecture == "unknown")
        }
        return real.first { $0.platform?.os == host.os && $0.platform?.architecture == host.architecture } ?? real.first
    }
}
