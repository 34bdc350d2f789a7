import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

/// Options for `copy`.
public struct CopyOptions: Sendable {
    /// nil keeps every blob as it is.
    public var compression: MediaType.LayerCompression?
    public var compressionLevel: Int?
    /// Only this platform's manifests of multi-platform images.
    public var platform: Platform?
    public init() {}
}

/// Copies images between transports (`docker-archive:`, `oci:`, `oci-archive:`, the
/// store). Blobs travel byte for byte unless a recompression is asked for; manifests
/// and indexes are rewritten only when something they point at changed, or, for `oci:`
/// and `oci-archive:` destinations, when they are Docker schema 2 documents: those
/// become OCI image manifests and indexes (image-spec manifest.md, image-index.md;
/// config and layer blobs unchanged), as containers/image writes its `oci:` transport.
/// Every blob is verified on the way (digest, size, diff IDs), as `load` does.
public struct ImageCopier {
    /// The store, for `store:` addresses.
    public let storePath: String

    public init(storePath: String) { self.storePath = storePath }

    /// - Returns: the copied images (top descriptor and names).
    /// - Throws: whatever reading, verifying or writing finds, naming the entry or digest;
    ///   a destination file is written to a temporary name and renamed at the end.
    @discardableResult
    public func copy(from src: TransportAddress, to dst: TransportAddress, options: CopyOptions = CopyOptions()) throws -> [DockerArchiveWriter.Item] {
        // Images are first made present in a layout: the destination's own when it is
        // one, else a temporary layout beside the destination file.
        var temporary: String?
        defer { if let t = temporary { try? FileManager.default.removeItem(atPath: t) } }
        // A destination directory this copy creates is removed again if the copy fails
        // (the topmost directory it had to create); an existing one is never touched.
        var created: String?
        var done = false
        defer { if !done, let c = created { try? FileManager.default.removeItem(atPath: c) } }
        let work: OCILayout
        switch dst {
        case .ociLayout(let dir, _):
            created = Self.topmostMissing(dir)
            work = try OCILayout(root: dir, create: true)
        case .store: work = try OCILayout(root: storePath, create: true)
        case .dockerArchive(let p, _), .ociArchive(let p, _):
            let base = p == "-" ? FileManager.default.temporaryDirectory.path : (p as NSString).deletingLastPathComponent
            let t = "\(base.isEmpty ? "." : base)/.lading-copy-\(UUID().uuidString.prefix(8))"
            temporary = t
            work = try OCILayout(root: t, create: true)
        }
        // Blobs go into a layout before index.json names them: hold the collection lock
        // (shared) until it does, so a prune or rmi meanwhile cannot delete them.
        let items = try work.withCollectionLock(exclusive: false) {
            try copyInto(work, from: src, to: dst, options: options)
        }
        // Blobs this copy brought in that no image needs (other images of the source,
        // layers it re-encoded) are dropped; blobs that were there before are left alone.
        if temporary == nil {
            try work.withCollectionLock(exclusive: true) {
                try work.withLock {
                    let dead = try GarbageCollector.unreachable(work, index: try work.readIndex()).map(\.0)
                    for d in dead where !items.before.contains(d.encoded) { unlink(work.blobPath(d)) }
                }
            }
        }
        done = true
        return items.copied
    }

