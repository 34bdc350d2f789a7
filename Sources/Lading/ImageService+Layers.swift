import Foundation
import ImageLayout
import ImageSpec
import LayerChangeset
import TarArchive

extension ImageService {
    /// A reader over one layer blob of the store (any compression).
    func layerReader(_ d: Descriptor, index: Int) throws -> TarReader {
        guard layout.hasBlob(d.digest) else {
            throw LayoutError(.blobNotFound, "layer \(index) (\(d.digest)) is not in the store")
        }
        return try TarReader(.path(layout.blobPath(d.digest)), name: "layer \(index) (\(d.digest))")
    }

    /// The filesystem an image's layers give, as metadata and content digests, read
    /// from the layer tarballs without unpacking them.
    public func mergedTree(of image: StoredImage) throws -> FileTree {
        let d = try details(of: image)
        let view = MergedView()
        for (i, l) in d.manifest.layers.enumerated() { try view.add(try layerReader(l, index: i)) }
        return view.tree
    }

    /// Applies an image's layers onto `directory` (moby's Mount, offline), securely:
    /// nothing is created, changed or followed outside it. `directory` is created when
    /// missing; an existing one must be a directory (a symlink to one will do).
    /// - Throws: `LadingError.invalidArgument` when `directory` is not a directory or
    ///   cannot be created; `LayerError` naming the layer and entry refused; `LayoutError` for a missing blob.
    public func unpack(_ name: String, into directory: String, options: ApplyOptions = ApplyOptions()) throws {
        let d = try details(of: try resolve(name))
        var st = stat()
        if stat(directory, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else { throw LadingError(.invalidArgument, "unpack: \(directory) is not a directory") }
        } else if errno == ENOTDIR {
            throw LadingError(.invalidArgument, "unpack: \(directory) is not a directory (a parent is a file)")
        } else {
            var prefix = directory.hasPrefix("/") ? "/" : ""
            for c in directory.split(separator: "/") {
                prefix += c
                if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                    throw LadingError(.invalidArgument, "unpack: cannot create directory \(directory): \(String(cString: strerror(errno)))")
                }
                prefix += "/"
            }
        }
        let applier = try LayerApplier(root: directory, options: options)
        for (i, l) in d.manifest.layers.enumerated() { try applier.apply(try layerReader(l, index: i)) }
        try applier.finish()
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
}
