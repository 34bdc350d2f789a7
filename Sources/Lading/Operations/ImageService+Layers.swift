import Foundation
import ImageLayout
import ImageSpec
import LayerChangeset
import TarArchive

extension ImageService {
    /// One layer blob of the store (any compression), read as a tar stream and hashed as
    /// it is read: after its entries are used, `verified()` checks the blob's digest.
    final class StoreLayer {
        let reader: TarReader
        private let tee: TeeChunks
        private let hash = DigestSink()
        private let digest: Digest
        private let name: String

        private let checks: Bool

        /// - Parameter checks: false reads without hashing (`verified()` then checks
        ///   nothing), for a second pass over a blob a first pass checked.
        init(_ d: Descriptor, name: String, path: String, checks: Bool = true) throws {
            digest = d.digest
            self.name = name
            self.checks = checks
            tee = TeeChunks(try DescriptorSource(opening: path, name: name), sinks: checks ? [hash] : [])
            reader = try TarReader(.chunks(tee), name: name)
        }

        /// Reads what the tar reader left (padding after the end-of-archive blocks) and
        /// checks the digest of all the blob's bytes.
        /// - Throws: `LayoutError.digestMismatch` naming the layer: the store's copy is
        ///   damaged (`verify` reports it; loading the image again repairs it).
        func verified() throws {
            guard checks else { return }
            try tee.drain()
            let actual = Digest(sha256Hex: hash.digester.finalizeHex())
            if actual != digest {
                throw LayoutError(.digestMismatch, "\(name) is damaged in the store: its content has digest \(actual) (load the image again to repair it)")
            }
        }
    }

    /// A layer blob of the store, read and hashed as it is read (`StoreLayer`).
    func storeLayer(_ d: Descriptor, index: Int, checks: Bool = true) throws -> StoreLayer {
        guard layout.hasBlob(d.digest) else {
            throw LayoutError(.blobNotFound, "layer \(index) (\(d.digest)) is not in the store")
        }
        return try StoreLayer(d, name: "layer \(index) (\(d.digest))", path: layout.blobPath(d.digest), checks: checks)
    }

    /// The filesystem an image's layers give, as metadata and content digests, read
    /// from the layer tarballs without unpacking them.
    public func mergedTree(of image: ImageRecord) throws -> FileTree {
        let d = try details(of: image)
        let view = MergedView()
        for (i, l) in d.manifest.layers.enumerated() {
            let layer = try storeLayer(l, index: i)
            try view.add(layer.reader)
            try layer.verified()
        }
        return view.tree
    }

    /// Applies an image's layers onto `directory` (moby's Mount, offline), securely:
    /// nothing is created, changed or followed outside it. `directory` is created (with
    /// its missing parents) when absent; an existing one must be a directory (a symlink
    /// to one will do).
    /// - Throws: `LadingError.invalidArgument` before anything is written when `directory`
    ///   exists and is not a directory (`unpack: DIR exists and is not a directory`), when
    ///   a parent is not one (`unpack: cannot create DIR: PARENT exists and is not a
    ///   directory`) or when it cannot be created; `LayerError` naming the layer and entry
    ///   refused; `LayoutError` for a missing blob; `LadingError.unsupported` for a
    ///   config the image spec's rules refuse (`ReaderPolicy`), an unknown `rootfs.type`
    ///   among them (config.md: unpacking MUST fail), before anything is written.
    public func unpack(_ name: String, into directory: String, options: ApplyOptions = ApplyOptions()) throws {
        let d = try details(of: try resolve(name))
        for f in SpecValidator.validate(try layout.readBlob(d.configDigest), as: .config) where ReaderPolicy.refuses(f) {
            throw LadingError(.unsupported, "unpack: \(name): config \(d.configDigest): \(f) [\(f.rule.id): \(f.rule.citation)]")
        }
        try Self.makeTargetDirectory(directory)
        let applier = try LayerApplier(root: directory, options: options)
        for (i, l) in d.manifest.layers.enumerated() {
            let layer = try storeLayer(l, index: i)
            try applier.apply(layer.reader)
            try layer.verified()
        }
        try applier.finish()
    }

    /// `mkdir -p directory`, refusing a path that exists (symlinks followed) and is not a
    /// directory, a dangling symlink included. Errors name `directory` as given.
    static func makeTargetDirectory(_ directory: String) throws {
        func isDirectory(_ path: String) -> Bool {
            var st = stat()
            return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
        }
        if isDirectory(directory) { return }
        let components = directory.split(separator: "/")
        guard !components.isEmpty else { throw LadingError(.invalidArgument, "unpack: the directory name is empty") }
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for (i, c) in components.enumerated() {
            prefix += c
            if mkdir(prefix, 0o755) != 0 {
                let e = errno
                guard e == EEXIST else {
                    let reason = e == ENOTDIR ? "a parent is not a directory" : String(cString: strerror(e))
                    throw LadingError(.invalidArgument, "unpack: cannot create \(directory): \(reason)")
                }
                if !isDirectory(prefix) {
                    let what = i == components.count - 1 ? "\(directory) exists" : "cannot create \(directory): \(prefix) exists"
                    throw LadingError(.invalidArgument, "unpack: \(what) and is not a directory")
                }
            }
            prefix += "/"
        }
    }

    /// The tree of an image name or of a directory (when `text` names an existing directory).
    public func tree(of text: String) throws -> FileTree {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDir), isDir.boolValue {
            return try DirectoryScanner().scan(text)
        }
        return try mergedTree(of: try resolve(text))
    }

    /// docker's `diff` between two images or directories: A/C/D changes sorted by path.
    public func changes(from a: String, to b: String, options: ChangeOptions = ChangeOptions()) throws -> [Change] {
        TreeComparison.changes(from: try tree(of: a), to: try tree(of: b), options: options)
    }

    /// The same between two directories, which needs no store.
    /// - Throws: `LayerError` when a directory cannot be read.
    public static func changes(betweenDirectories a: String, _ b: String, options: ChangeOptions = ChangeOptions()) throws -> [Change] {
        TreeComparison.changes(from: try DirectoryScanner().scan(a), to: try DirectoryScanner().scan(b), options: options)
    }

    /// Whether `path` is a directory (followed through a symlink).
    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
