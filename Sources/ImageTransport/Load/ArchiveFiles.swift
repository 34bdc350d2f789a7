import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// The named files of an image source — the entries of a tarball or the files of a
/// layout directory — as the loader sees them.
protocol ArchiveFiles: AnyObject {
    /// The source, for messages.
    var sourceName: String { get }
    /// True when a regular file (or a link to one) has this cleaned name.
    func contains(_ path: String) -> Bool
    /// Reads a small document whole.
    func readDocument(_ path: String, limit: Int) throws -> [UInt8]
    /// The file copied into the store's ingest area (hashed; decompressed digest too).
    func stage(_ path: String) throws -> StagedFile
    /// A layer staged, re-encoded on the way when `recode` asks for it and the source
    /// has not been read yet (a tarball's entries are staged as they pass, as they are).
    func stage(_ path: String, recode: Recode?) throws -> StagedFile
}

extension ArchiveFiles {
    func stage(_ path: String, recode: Recode?) throws -> StagedFile { try stage(path) }
}

/// A tarball read in one streaming pass: every regular file is copied into the store's
/// ingest area as it passes (never extracted under its own name); links are recorded.
final class TarballFiles: ArchiveFiles {
    let sourceName: String
    private(set) var staged: [String: StagedFile] = [:]
    private(set) var documents: [String: [UInt8]] = [:]
    /// Symlinks and hardlinks: cleaned name → (target as written, is hardlink).
    private(set) var links: [String: (target: String, hard: Bool)] = [:]
    /// Compression of the outer stream.
    private(set) var compression: Compression = .none
    /// A delta archive's left-out blobs being checked in the destination store, started
    /// when `excluded-blobs.json` passed (see `init`'s `checkExcludedIn`).
    private(set) var precheck: ExcludedPrecheck?

    /// Names read into memory instead of being staged (read through a 20 MiB cap).
    static let documentNames: Set<String> = ["oci-layout", "index.json", "manifest.json", "repositories", ExcludedBlobs.fileName]

    /// Reads the whole tarball.
    /// - Throws: `ArchiveError` for a damaged stream, `LayoutError` when staging fails.
    /// - Parameter recode: re-encode entries that look like layers (see `looksLikeLayer`).
    /// - Parameter checkExcludedIn: where a delta archive's left-out blobs are checked, on
    ///   another thread, from the moment its `excluded-blobs.json` is read.
    /// - Parameter rehash: hash each of them even when the store recorded a hash of it.
    init(reader: TarReader, layout: any BlobStore, sourceName: String, limit: Int64? = nil, recode: Recode? = nil,
         checkExcludedIn store: (any BlobStore)? = nil, rehash: Bool = false) throws {
        self.sourceName = sourceName
        while let entry = try reader.next() {
            compression = reader.compression
            guard let name = ArchivePath.clean(entry.path), !name.isEmpty else { continue }
            switch entry.kind {
            case .regular:
                links[name] = nil
                if TarballFiles.documentNames.contains(name) {
                    documents[name] = try reader.readAll(limit: DocumentLimits.topLevel)
                    if name == ExcludedBlobs.fileName, let store, precheck == nil {
                        precheck = ExcludedPrecheck(document: documents[name]!, store: store, rehash: rehash)
                    }
                } else {
                    if let limit, entry.size > limit {
                        throw TransportError(.tooLarge, "\(sourceName): \(name) is \(entry.size) bytes, over the limit of \(limit) bytes")
                    }
                    let source = EntrySource(reader)
                    let layer = try recode.flatMap { Self.looksLikeLayer(try source.peek(), target: $0.target) ? $0 : nil }
                    staged[name] = try StagedFile.copy(into: layout, name: "\(sourceName): \(name)", limit: limit,
                                                        sizeHint: entry.size, source: source, recode: layer)
                }
            case .symlink, .hardlink:
                staged[name] = nil
                documents[name] = nil
                links[name] = (entry.link ?? "", entry.kind == .hardlink)
            default:
                continue
            }
        }
    }

    /// Whether an entry starting with `head` is taken for a layer to re-encode into
    /// `target`: compressed with something else, or an uncompressed tar (ustar magic at
    /// offset 257) when `target` is a compression.
    static func looksLikeLayer(_ head: UnsafeRawBufferPointer, target: Compression) -> Bool {
        let found = Compression.detect(magic: Array(head.prefix(8)))
        if found != .none { return found != target }
        return target != .none && head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }

