import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import LayerChangeset
import TarArchive

/// Options for `import`.
public struct ImportOptions: Sendable {
    /// `keep` stores gzip and zstd input as is and turns anything else into gzip.
    public enum Output: String, Sendable { case keep, gzip, zstd, none }
    public var reference: String?
    public var changes: [String] = []
    /// History comment; default `Imported from <source>`.
    public var message: String?
    /// `os/arch[/variant]`; default the host's.
    public var platform: String?
    public var compression: Output = .keep
    public var compressionLevel: Int?
    /// Refuse input whose decompressed tar stream passes this many bytes (checked while
    /// it streams); nil: no cap for a regular file, `SizeLimit.streamDefault` for
    /// standard input, a pipe or a device.
    public var maxLayerSize: Int64?
    /// Told what was asked for but has no effect (a compression level for input stored as is).
    public var warning: (@Sendable (String) -> Void)?
    public init(reference: String? = nil) { self.reference = reference }
}

extension ImageService {
    /// Turns a filesystem tarball into a one-layer image (docker's `import`, offline).
    ///
    /// The input's compression is recognised by magic bytes. One streaming pass:
    /// decompress → SHA-256 of the tar stream (the diff ID) and a check of every entry
    /// name → compress → SHA-256 of the blob → store. gzip and zstd input is stored byte
    /// for byte unless another compression is asked for. A tarball with duplicate
    /// paths is rewritten as the filesystem it gives when extracted in order (the last
    /// entry of a path wins), in `squash`'s form: each path once, hardlinks keeping the
    /// content they were linked to when their target is replaced later.
    /// - Parameter path: a file, or `-` for standard input.
    /// - Returns: the new image's ID (manifest digest).
    /// - Throws: `ArchiveError` for input that is not a tar or is damaged, `LayerError`
    ///   naming an entry that unpacking would refuse (`RootfsCheck`) or a `.wh.` name,
    ///   `TransportError.tooLarge` past `maxLayerSize`, `LadingError.invalidArgument` for
    ///   more than `SizeLimit.afterEndOfArchive` bytes after the end-of-archive blocks.
    public func importTarball(path: String, options: ImportOptions) throws -> Digest {
        if let r = options.reference { _ = try Self.newImageName(r, verb: "import") }
        let layer = try stageTarball(path: path, options: options)
        let host = Platform.host
        let platform = try options.platform.map { try Platform.parse($0, host: host) } ?? host
        var builder = ImageBuilder(platform: platform)
        builder.append(layer: layer.descriptor, diffID: layer.diffID)
        let now = try ImageBuilder.timestamp()
        builder.config["created"] = now
        builder.history = [["created": now, "comment": options.message ?? "Imported from \(path == "-" ? "-" : path)"]]
        try applyChanges(options.changes, to: &builder)
        return try record(builder, reference: options.reference, verb: "import", staged: [layer.staged])
    }

