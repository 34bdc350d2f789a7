import ImageSpec

/// An image in the store: one `index.json` target (manifest or index) and its names.
public struct StoredImage: Sendable {
    /// The target descriptor, without name annotations.
    public var descriptor: Descriptor
    /// Its names (normalized, tagged), sorted.
    public var names: [Reference]
    /// The image ID: the target's digest (as docker's containerd store reports it).
    public var id: Digest { descriptor.digest }
}

extension Descriptor {
    /// The name this `index.json` descriptor carries: `io.containerd.image.name`, else a
    /// `ref.name` that is a full reference.
    var storedName: Reference? {
        guard let a = annotations else { return nil }
        if let n = a[AnnotationKey.imageName], let r = try? Reference(parsing: n) { return r.withDefaultTag }
        if let n = a[AnnotationKey.refName], n.contains("/") || n.contains(":"), let r = try? Reference(parsing: n) { return r.withDefaultTag }
        return nil
    }

    /// This descriptor carrying `name` as both annotations, the way containerd and docker write them.
    func named(_ name: Reference?) -> Descriptor {
        var d = self
        var a = d.annotations ?? [:]
        a[AnnotationKey.imageName] = nil
        a[AnnotationKey.refName] = nil
        if let name {
            a[AnnotationKey.imageName] = name.description
            a[AnnotationKey.refName] = name.objectPart
        }
        d.annotations = a.isEmpty ? nil : a
        return d
    }
}
