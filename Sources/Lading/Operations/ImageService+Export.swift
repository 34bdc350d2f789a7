import Foundation
import ImageLayout
import ImageSpec
import LayerChangeset
import TarArchive

extension ImageService {
    /// Writes the root filesystem an image's layers give as one uncompressed tar stream
    /// (docker's and crane's `export`): `squash` of every layer over nothing, so whiteouts
    /// and opaque directories are applied and never appear, each path comes once, and
    /// hardlinks stay linked.
    ///
    /// Streamed from the layer blobs, never unpacked: a first pass reads the headers to
    /// build the merged view, a second copies the surviving files' content. The output is
    /// deterministic: directories, symlinks, devices and FIFOs sorted by path (parents
    /// first), then regular files layer by layer in stream order, each followed by its
    /// hardlinks; headers carry the layers' owners, modes, mtimes (whole seconds) and
    /// xattrs, no user or group names, no atime or ctime. Sockets are left out.
    /// - Throws: what `resolve` throws for an unknown name; `LayerError` naming the layer
    ///   and entry that unpacking would refuse; `LayoutError.digestMismatch` for a damaged
    ///   layer blob (found before any file content is written); the sink's errors.
    public func export(_ name: String, to sink: ByteSink) throws {
        let d = try details(of: try resolve(name))
        let layers = d.manifest.layers
        let writer = try TarWriter(sink: sink, name: "the filesystem of \(name)")
        // The first pass opens every layer in order and hashes it; its digests are checked
        // when the second pass starts, before any file content is copied. The second pass
        // reads the same immutable blobs without hashing them again.
        var firstPass: [StoreLayer] = []
        var checked = false
        func checkFirstPass() throws {
            if !checked { for layer in firstPass { try layer.verified() } }
            checked = true
        }
        try LayerSquasher().squash(count: layers.count, open: { i in
            if firstPass.count < layers.count {
                let layer = try self.storeLayer(layers[i], index: i)
                firstPass.append(layer)
                return layer.reader
            }
            try checkFirstPass()
            return try self.storeLayer(layers[i], index: i, checks: false).reader
        }, lower: nil, to: writer)
        try checkFirstPass()
        try writer.finish()
    }

    /// `export` into the file `path` (written to a temporary name and renamed at the end:
    /// a failure leaves no partial file), or standard output for `-`.
    public func export(_ name: String, toFile path: String) throws {
        _ = try resolve(name)
        try OutputFile.write(to: path) { sink in
            sink.hashing = false
            try export(name, to: sink)
        }
    }
}