    /// Stages a filesystem tarball as a layer by `import`'s rules (checked, stored as is or
    /// compressed afresh per `options.compression`, `compressionLevel`, `maxLayerSize`);
    /// `append` adds its layers the same way. The blob stays staged until `record`.
    /// - Returns: the layer's descriptor (OCI media type), diff ID and staged blob.
    /// - Throws: as `importTarball`.
    /// - Parameter whiteouts: the tarball is a layer (`append`): whiteout markers are
    ///   kept, deleting files of the layers below.
    func stageTarball(path: String, options: ImportOptions, whiteouts: Bool = false) throws -> (descriptor: Descriptor, diffID: Digest, staged: any StagedContent) {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ArchiveError.errno("\(path): cannot open") }
        defer { if fd != 0 { close(fd) } }
        let sourceName = path == "-" ? "standard input" : path
        let input = DescriptorSource(fd: fd, name: sourceName)
        let inputCompression = Compression.detect(magic: try input.peek().prefix(8))
        let output: MediaType.LayerCompression
        switch options.compression {
        case .keep: output = inputCompression == .zstd ? .zstd : .gzip
        case .gzip: output = .gzip
        case .zstd: output = .zstd
        case .none: output = .none
        }
        let asIs = (inputCompression == .gzip && output == .gzip) || (inputCompression == .zstd && output == .zstd)
            || (inputCompression == .none && output == .none)
        // The tar stream is counted (nothing past the cap is hashed, compressed or
        // stored) and hashed (the diff ID): by the layer encoder when it is compressed
        // afresh, beside the input's own bytes going to the blob when they are kept.
        let limit = SizeLimit.effective(options.maxLayerSize, input: path)
        // zstd on one worker: this thread decodes the input (xz, bzip2: one core's work),
        // and two workers beside it cost memory (a job ring each) for no speed. The bytes
        // are the same whatever the number of workers.
        let encoder = asIs ? nil : try LayerEncoder(into: layout, compression: Compression(output), level: options.compressionLevel,
                                                    threads: output == .zstd ? 1 : 0, limit: limit, name: sourceName)
        let kept = asIs ? try layout.newBlob() : nil
        let tally = ContentSink(name: sourceName, limit: limit, hash: asIs)
        var contentSinks: [ByteSink] = [tally]
        if let encoder { contentSinks.append(encoder) } else if inputCompression == .none, let kept { contentSinks.append(kept) }
        func dropLayer() { encoder?.abort(); kept?.abort() }
        let check: TarNameCheck
        do {
            let rawTee = TeeChunks(input, sinks: inputCompression != .none ? kept.map { [$0] } ?? [] : [])
            let decoded: ChunkSource = inputCompression == .none ? rawTee : DecodedSource(try TarReader(.chunks(rawTee), mode: .raw, name: sourceName))
            let content = TeeChunks(decoded, sinks: contentSinks)
            let reader = try TarReader(.chunks(content), name: sourceName)
            check = try TarNameCheck.run(reader, source: sourceName, whiteouts: whiteouts)
            // What follows the end-of-archive blocks is hashed with the rest, as docker
            // and containerd do, but only so much of it is read.
            let end = reader.consumed
            while !content.ended {
                _ = try content.nextChunk()
                if tally.count - end > SizeLimit.afterEndOfArchive {
                    throw LadingError(.invalidArgument, "\(sourceName): more than \(SizeLimit.afterEndOfArchive) bytes follow the tar end-of-archive blocks (at byte \(end)); a tarball's padding is less")
                }
            }
            try rawTee.drain()
        } catch {
            dropLayer()
            throw error
        }
        if tally.count == 0 {
            dropLayer()
            throw LadingError(.invalidArgument, "\(sourceName): empty input, not a tar archive")
        }
        var staged: any StagedContent
        var diffID: Digest
        if let encoder {
            (staged, diffID) = try encoder.finish()
        } else {
            staged = try kept!.stageContent()
            diffID = Digest(sha256Hex: tally.digester.finalizeHex())
        }
        if check.hasDuplicates && check.hasWhiteouts {
            // The rewrite below writes the tree the entries give, on nothing: it would
            // drop the markers, and with them the deletions they make below.
            dropLayer()
            throw LadingError(.invalidArgument, "\(sourceName): a layer with whiteout markers must not name a path twice (entry \(check.duplicate ?? "")); write each path once")
        }
        if check.hasDuplicates {
            (staged, diffID) = try rewriteWithoutDuplicates(staged, output: output, level: options.compressionLevel, name: sourceName)
        } else if try asIs && inputCompression == .gzip && !endsWithItsOnlyMember(staged, length: tally.count) {
            // Bytes after the gzip data (or several members): libarchive stops quietly at
            // the first thing that is not a member, Go's gzip reader (docker, skopeo,
            // umoci) fails on it. Compress the tar stream afresh rather than keep them.
            (staged, diffID) = try recompress(staged, output: output, level: options.compressionLevel, name: sourceName)
        } else if asIs, options.compressionLevel != nil {
            let what = inputCompression == .none ? "uncompressed" : inputCompression.rawValue
            options.warning?("--compression-level has no effect: the \(what) input is stored as is (--compression \(options.compression.rawValue))")
        }
        return (Descriptor(mediaType: MediaType.ociLayer(output), digest: staged.digest, size: staged.size), diffID, staged)
    }

    /// The file a layer was staged into (import stages into the store, whose staged blobs
    /// are files in its ingest area).
    private func stagedPath(_ blob: any StagedContent) throws -> String {
        guard let b = blob as? StagedBlob else { throw LadingError(.invalidArgument, "layer \(blob.digest) is not staged in the store") }
        return b.tempPath
    }

    /// Whether a gzip blob ends with the trailer of a single member holding all `length`
    /// bytes: its last four bytes (ISIZE, RFC 1952 §2.3.1) are the length modulo 2^32.
    private func endsWithItsOnlyMember(_ blob: any StagedContent, length: Int64) throws -> Bool {
        let path = try stagedPath(blob)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ArchiveError.errno("cannot open \(path)") }
        defer { close(fd) }
        var isize = [UInt8](repeating: 0, count: 4)
        guard blob.size >= 18, pread(fd, &isize, 4, off_t(blob.size - 4)) == 4 else { return false }
        let n = isize.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        return n == UInt32(truncatingIfNeeded: length)
    }

    /// Decompresses a staged layer and compresses the same tar bytes again (same diff ID).
    private func recompress(_ first: any StagedContent, output: MediaType.LayerCompression, level: Int?, name: String) throws -> (any StagedContent, Digest) {
        let input = try DescriptorSource(opening: try stagedPath(first), name: name)
        do {
            // Its entries were checked on the first pass (`TarNameCheck`).
            let out = try LayerTranscoder(target: Compression(output), level: level).run(input, compression: nil, into: layout, name: name)
            return (out.blob, out.diffID)
        } catch let failure as LayerTranscoder.DecodeFailure {
            throw failure.error
        }
    }

    /// Writes the layer again as the tree its entries give in order, each path once
    /// (`LayerSquasher` over no lower layer). Dropping the earlier entries of a path alone
    /// would not do: a hardlink to a path replaced later would lose its content, entries
    /// below a directory replaced later by a file (or through a symlink replaced later by a
    /// directory) would come back.
    private func rewriteWithoutDuplicates(_ first: any StagedContent, output: MediaType.LayerCompression, level: Int?, name: String) throws -> (any StagedContent, Digest) {
        let path = try stagedPath(first)
        let writer = try LayerBlobWriter(layout: layout, compression: output, level: level)
        do {
            try LayerSquasher().squash(count: 1, open: { _ in try TarReader(.path(path), name: name) }, lower: nil, to: writer.tar)
        } catch {
            writer.abort()
            throw error
        }
        let (_, diffID, staged) = try writer.finish()
        return (staged, diffID)
    }
}

/// Reads every header of a tar stream: refuses what `RootfsCheck` refuses (what unpacking
/// the image would refuse, and `.wh.` names unless `whiteouts`) and notes whether a path
/// comes twice, and whether a whiteout marker came.
struct TarNameCheck {
    var hasDuplicates = false
    var hasWhiteouts = false
    /// The first path that came twice.
    var duplicate: String?

    static func run(_ reader: TarReader, source: String, whiteouts: Bool = false) throws -> TarNameCheck {
        var c = TarNameCheck()
        let rules = RootfsCheck(name: source, whiteouts: whiteouts)
        var seen = Set<LayerPath>()
        while let e = try reader.next() {
            try rules.check(e, reader)
            let p = try LayerPath.clean(e.pathBytes)
            if !seen.insert(p).inserted && !p.isRoot {
                c.hasDuplicates = true
                if c.duplicate == nil { c.duplicate = e.path }
            }
        }
        c.hasWhiteouts = rules.sawWhiteout
        return c
    }
}
