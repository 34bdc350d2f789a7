import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// Reads images out of a docker-save tarball (legacy or Docker 25+), an oci-archive,
/// or an OCI layout directory, verifying every blob's digest and size and every layer's
/// uncompressed digest against its diff ID.
///
/// Dialect (containerd's precedence, decided after the whole tarball was read, so
/// entry order does not matter): an `oci-layout` with a usable `index.json` is read as an
/// OCI layout and `manifest.json` is ignored; otherwise `manifest.json` is read; a
/// tarball with neither is refused.
public enum ImageLoader {
    /// Options for reading names.
    public struct Options: Sendable {
        /// Repository for images whose `org.opencontainers.image.ref.name` is a bare tag
        /// (umoci and skopeo write those): `REPO:tag`. Without it such images load unnamed.
        public var baseName: String?
        /// Keep only this platform's manifests of multi-platform images (containerd's
        /// `Only` matching); nil keeps every platform present.
        public var platform: Platform?
        /// Refuse any blob whose content, decompressed, is larger than this (bytes);
        /// checked while streaming, so memory and disk stay bounded by it. nil: no cap
        /// for a regular file or a directory, `SizeLimit.streamDefault` for standard
        /// input, a pipe or a device.
        public var maxBlobSize: Int64?
        /// Re-encode layers of another compression while reading them (see
        /// `LoadPlan.recoded`). A tarball's entries are re-encoded as they pass when they
        /// look like layers (compressed, or an uncompressed tar): its manifests may come
        /// last. One that turns out not to be a layer makes the read fail with
        /// `TransportError.recodedNonLayer`; read again with `recodeTarballs` off.
        public var recode: Recode?
        /// Refuse a bare-tag ref.name that could not be part of a docker name (uppercase),
        /// as a load does; a copy keeps it as it is.
        public var refuseUnnamableTags = true
        /// Keep `index.json` entries that are neither manifests nor indexes (a descriptor
        /// of any other type, its blob verified and carried as it is), as a copy of a
        /// whole layout must; a load skips them with a warning.
        public var keepOtherEntries = false
        /// Whether a tarball's entries are re-encoded as they pass (see `recode`); when off,
        /// they are staged as they are and the caller re-encodes the layers afterwards.
        public var recodeTarballs = true
        /// Layout directories and oci-archives: read only the `index.json` entries this
        /// accepts (given the entry and the names read from it); the rest are not read at
        /// all, and a plan without images is returned rather than refused.
        public var select: (@Sendable (Descriptor, [Reference]) -> Bool)?
        /// A delta archive's left-out blobs (`excluded-blobs.json`, `ExcludedBlobs`): taken
        /// from the store read into, each checked there first (a load), or taken as
        /// expected at the destination (`verify` of the archive alone).
        public var excludedBlobs: ExcludedBlobs.Policy = .fromDestination
        /// With `.fromDestination`: hash every left-out blob in the store, even one the
        /// store recorded as hashed since it last changed (`BlobStore.hasCheckedBlob`).
        public var rehashExcluded = false
        public init(baseName: String? = nil, platform: Platform? = nil, maxBlobSize: Int64? = nil, recode: Recode? = nil) {
            self.baseName = baseName
            self.platform = platform
            self.maxBlobSize = maxBlobSize
            self.recode = recode
        }
    }

