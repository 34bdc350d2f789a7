import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

extension ImageService {
    /// Writes the named images as one Docker 25+ docker-save tarball to `sink`
    /// (`oci-layout`, `index.json`, `manifest.json`, `repositories`, `blobs/sha256/…`).
    ///
    /// What is saved, as docker saves it: a `NAME:TAG` gives that name only; a
    /// repository without a tag (`busybox`) every tagged image of it; `NAME@DIGEST` the
    /// image under that digested name (`io.containerd.image.name`, as docker 25+ writes it,
    /// so the other side names it); an ID the image unnamed; `all` every named image with
    /// all its names (dangling images left out).
    ///
    /// With `excluding` (the blobs a site has: `BlobInventory`), a delta archive: those
    /// layer blobs are left out and listed in `excluded-blobs.json` (`ExcludedBlobs`).
    /// With a `monitor`, each write to `sink` reports the archive's bytes so far, and a
    /// cancelled monitor stops the save with `CancellationError` (`save(_:all:toFile:)`
    /// then removes its temporary file).
    /// - Returns: the blobs left out.
    /// - Throws: `LadingError.notFound` for an unknown name; `LayoutError` for a missing blob.
    @discardableResult
    public func save(_ names: [String], all: Bool = false, excluding: Set<Digest> = [], to sink: ByteSink) throws -> ExcludedBlobs {
        let items = try archiveItems(names, all: all)
        return try writeArchive(items, excluding: excluding, to: monitor.map { MonitoredSink(sink, $0) } ?? sink)
    }

    /// The images and names `save` writes for `names` (see `save`).
    func archiveItems(_ names: [String], all: Bool) throws -> [ImageRecord] {
        var items: [ImageRecord] = []
        var position: [Digest: Int] = [:]
        func add(_ image: ImageRecord, _ name: Reference?) {
            if let i = position[image.id] {
                if let name, !items[i].names.contains(name) { items[i].names.append(name) }
            } else {
                position[image.id] = items.count
                items.append(.init(descriptor: image.descriptor, names: name.map { [$0] } ?? []))
            }
        }
        let table = NameTable(try layout.readIndex())
        let records = table.records()
        if all {
            for r in records where !r.isDangling { for n in r.names { add(r, n) } }
        }
        var byRepository: [String: [(ImageRecord, Reference)]] = [:]
        for r in records { for n in r.names where n.tag != nil { byRepository[n.name, default: []].append((r, n)) } }
        for text in names {
            let ref = try? Reference(parsing: text)
            if let ref, ref.tag == nil, ref.digest == nil, let tagged = byRepository[ref.name] {
                for (r, n) in tagged { add(r, n) }
                continue
            }
            let image = try Self.find(text, in: table)
            if let ref, let digest = ref.digest, digest == image.id {
                add(image, ref)
                continue
            }
            add(image, ref.map(\.withDefaultTag).flatMap { image.names.contains($0) ? $0 : nil })
        }
        if items.isEmpty { throw LadingError(.notFound, "no image to save: the store has no named image") }
        return items
    }

    /// The store's one road to a docker-save tarball (`save`, and `copy` from the store to
    /// a docker-archive): blobs are written from where they are, each once. With
    /// `platform`, each image is written as that platform's manifest.
    @discardableResult
    func writeArchive(_ items: [ImageRecord], excluding: Set<Digest> = [], to sink: ByteSink) throws -> ExcludedBlobs {
        var items = items
        if let platform {
            items = try items.map { item in
                let d = try details(of: ImageRecord(descriptor: item.descriptor, names: item.names))
                var desc = Descriptor(mediaType: d.manifest.mediaType ?? MediaType.ociManifest, digest: d.manifestDigest,
                                      size: layout.blobSize(d.manifestDigest) ?? 0)
                desc.platform = platform
                return .init(descriptor: desc, names: item.names)
            }
        }
        return try DockerArchiveWriter.write(items, from: layout, sink: sink, verify: true, exclude: excluding)
    }

    /// Writes the tarball to `path` atomically: a temporary file beside it, renamed when
    /// complete; a device or FIFO at `path` (`/dev/null`) is written in place, never replaced.
    /// - Throws: as `save(_:all:to:)`, and `ArchiveError` when `path` cannot be written
    ///   (its temporary file is removed).
    @discardableResult
    public func save(_ names: [String], all: Bool = false, excluding: Set<Digest> = [], toFile path: String) throws -> ExcludedBlobs {
        var record = ExcludedBlobs(blobs: [])
        try OutputFile.write(to: path) { record = try save(names, all: all, excluding: excluding, to: $0) }
        return record
    }
}

/// A sink that reports each write to a monitor first (progress; throws once cancelled).
final class MonitoredSink: ByteSink {
    let sink: ByteSink
    let monitor: TransferMonitor
    init(_ sink: ByteSink, _ monitor: TransferMonitor) {
        self.sink = sink
        self.monitor = monitor
    }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try monitor.advance(bytes.count)
        try sink.write(bytes)
    }
}
