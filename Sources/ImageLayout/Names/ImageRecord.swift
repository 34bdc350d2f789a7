import ImageSpec

/// An image as an `index.json` holds it: one target (a manifest or an index) and the
/// names its descriptors carry. The one record of "an image and its names", for the
/// store, a source being read, and an archive or layout being written.
public struct ImageRecord: Sendable, Equatable {
    /// The target descriptor, without name annotations.
    public var descriptor: Descriptor
    /// Its names (normalized references, tagged), sorted.
    public var names: [Reference]
    /// Bare `org.opencontainers.image.ref.name` tags (as umoci and skopeo write, `v2`), and
    /// name annotations that are not references: kept as they are, never parsed as names.
    public var bareTags: [String]
    /// Names that another tool wrote as a full reference in `ref.name` alone (podman,
    /// buildah and skopeo write `oci:DIR:localhost/b:latest` so), with the value as
    /// written. A layout written with `asWritten` keeps them in that form, so that those
    /// tools read the copy by the same `oci:DIR:REF`.
    public var writtenRefNames: [Reference: String]

    public init(descriptor: Descriptor, names: [Reference] = [], bareTags: [String] = [], writtenRefNames: [Reference: String] = [:]) {
        self.descriptor = descriptor
        self.names = names
        self.bareTags = bareTags
        self.writtenRefNames = writtenRefNames
    }

    /// The image ID: the target's digest (as docker's containerd image store reports it).
    public var id: Digest { descriptor.digest }

    /// No annotation names it: no reference, no bare tag (a `ref.name` skopeo or umoci
    /// reads as `oci:STORE:TAG`), no name that is not a valid reference. Only such an image
    /// is what `prune` removes without `-a`: a name lading cannot parse is still somebody's.
    public var isDangling: Bool { names.isEmpty && bareTags.isEmpty }

    /// The same image and names with another target (a converted or re-encoded one).
    public func with(_ descriptor: Descriptor) -> ImageRecord {
        ImageRecord(descriptor: descriptor, names: names, bareTags: bareTags, writtenRefNames: writtenRefNames)
    }

    /// Notes how `entry` (an `index.json` descriptor of this image that says `name`) wrote
    /// it, when it is a full reference in `ref.name` alone.
    public mutating func noteWritten(_ name: Reference, by entry: Descriptor) {
        if let raw = entry.fullReferenceRefName { writtenRefNames[name] = raw }
    }

    /// The `index.json` descriptors that say this record: one per name (both annotations,
    /// as containerd and docker write them), one per bare tag (`ref.name` only), or one
    /// without annotations for an unnamed image.
    public var indexEntries: [Descriptor] { entries(asWritten: false) }

    /// `indexEntries`, with `asWritten` a name in `writtenRefNames` as its `ref.name` as
    /// written (no `io.containerd.image.name`).
    public func entries(asWritten: Bool) -> [Descriptor] {
        if isDangling { return [descriptor.named(nil)] }
        return names.map { n in (asWritten ? writtenRefNames[n] : nil).map { descriptor.tagged($0) } ?? descriptor.named(n) }
            + bareTags.map { descriptor.tagged($0) }
    }
}

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

extension Descriptor {
    /// What the name annotations of an `index.json` descriptor say (image-spec
    /// annotations.md; containerd): `io.containerd.image.name` is the full reference;
    /// else a `ref.name` holding `/`, `:` or `@` is one; else a `ref.name` is a bare tag,
    /// a name only under `baseName` (`REPO:TAG`).
    /// - Throws: `SpecError.invalidReference` naming the annotation for a value that
    ///   should be a reference and is not.
    public func annotatedNames(baseName: String? = nil) throws -> (names: [Reference], bareTags: [String]) {
        let a = annotations ?? [:]
        func parse(_ s: String, _ key: String) throws -> Reference {
            do { return try Reference(parsing: s).withDefaultTag } catch let e as SpecError {
                throw SpecError(.invalidReference, "annotation \(key): \(e.message)")
            }
        }
        if let full = a[AnnotationKey.imageName], !full.isEmpty { return ([try parse(full, AnnotationKey.imageName)], []) }
        guard let ref = a[AnnotationKey.refName], !ref.isEmpty else { return ([], []) }
        if ref.contains("/") || ref.contains(":") || ref.contains("@") { return ([try parse(ref, AnnotationKey.refName)], []) }
        if let baseName { return ([try parse("\(baseName):\(ref)", AnnotationKey.refName)], []) }
        return ([], [ref])
    }

    /// The `ref.name` of an entry that names a full reference there alone (no
    /// `io.containerd.image.name`): how podman, buildah and skopeo write `oci:DIR:REPO:TAG`.
    public var fullReferenceRefName: String? {
        let a = annotations ?? [:]
        guard a[AnnotationKey.imageName]?.isEmpty ?? true, let r = a[AnnotationKey.refName],
              r.contains("/") || r.contains(":") || r.contains("@") else { return nil }
        return r
    }

    /// This descriptor carrying `name` as both annotations, the way containerd and
    /// docker write them (other annotations kept); nil removes both.
    public func named(_ name: Reference?) -> Descriptor {
        var d = self
        var a = d.annotations ?? [:]
        a[AnnotationKey.imageName] = nil
        a[AnnotationKey.refName] = nil
        if let name {
            a[AnnotationKey.imageName] = name.description
            // A digested name has no tag for ref.name (its grammar starts with a letter
            // or digit), as containerd writes it.
            if name.tag != nil { a[AnnotationKey.refName] = name.objectPart }
        }
        d.annotations = a.isEmpty ? nil : a
        return d
    }

    /// This descriptor carrying `tag` as its `ref.name` alone (a bare tag, or an `oci:`
    /// REF as given).
    public func tagged(_ tag: String) -> Descriptor {
        var d = named(nil)
        d.annotations = (d.annotations ?? [:]).merging([AnnotationKey.refName: tag]) { _, b in b }
        return d
    }
}