    /// Follows links (one name to the next, at most 40 hops, never above the root).
    func resolve(_ path: String) throws -> String {
        guard var name = ArchivePath.clean(path) else {
            throw TransportError(.unsafeLink, "\(sourceName): \(path) points outside the archive")
        }
        var hops = 0
        while let link = links[name] {
            hops += 1
            if hops > 40 { throw TransportError(.unsafeLink, "\(sourceName): \(path): too many levels of links (loop)") }
            let joined: String
            if link.hard || link.target.hasPrefix("/") {
                joined = link.target
            } else {
                let d = ArchivePath.dir(name)
                joined = d.isEmpty ? link.target : "\(d)/\(link.target)"
            }
            guard let next = ArchivePath.clean(joined), !next.isEmpty else {
                throw TransportError(.unsafeLink, "\(sourceName): link \(name) -> \(link.target) leaves the archive")
            }
            name = next
        }
        return name
    }

    /// Every file and link name read (cleaned), in no order: for readers that find their
    /// entries by pattern (the legacy format's `<id>/json`).
    var entryNames: [String] { Array(staged.keys) + Array(documents.keys) + Array(links.keys) }

    func contains(_ path: String) -> Bool {
        guard let n = try? resolve(path) else { return false }
        return staged[n] != nil || documents[n] != nil
    }

    func readDocument(_ path: String, limit: Int) throws -> [UInt8] {
        let n = try resolve(path)
        if let d = documents[n] { return d }
        guard let s = staged[n] else { throw TransportError(.missingEntry, "\(sourceName): no entry \(path)") }
        if s.size > Int64(limit) {
            throw TransportError(.invalidManifest, "\(sourceName): \(path) is \(s.size) bytes, over the limit of \(limit) bytes")
        }
        return try s.blob.readAll(limit: limit)
    }

    func stage(_ path: String) throws -> StagedFile {
        let n = try resolve(path)
        guard let s = staged[n] else { throw TransportError(.missingEntry, "\(sourceName): no entry \(path)") }
        return s
    }
}

/// An OCI layout directory as a source: files are copied into the store only when
/// the loader asks for them. Never follows a symlink inside the directory.
final class DirectoryFiles: ArchiveFiles {
    let sourceName: String
    let root: String
    let layout: any BlobStore
    private var cache: [String: StagedFile] = [:]
    /// Layers staged re-encoded (never read as documents).
    private var recoded: [String: StagedFile] = [:]

    let limit: Int64?

    init(root: String, layout: any BlobStore, limit: Int64? = nil) {
        self.limit = limit
        self.root = root
        self.sourceName = root
        self.layout = layout
    }

    private func open(_ path: String) throws -> Int32 {
        guard let n = ArchivePath.clean(path), !n.isEmpty else {
            throw TransportError(.unsafeLink, "\(root): \(path) points outside the layout")
        }
        // Resolve component by component without following links.
        var dirfd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd < 0 { throw TransportError(.notFound, "\(root): cannot open: \(String(cString: strerror(errno)))") }
        let parts = n.split(separator: "/").map(String.init)
        for (i, part) in parts.enumerated() {
            let last = i == parts.count - 1
            let fd = openat(dirfd, part, (last ? O_RDONLY : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC)
            let err = errno
            close(dirfd)
            if fd < 0 {
                if err == ELOOP || err == ENOTDIR {
                    throw TransportError(.unsafeLink, "\(root)/\(n): a symlink or non-directory is in the way")
                }
                throw TransportError(.missingEntry, "\(root): no file \(n)")
            }
            dirfd = fd
        }
        var st = stat()
        if fstat(dirfd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG {
            close(dirfd)
            throw TransportError(.missingEntry, "\(root)/\(n) is not a regular file")
        }
        return dirfd
    }

    private static func size(_ fd: Int32) -> Int64? {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int64(st.st_size) : nil
    }

    func contains(_ path: String) -> Bool {
        guard let fd = try? open(path) else { return false }
        close(fd)
        return true
    }

    func readDocument(_ path: String, limit: Int) throws -> [UInt8] {
        if let s = cache[path] { return try s.blob.readAll(limit: limit) }
        let fd = try open(path)
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        if Int(st.st_size) > limit {
            throw TransportError(.invalidManifest, "\(root)/\(path) is \(st.st_size) bytes, over the limit of \(limit) bytes")
        }
        let h = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        return Array(try h.readToEnd() ?? Data())
    }

    func stage(_ path: String) throws -> StagedFile {
        if let s = cache[path] { return s }
        let fd = try open(path)
        defer { close(fd) }
        let s = try StagedFile.copy(into: layout, name: "\(root)/\(path)", limit: limit, sizeHint: Self.size(fd),
                                    source: DescriptorSource(fd: fd, name: "\(root)/\(path)"))
        cache[path] = s
        return s
    }

    func stage(_ path: String, recode: Recode?) throws -> StagedFile {
        guard let recode else { return try stage(path) }
        if let s = cache[path] ?? recoded[path] { return s }
        let fd = try open(path)
        defer { close(fd) }
        let s = try StagedFile.copy(into: layout, name: "\(root)/\(path)", limit: limit,
                                    source: DescriptorSource(fd: fd, name: "\(root)/\(path)"), recode: recode)
        recoded[path] = s
        return s
    }
}