    /// Reads a tarball (any compression) from `path` (`-` for standard input), a split
    /// set (`OUT.sha256`, or `OUT.000` beside it: `SplitParts`), or a
    /// layout directory, staging blobs into `layout` (a layout's ingest area, or the
    /// tarball being written).
    /// - Throws: `ArchiveError`, `TransportError`, `LayoutError` or `SpecError` naming the
    ///   file, entry or digest at fault.
    public static func read(path: String, into layout: any BlobStore, options: Options = Options()) throws -> LoadPlan {
        // Standard input, a pipe, a device: capped even when no cap was asked for.
        var options = options
        options.maxBlobSize = SizeLimit.effective(options.maxBlobSize, input: path)
        var isDir: ObjCBool = false
        if path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let files = DirectoryFiles(root: path, layout: layout, limit: options.maxBlobSize)
            guard files.contains("oci-layout") else {
                throw TransportError(.unrecognizedFormat, "\(path): directory is not an OCI image layout (no oci-layout file)")
            }
            return try readIndexMode(files, options: options, store: layout)
        }
        if path != "-", let sums = SplitParts.checksumFile(for: path) {
            // A split set: its parts read in order as one stream, each checked as it ends.
            // A read that fails blames the part at fault when there is one (a reordered or
            // altered part is usually met as a damaged stream before its end).
            let source = SplitPartsSource(try SplitParts(checksumFile: sums))
            let files: TarballFiles
            do {
                let reader = try TarReader(.chunks(source), name: sums)
                files = try TarballFiles(reader: reader, layout: layout, sourceName: reader.name, limit: options.maxBlobSize,
                                         recode: options.recodeTarballs ? options.recode : nil,
                                         checkExcludedIn: options.excludedBlobs == .fromDestination ? layout : nil, rehash: options.rehashExcluded)
            } catch {
                try source.finish()
                throw error
            }
            try source.finish()
            return try read(files, options: options, store: layout)
        }
        if path.hasSuffix(".000"), case let stem = String(path.dropLast(4)), FileManager.default.fileExists(atPath: stem + ".001") {
            // The first part of a set whose checksum file is not beside it: read alone, it
            // would fail as a truncated archive.
            throw TransportError(.notFound, "split archive \(path): \(stem).sha256 is missing (a split set is read through its checksum file, which save --split writes beside the parts)")
        }
        let reader = try TarReader(path == "-" ? .fileDescriptor(0) : .path(path), name: path == "-" ? "standard input" : path)
        let files = try TarballFiles(reader: reader, layout: layout, sourceName: reader.name, limit: options.maxBlobSize,
                                     recode: options.recodeTarballs ? options.recode : nil,
                                     checkExcludedIn: options.excludedBlobs == .fromDestination ? layout : nil, rehash: options.rehashExcluded)
        return try read(files, options: options, store: layout)
    }

    static func read(_ files: TarballFiles, options: Options, store: any BlobStore) throws -> LoadPlan {
        let hasLayout = files.contains("oci-layout")
        let hasManifestJSON = files.contains("manifest.json")
        if hasLayout {
            guard files.contains("index.json") else {
                throw TransportError(.unrecognizedFormat, "\(files.sourceName): has oci-layout but no index.json")
            }
            do {
                return try readIndexMode(files, options: options, store: store)
            } catch let e as TransportError where hasManifestJSON && e.code == .invalidIndex {
                // Docker 25 archives edited to `"manifests": null` still carry manifest.json.
                let plan = try DockerArchiveReader.read(files, platform: options.platform)
                plan.warnings.append("\(e.message); read manifest.json instead")
                return plan
            }
        }
        if hasManifestJSON { return try DockerArchiveReader.read(files, platform: options.platform) }
        // docker 1.9 and older: `<id>/json` layer directories and `repositories`.
        return try LegacyArchiveReader.read(files, platform: options.platform)
    }

    static func readIndexMode(_ files: ArchiveFiles, options: Options, store: any BlobStore) throws -> LoadPlan {
        let header = try files.readDocument("oci-layout", limit: DocumentLimits.topLevel)
        let h = try JSON.decode(OCILayoutHeader.self, from: header, what: "\(files.sourceName): oci-layout")
        guard h.imageLayoutVersion == "1.0.0" else {
            throw TransportError(.unsupported, "\(files.sourceName): oci-layout: unsupported imageLayoutVersion \(h.imageLayoutVersion)")
        }
        let indexBytes = try files.readDocument("index.json", limit: DocumentLimits.topLevel)
        let index: ImageIndex
        do {
            index = try JSON.decode(ImageIndex.self, from: indexBytes, what: "\(files.sourceName): index.json")
        } catch let e as SpecError {
            throw TransportError(.invalidIndex, e.message, cause: e.cause)
        }
        let plan = LoadPlan()
        // index.json's own rules (schemaVersion, manifests); each entry's when it is read.
        try LayerCheck.spec(indexBytes, as: .index, source: files.sourceName, what: "index.json", plan: plan, only: { !$0.at.hasPrefix("manifests[") })
        let entryFindings = SpecValidator.validate(indexBytes, as: .index).filter { $0.at.hasPrefix("manifests[") }
        let walker = TreeWalker(files: files, plan: plan)
        walker.platform = options.platform
        walker.recode = options.recode
        try readExcluded(files, options: options, store: store, into: walker)
        var order: [Digest] = []
        var byDigest: [Digest: ImageRecord] = [:]
        for (i, desc) in index.manifests.enumerated() {
            let at = "index.json manifests[\(i)]"
            guard MediaType.isWalkable(desc.mediaType) || options.keepOtherEntries else {
                plan.warnings.append("\(files.sourceName): \(at): skipped unknown media type \(desc.mediaType)")
                continue
            }
            let (names, bare) = try names(of: desc, source: files.sourceName, at: at, options: options)
            if let select = options.select, !select(desc, names) { continue }
            // The entry's descriptor rules (containers/image refuses an invalid media type).
            for f in entryFindings where f.at == "manifests[\(i)]" || f.at.hasPrefix("manifests[\(i)].") {
                let text = "\(files.sourceName): index.json \(f) [\(f.rule.id): \(f.rule.citation)]"
                if ReaderPolicy.refuses(f) { throw TransportError(.invalidManifest, text) }
                plan.warnings.append(text)
            }
            try walker.walk(desc, at: at, top: true)
            if let platform = options.platform, MediaType.isManifest(desc.mediaType) {
                try checkPlatform(of: desc, in: files, wanted: platform)
            }
            var top = desc
            top.annotations = nil
            var record = byDigest[desc.digest] ?? ImageRecord(descriptor: top)
            if byDigest[desc.digest] == nil { order.append(desc.digest) }
            record.names += names.filter { !record.names.contains($0) }
            record.bareTags += bare.filter { !record.bareTags.contains($0) }
            for n in names { record.noteWritten(n, by: desc) }
            byDigest[desc.digest] = record
        }
        plan.images = order.map { byDigest[$0]! }
        if plan.images.isEmpty && options.select == nil {
            throw TransportError(.notFound, "\(files.sourceName): index.json lists no image manifest or index" + (plan.warnings.isEmpty ? "" : " (\(plan.warnings.joined(separator: "; ")))"))
        }
        return plan
    }

    /// A delta archive's `excluded-blobs.json`: the listed blobs the source lacks are
    /// checked in `store` (`ExcludedBlobs.check`, all of them before any is used) and
    /// handed to the walker as present there.
    static func readExcluded(_ files: ArchiveFiles, options: Options, store: any BlobStore, into walker: TreeWalker) throws {
        guard files.contains(ExcludedBlobs.fileName) else { return }
        let record = try ExcludedBlobs.decode(try files.readDocument(ExcludedBlobs.fileName, limit: DocumentLimits.topLevel), source: files.sourceName)
        let absent = ExcludedBlobs(blobs: record.blobs.filter { !files.contains($0.digest.blobPath) })
        if options.excludedBlobs == .fromDestination {
            // Checked while the archive streamed, when its record came before the blobs.
            let problems = (files as? TarballFiles)?.precheck?.wait() ?? absent.problems(in: store, rehash: options.rehashExcluded)
            try absent.report(problems, source: files.sourceName)
        }
        walker.plan.externalRequired = options.excludedBlobs == .fromDestination
        for b in absent.blobs { walker.external[b.digest] = b }
    }

    /// A single-platform image asked for with another `--platform` is an error, as an
    /// index without that platform is.
    static func checkPlatform(of desc: Descriptor, in files: ArchiveFiles, wanted: Platform) throws {
        var p = desc.platform
        if p == nil {
            let m = try JSON.decode(ImageManifest.self, from: try files.readDocument(desc.digest.blobPath, limit: DocumentLimits.manifest), what: "manifest \(desc.digest)")
            guard MediaType.isConfig(m.config.mediaType) else { return }
            let c = try JSON.decode(ImageConfig.self, from: try files.readDocument(m.config.digest.blobPath, limit: DocumentLimits.manifest), what: "config \(m.config.digest)")
            p = c.platform
        }
        if let p, !p.os.isEmpty, !PlatformMatcher.only(wanted).matches(p) {
            throw TransportError(.notFound, "\(files.sourceName): image \(desc.digest) is \(p), not \(wanted)")
        }
    }

    /// Names from `io.containerd.image.name`, else `org.opencontainers.image.ref.name`
    /// (`Descriptor.annotatedNames`), with `--base-name` for bare tags.
    static func names(of desc: Descriptor, source: String, at: String, options: Options) throws -> (names: [Reference], bareTags: [String]) {
        do {
            let said = try desc.annotatedNames(baseName: options.baseName)
            // A load refuses a bare tag that could not be a name (as podman does); a copy
            // carries any ref.name the image spec allows.
            if options.refuseUnnamableTags, let t = said.bareTags.first, t.lowercased() != t {
                do { _ = try Reference(parsing: t) } catch let e as SpecError {
                    throw SpecError(.invalidReference, "annotation \(AnnotationKey.refName): \(e.message)")
                }
            }
            // A digested name names that digest's image: one that says another is refused.
            if let wrong = said.names.first(where: { $0.digest != nil && $0.digest != desc.digest }) {
                throw TransportError(.invalidName, "\(source): \(at): name \(wrong) names another digest than the image's, \(desc.digest)")
            }
            return said
        } catch let e as SpecError {
            // annotatedNames names the annotation at fault.
            throw TransportError(.invalidName, "\(source): \(at): \(e.message)")
        }
    }
}
