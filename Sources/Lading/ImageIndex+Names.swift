import ImageSpec

/// A name that moved from one image to another.
public struct RenamedImage: Sendable, Equatable {
    /// The name that moved.
    public var name: Reference
    /// The image that had it (kept, unnamed, when no other name refers to it).
    public var previous: Digest

    /// docker's line for it: `The image NAME already exists, renaming the old one with ID sha256:… to empty string`.
    public var message: String {
        "The image \(name.familiarString) already exists, renaming the old one with ID \(previous) to empty string"
    }
}

extension ImageIndex {
    /// Gives `name` to the image `target` the way docker does: the name leaves whichever
    /// image had it, and that image, if no other name refers to it any more, stays in the
    /// store as a dangling image (a descriptor without name annotations), as docker's
    /// `moby-dangling@` record keeps it. An unnamed record of `target` itself goes: the
    /// name supersedes it.
    /// - Returns: the image the name was taken from, when it was another image.
    @discardableResult
    mutating func assign(_ name: Reference, to target: Descriptor) -> RenamedImage? {
        let previous = manifests.filter { $0.storedName == name && $0.digest != target.digest }
        manifests.removeAll { $0.storedName == name }
        manifests.removeAll { $0.digest == target.digest && $0.storedName == nil }
        manifests.append(target.named(name))
        var renamed: RenamedImage?
        for old in previous {
            if renamed == nil { renamed = RenamedImage(name: name, previous: old.digest) }
            keepUnnamed(old)
        }
        return renamed
    }

    /// Keeps `target` in the index, unnamed, unless some record of it is already there.
    mutating func keepUnnamed(_ target: Descriptor) {
        if !manifests.contains(where: { $0.digest == target.digest }) {
            manifests.append(target.named(nil))
        }
    }
}