    private func copyInto(_ work: OCILayout, from src: TransportAddress, to dst: TransportAddress,
                          options: CopyOptions) throws -> (copied: [DockerArchiveWriter.Item], before: Set<String>) {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: work.root + "/blobs/sha256")) ?? [])
        let recode = options.compression.flatMap { Compression(rawValue: $0.rawValue) }.map { Recode(target: $0, level: options.compressionLevel) }
        let (found, recoded, source) = try read(src, into: work, platform: options.platform, compression: options.compression, recode: recode)
        // With --platform, as skopeo without --all: the one manifest, not the index.
        var items = try found.map { i in
            try options.platform.map { i.with(try Self.manifest(for: $0, of: i.descriptor, in: work)) } ?? i
        }
        if let c = options.compression {
            let r = Recompressor(layout: work, target: c, level: options.compressionLevel, recoded: recoded, source: source)
            items = try items.map { $0.with(try r.rewrite($0.descriptor)) }
        }
        // oci: and oci-archive: hold OCI documents only, as skopeo's oci: destination.
        if dst.holdsOCIDocumentsOnly {
            let tree = OCIConversion.tree(in: work)
            items = try items.map { $0.with(try tree.rewrite($0.descriptor)) }
        }
        try write(items, from: work, to: dst)
        return (items, before)
    }

    /// The outermost directory of `path` (itself included) that does not exist yet.
    static func topmostMissing(_ path: String) -> String? {
        var p = URL(fileURLWithPath: path).standardizedFileURL.path
        var missing: String?
        var st = stat()
        while !p.isEmpty, p != "/", lstat(p, &st) != 0 {
            missing = p
            p = (p as NSString).deletingLastPathComponent
        }
        return missing
    }

    typealias Recoded = [Digest: (digest: Digest, size: Int64, compression: Compression)]

    /// - Returns: the images read, the layers re-encoded on the way (see `Recode`), and
    ///   the layout where layers left out of `work` (to be re-encoded) are.
    private func read(_ src: TransportAddress, into work: OCILayout, platform: Platform?, compression: MediaType.LayerCompression?,
                      recode: Recode?) throws -> ([DockerArchiveWriter.Item], Recoded, OCILayout?) {
        switch src {
        case .store(let name):
            let service = try ImageService(storePath: storePath)
            service.platform = platform
            let img = try service.resolve(name)
            let byName = (try? Reference(parsing: name)).map(\.withDefaultTag).flatMap { img.names.contains($0) ? [$0] : nil } ?? img.names
            let top = try platform.map { try Self.manifest(for: $0, of: img.descriptor, in: service.layout) } ?? img.descriptor
            try copyBlobs(of: top, from: service.layout, to: work, skipLayersTo: compression)
            return ([.init(descriptor: top, names: byName)], [:], service.layout)
        case .ociLayout(let dir, let ref):
            let (items, recoded) = try loadFiltered(path: dir, reference: ref, into: work, platform: platform, recode: recode)
            return (items, recoded, nil)
        case .dockerArchive(let p, let ref), .ociArchive(let p, let ref):
            let (items, recoded) = try loadFiltered(path: p, reference: ref, into: work, platform: platform, recode: recode)
            return (items, recoded, nil)
        }
    }

    /// Reads every image of a source, keeping those `reference` selects.
    private func loadFiltered(path: String, reference: String?, into work: OCILayout, platform: Platform?, recode: Recode?) throws -> ([DockerArchiveWriter.Item], Recoded) {
        var options = ImageLoader.Options(platform: platform, recode: recode)
        let wanted = reference.flatMap { try? Reference(parsing: $0).withDefaultTag }
        func named(_ names: [Reference]) -> Bool { names.contains { $0 == wanted || $0.objectPart == reference } }
        if let reference {
            // Only the images asked for are read (and re-encoded): by name, or by a bare
            // tag in ref.name (umoci, skopeo).
            options.select = { d, names in
                names.contains { $0 == wanted || $0.objectPart == reference } || d.annotations?[AnnotationKey.refName] == reference
            }
        }
        let plan = try ImageLoader.read(path: path, into: work, options: options)
        var items = plan.images.map { DockerArchiveWriter.Item(descriptor: $0.descriptor, names: $0.names, bareTags: $0.bareTags) }
        if let reference {
            items = items.filter { named($0.names) }
            if items.isEmpty {
                // A bare tag of an OCI layout (umoci, skopeo): match the ref.name annotation.
                let index = FileManager.default.fileExists(atPath: path + "/index.json")
                    ? try? JSON.decode(ImageIndex.self, from: Array(Data(contentsOf: URL(fileURLWithPath: path + "/index.json"))), what: "index.json") : nil
                let digests = Set(index?.manifests.filter { $0.annotations?[AnnotationKey.refName] == reference }.map(\.digest) ?? [])
                items = plan.images.filter { digests.contains($0.descriptor.digest) }.map { .init(descriptor: $0.descriptor, names: $0.names) }
            }
            guard !items.isEmpty else { throw LadingError(.notFound, "\(path): no image named \(reference)") }
        }
        try plan.install(into: work)
        return (items, plan.recoded)
    }

    private func write(_ items: [DockerArchiveWriter.Item], from work: OCILayout, to dst: TransportAddress) throws {
        func renamed(_ ref: String?, bareAllowed: Bool = false) throws -> [DockerArchiveWriter.Item] {
            guard let ref else { return items }
            guard items.count == 1 else { throw LadingError(.invalidArgument, "\(dst): a destination name needs exactly one source image (got \(items.count))") }
            if bareAllowed && !ref.contains("/") && !ref.contains(":") && !ref.contains("@") {
                return [.init(descriptor: items[0].descriptor, names: [], bareTags: [ref])]
            }
            return [.init(descriptor: items[0].descriptor, names: [try Reference(parsing: ref).withDefaultTag])]
        }
        switch dst {
        case .store(let name):
            let named = try renamed(name.isEmpty ? nil : name)
            // For the concurrency tests: widen the window between installing and naming.
            if let pause = ProcessInfo.processInfo.environment["LADING_TEST_PAUSE_BEFORE_NAMING"].flatMap(Double.init) {
                Thread.sleep(forTimeInterval: pause)
            }
            try work.updateIndex { index in
                for item in named {
                    for n in item.names {
                        index.manifests.removeAll { $0.storedName == n }
                        index.manifests.append(item.descriptor.named(n))
                    }
                    if item.names.isEmpty && !index.manifests.contains(where: { $0.digest == item.descriptor.digest }) {
                        index.manifests.append(item.descriptor)
                    }
                }
            }
        case .ociLayout(_, let ref):
            try work.updateIndex { index in
                for item in items {
                    var d = item.descriptor
                    d.annotations = nil
                    if let ref {
                        // As skopeo and umoci do: ref.name holds the tag given.
                        index.manifests.removeAll { $0.annotations?[AnnotationKey.refName] == ref }
                        d.annotations = [AnnotationKey.refName: ref]
                        if let r = try? Reference(parsing: ref), ref.contains("/") || ref.contains(":") {
                            d.annotations = [AnnotationKey.imageName: r.withDefaultTag.description, AnnotationKey.refName: r.withDefaultTag.objectPart]
                        }
                        index.manifests.append(d)
                    } else if item.names.isEmpty && item.bareTags.isEmpty {
                        if !index.manifests.contains(where: { $0.digest == d.digest }) { index.manifests.append(d) }
                    } else {
                        for n in item.names {
                            index.manifests.removeAll { $0.storedName == n }
                            index.manifests.append(d.named(n))
                        }
                        // Bare tags, as the source's index.json had them.
                        for t in item.bareTags {
                            index.manifests.removeAll { $0.annotations?[AnnotationKey.refName] == t && $0.annotations?[AnnotationKey.imageName] == nil }
                            var x = d
                            x.annotations = [AnnotationKey.refName: t]
                            index.manifests.append(x)
                        }
                    }
                }
            }
        case .dockerArchive(let p, let ref), .ociArchive(let p, let ref):
            let docker: Bool
            if case .dockerArchive = dst { docker = true } else { docker = false }
            let named = try renamed(ref, bareAllowed: !docker)
            try OutputFile.write(to: p) { out in
                try DockerArchiveWriter.write(named, from: work, sink: out, dockerFiles: docker) { HostPlatform.choose(from: $0) }
            }
        }
    }
}

extension TransportAddress {
    /// `oci:` and `oci-archive:`: Docker schema 2 documents are converted on the way in.
    var holdsOCIDocumentsOnly: Bool {
        switch self {
        case .ociLayout, .ociArchive: return true
        case .dockerArchive, .store: return false
        }
    }
}

extension DockerArchiveWriter.Item {
    /// The same image and names with another top descriptor.
    func with(_ descriptor: Descriptor) -> Self { .init(descriptor: descriptor, names: names, bareTags: bareTags) }
}
