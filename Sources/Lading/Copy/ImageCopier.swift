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
    /// Refuse any blob whose decompressed content passes this many bytes, read or
    /// re-encoded (checked while it streams; `TransportError.tooLarge`); nil: no cap for
    /// a regular file, a directory or the store, `SizeLimit.streamDefault` for standard
    /// input, a pipe or a device.
    public var maxLayerSize: Int64?
    /// Called with each warning of reading the source (a partial index, a spec rule that
    /// `ReaderPolicy` lets through), as `load` prints them.
    public var warning: (@Sendable (String) -> Void)?
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
    /// Progress (bytes written into the destination's blobs or archive so far) and
    /// cooperative cancellation: a cancelled copy throws `CancellationError` at its next
    /// write and removes what it wrote, as any failed copy does. nil: neither.
    public var monitor: TransferMonitor?

    public init(storePath: String) { self.storePath = storePath }

    /// Copies the images `src` names to `dst`, as `skopeo copy` does between these
    /// transports (image-spec image-layout.md for `oci:`, docker-save for
    /// `docker-archive:`); see `TransportAddress` for the address forms.
    /// - Returns: the copied images (top descriptor and names).
    /// - Throws: whatever reading, verifying or writing finds, naming the entry or digest
    ///   (`LadingError`, `LayoutError`, `TransportError`, `ArchiveError`), or
    ///   `CancellationError` from `monitor`; a destination file is written to a temporary
    ///   name and renamed at the end, a destination directory the copy created is removed.
    @discardableResult
    public func copy(from src: TransportAddress, to dst: TransportAddress, options: CopyOptions = CopyOptions()) throws -> [ImageRecord] {
        let work: OCILayout
        // A destination directory this copy creates is removed again if the copy fails
        // (the topmost directory it had to create); an existing one is never touched.
        var created: String?
        var done = false
        defer { if !done, let c = created { try? FileManager.default.removeItem(atPath: c) } }
        try Self.checkName(of: dst)
        switch dst {
        case .dockerArchive(let p, _), .ociArchive(let p, _):
            return try copyToArchive(p, from: src, to: dst, options: options)
        case .ociLayout(let dir, _):
            created = Self.topmostMissing(dir)
            if let c = created {
                let token = SignalCleanup.register(c)
                defer { SignalCleanup.unregister(token) }
                return try copy(from: src, into: try OCILayout(root: dir, create: true), to: dst, options: options, done: &done)
            }
            work = try OCILayout(root: dir, create: true)
        case .store: work = try OCILayout(root: storePath, create: true)
        }
        // What killed commands left in the ingest area goes first.
        work.cleanAbandonedIngest()
        return try copy(from: src, into: work, to: dst, options: options, done: &done)
    }

    /// Into a layout or the store; `done` set once it succeeded.
    private func copy(from src: TransportAddress, into work: OCILayout, to dst: TransportAddress,
                      options: CopyOptions, done: inout Bool) throws -> [ImageRecord] {
        work.monitor = monitor
        defer { work.monitor = nil }
        // Blobs go into a layout before index.json names them: hold the collection lock
        // (shared) until it does, so a prune or rmi meanwhile cannot delete them.
        var before: Set<String> = []
        // Blobs this copy brought in that no image needs (other images of the source,
        // layers it re-encoded, everything when it failed) are dropped; blobs that were
        // there before are left alone.
        // When some document the index reaches cannot be read, nothing is dropped.
        func dropNewUnreachable() throws {
            try work.withCollectionLock(exclusive: true) {
                try work.withLock {
                    let dead = try work.unreachable(from: try work.readIndex().manifests).map(\.0)
                    for d in dead where !before.contains(d.encoded) { unlink(work.blobPath(d)) }
                }
            }
        }
        let items: [ImageRecord]
        do {
            items = try work.withCollectionLock(exclusive: false) {
                before = Set((try? FileManager.default.contentsOfDirectory(atPath: work.root + "/blobs/sha256")) ?? [])
                let items = try gather(into: work, from: src, to: dst, options: options)
                try writeIndex(items, into: work, to: dst)
                return items
            }
        } catch {
            try? dropNewUnreachable()
            throw error
        }
        // When every blob this copy brought in belongs to the images it named, nothing is
        // left to drop, and the walk from the whole index (which grows with the layout,
        // so a sync of many sources would pay for it once per source) is not needed.
        let brought = Set(((try? FileManager.default.contentsOfDirectory(atPath: work.root + "/blobs/sha256")) ?? []).filter { !before.contains($0) })
        if !brought.isEmpty, !brought.isSubset(of: Set(try Self.reachable(from: items.map(\.descriptor), in: work).map(\.encoded))) {
            try dropNewUnreachable()
        }
        done = true
        return items
    }

    /// Into a tarball: when the output is a regular file, each blob is written into it as
    /// it is read or re-encoded (`TarSpool`). Into a pipe or a device, a layout or the store
    /// is read in place (`ReadThroughStore`) unless layers are re-encoded; blobs of a
    /// tarball, or re-encoded ones, are first gathered in a temporary layout beside the
    /// destination (or in the temporary directory, for standard output).
    private func copyToArchive(_ path: String, from src: TransportAddress, to dst: TransportAddress,
                               options: CopyOptions) throws -> [ImageRecord] {
        var copied: [ImageRecord] = []
        let base = path == "-" ? FileManager.default.temporaryDirectory.path : (path as NSString).deletingLastPathComponent
        // `.lading-copy-PID-…` staging layouts of killed copies go first.
        SignalCleanup.sweep(base) { name in
            guard name.hasPrefix(".lading-copy-") else { return nil }
            return Int32(name.dropFirst(13).prefix { $0 != "-" })
        }
        try OutputFile.write(to: path) { file in
            let out: ByteSink = monitor.map { MonitoredSink(file, $0) } ?? file
            if case .store(let name) = src, case .dockerArchive(_, let ref) = dst, options.compression == nil {
                // The store's one road to a docker-archive, `save`'s.
                let service = try ImageService(storePath: storePath, create: false)
                service.platform = options.platform
                let img = try service.resolve(name)
                let byName = (try? Reference(parsing: name)).map(\.withDefaultTag).flatMap { img.names.contains($0) ? [$0] : nil } ?? img.names
                copied = try named([ImageRecord(descriptor: img.descriptor, names: byName)], as: ref, for: dst)
                try service.writeArchive(copied, to: out)
                return
            }
            if let spool = try TarSpool(sink: file) {
                spool.monitor = monitor
                let items = try gather(into: spool, from: src, to: dst, options: options)
                let written = try spool.finishBlobs(keeping: try Self.reachable(from: items.map(\.descriptor), in: spool))
                copied = try writeArchive(items, from: spool, sink: out, to: dst, written: written)
                return
            }
            if options.compression == nil, let store = try readThrough(src) {
                // A layout (or the store, as `save` does) is written from where it is.
                copied = try writeArchive(try gather(into: store, from: src, to: dst, options: options), from: store, sink: out, to: dst, written: nil)
                return
            }
            let t = "\(base.isEmpty ? "." : base)/.lading-copy-\(getpid())-\(UUID().uuidString.prefix(8))"
            let token = SignalCleanup.register(t)
            defer {
                try? FileManager.default.removeItem(atPath: t)
                SignalCleanup.unregister(token)
            }
            let work = try OCILayout(root: t, create: true)
            let items = try gather(into: work, from: src, to: dst, options: options)
            copied = try writeArchive(items, from: work, sink: out, to: dst, written: nil)
        }
        return copied
    }

    /// The blobs the descriptors' trees name (indexes, manifests, configs, layers;
    /// an index's absent children left out).
    /// - Throws: `LayoutError.invalidDocument` for a document that cannot be read.
    static func reachable(from tops: [Descriptor], in store: any BlobStore) throws -> Set<Digest> {
        var seen: Set<Digest> = []
        var walk = DescriptorWalk(source: store)
        walk.absent = { _ in }
        try walk.visit(tops) { node in
            if case .subject = node.role { return .skip }
            seen.insert(node.descriptor.digest)
            return .descend
        }
        return seen
    }

    /// The store or an `oci:` layout source, read in place; nil for tarball sources.
    private func readThrough(_ src: TransportAddress) throws -> ReadThroughStore? {
        switch src {
        case .store: return ReadThroughStore(layout: try OCILayout(root: storePath, create: false), trusted: true)
        case .ociLayout(let dir, _): return ReadThroughStore(layout: try OCILayout(root: dir, create: false), trusted: false)
        case .dockerArchive, .ociArchive: return nil
        }
    }

    /// Reads the source's images into `work`, re-encoded when asked, one platform's
    /// manifest with `--platform`.
    ///
    /// Rewrites happen before anything is installed: the source's manifests and indexes
    /// are held back (`DocumentOverlay`) and only the final documents the copied images
    /// reach go into `base`, after the blobs they name.
    private func gather(into base: any BlobStore, from src: TransportAddress, to dst: TransportAddress, options: CopyOptions) throws -> [ImageRecord] {
        let recode = options.compression.map { Recode(target: Compression($0), level: options.compressionLevel) }
        let (found, recoded, source, documents) = try read(src, into: base, options: options, recode: recode)
        let work = DocumentOverlay(base: base, sources: documents)
        // With --platform, as skopeo without --all: the one manifest, not the index.
        var items = try found.map { i in
            try options.platform.map { i.with(try Self.manifest(for: $0, of: i.descriptor, in: work)) } ?? i
        }
        if let c = options.compression {
            let r = Recompressor(layout: work, target: c, level: options.compressionLevel, recoded: recoded, source: source, limit: options.maxLayerSize)
            items = try items.map { $0.with(try r.rewrite($0.descriptor)) }
        }
        // oci: and oci-archive: hold OCI documents only, as skopeo's oci: destination.
        if dst.holdsOCIDocumentsOnly {
            let tree = OCIConversion.tree(in: work)
            items = try items.map { $0.with(try tree.rewrite($0.descriptor)) }
        }
        try work.settle(items.map(\.descriptor))
        return items
    }

    /// Refuses, before anything is read, a destination name the destination cannot hold:
    /// an `oci:`/`oci-archive:` REF outside the ref.name grammar (image-spec
    /// annotations.md), a docker-archive or store name with a digest (a tag is needed).
    /// - Throws: `LadingError.invalidArgument` naming the address and the name.
    static func checkName(of dst: TransportAddress) throws {
        switch dst {
        case .ociLayout(_, let r?), .ociArchive(_, let r?):
            guard AnnotationKey.isValidRefName(r) else {
                throw LadingError(.invalidArgument, "\(dst): \"\(r)\" is not a valid reference name (letters, digits and -._:@+ between them, / between components)")
            }
        case .dockerArchive(_, let r?), .store(let r):
            if (try? Reference(parsing: r))?.digest != nil {
                throw LadingError(.invalidArgument, "\(dst): \(r) names a digest; an image name here needs a tag")
            }
        default:
            return
        }
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

    /// - Returns: the images read, the layers re-encoded on the way (see `Recode`), the
    ///   layout where layers left out of `work` (to be re-encoded) are, and where the
    ///   documents held back from `work` are read.
    private func read(_ src: TransportAddress, into work: any BlobStore, options: CopyOptions,
                      recode: Recode?) throws -> ([ImageRecord], Recoded, OCILayout?, [any BlobSource]) {
        let platform = options.platform
        switch src {
        case .store(let name):
            let service = try ImageService(storePath: storePath, create: false)
            service.platform = platform
            let img = try service.resolve(name)
            let byName = (try? Reference(parsing: name)).map(\.withDefaultTag).flatMap { img.names.contains($0) ? [$0] : nil } ?? img.names
            let top = try platform.map { try Self.manifest(for: $0, of: img.descriptor, in: service.layout) } ?? img.descriptor
            try copyBlobs(of: top, from: service.layout, to: work, skipLayersTo: options.compression, documents: false)
            return ([.init(descriptor: top, names: byName)], [:], service.layout, [service.layout])
        case .ociLayout(let dir, let ref):
            let (items, recoded, plan) = try loadFiltered(path: dir, reference: ref, into: work, options: options, recode: recode)
            return (items, recoded, nil, [plan])
        case .dockerArchive(let p, let ref), .ociArchive(let p, let ref):
            let (items, recoded, plan) = try loadFiltered(path: p, reference: ref, into: work, options: options, recode: recode)
            return (items, recoded, nil, [plan])
        }
    }

    /// Reads every image of a source, keeping those `reference` selects.
    /// Installs the blobs read, documents held back (returned in the plan).
    private func loadFiltered(path: String, reference: String?, into work: any BlobStore, options copy: CopyOptions, recode: Recode?) throws -> ([ImageRecord], Recoded, LoadPlan) {
        var options = ImageLoader.Options(platform: copy.platform, maxBlobSize: copy.maxLayerSize, recode: recode)
        options.keepOtherEntries = true
        options.refuseUnnamableTags = false
        if let reference, !reference.hasPrefix("@") {
            let wanted = try? Reference(parsing: reference).withDefaultTag
            // Only the images asked for are read (and re-encoded): by name, or by a bare
            // tag in ref.name (umoci, skopeo).
            options.select = { d, names in
                names.contains { $0 == wanted || $0.objectPart == reference } || d.annotations?[AnnotationKey.refName] == reference
            }
        }
        let plan: LoadPlan
        do {
            plan = try ImageLoader.read(path: path, into: work, options: options)
        } catch let e as TransportError where e.code == .recodedNonLayer && path != "-" {
            // An entry that looked like a layer is not one: read again, every entry as it
            // is; the layers are then re-encoded from where they were staged.
            options.recodeTarballs = false
            plan = try ImageLoader.read(path: path, into: work, options: options)
        }
        let items = try AddressView.select(plan.images, reference: reference, in: path)
        try plan.install(into: work, except: try plan.documents())
        for w in plan.warnings { copy.warning?(w) }
        return (items, plan.recoded, plan)
    }

    /// The items as the destination names them: `dst`'s own name, if it has one,
    /// replaces theirs.
    /// - Throws: `LadingError.invalidArgument` when a name is given for several images.
    private func named(_ items: [ImageRecord], as ref: String?, for dst: TransportAddress) throws -> [ImageRecord] {
        guard let ref else { return items }
        guard items.count == 1 else { throw LadingError(.invalidArgument, "\(dst): a destination name needs exactly one source image (got \(items.count))") }
        return [.init(descriptor: items[0].descriptor, names: [try Reference(parsing: ref).withDefaultTag])]
    }

    /// Writes the rest of a tarball: blobs not `written` yet, `index.json`, and for a
    /// docker-archive `manifest.json` and `repositories`.
    private func writeArchive(_ items: [ImageRecord], from work: any BlobStore, sink: ByteSink,
                              to dst: TransportAddress, written: Set<Digest>?) throws -> [ImageRecord] {
        let docker: Bool
        let ref: String?
        switch dst {
        case .dockerArchive(_, let r): docker = true; ref = r
        case .ociArchive(_, let r): docker = false; ref = r
        default: preconditionFailure("not an archive: \(dst)")
        }
        // An oci-archive's REF is its ref.name as given, as for `oci:` (skopeo alike).
        let named: [ImageRecord]
        if docker || ref == nil {
            named = try self.named(items, as: ref, for: dst)
        } else {
            guard items.count == 1, let r = ref else {
                throw LadingError(.invalidArgument, "\(dst): a destination name needs exactly one source image (got \(items.count))")
            }
            named = [.init(descriptor: items[0].descriptor, names: [], bareTags: [r])]
        }
        try DockerArchiveWriter.write(named, from: work, sink: sink, dockerFiles: docker, written: written)
        return named
    }

    /// Names the copied images in a layout's (or the store's) `index.json`.
    private func writeIndex(_ items: [ImageRecord], into work: OCILayout, to dst: TransportAddress) throws {
        switch dst {
        case .store(let name):
            let named = try self.named(items, as: name.isEmpty ? nil : name, for: dst)
            // For the concurrency tests: widen the window between installing and naming.
            if let pause = ProcessInfo.processInfo.environment["LADING_TEST_PAUSE_BEFORE_NAMING"].flatMap(Double.init) {
                Thread.sleep(forTimeInterval: pause)
            }
            // As load names images: bare tags name nothing in the store.
            try work.updateNames { table in
                for item in named { table.add(ImageRecord(descriptor: item.descriptor, names: item.names)) }
            }
        case .ociLayout(_, let ref):
            // As skopeo and umoci do: ref.name holds REF as given (`repo:tag` too), so that
            // `oci:DIR:REF` reads it back with either tool; a name or tag given again is
            // replaced, the image it left not kept.
            try work.updateNames { table in
                for item in items {
                    var plain = item
                    plain.descriptor.annotations = nil
                    if let ref { plain.names = []; plain.bareTags = [ref]; plain.writtenRefNames = [:] }
                    // Without REF, names stay as the source wrote them (podman's
                    // `localhost/b:latest` ref.name stays one, not containerd's form).
                    table.add(plain, keepPrevious: false, asWritten: true)
                }
            }
        case .dockerArchive, .ociArchive:
            preconditionFailure("archives are written by writeArchive")
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

