import ImageSpec

/// The names of an `index.json`, indexed by name and by digest: the only code that
/// edits them. Built once from an index (each entry's annotations read once), each edit
/// costs O(1) amortized, and `index` gives the result, so naming a thousand images costs
/// a thousand steps, not a million.
///
/// The rules are docker's (containerd image store): a name belongs to one image; giving
/// it to another moves it, and the image it left stays, unnamed, when nothing else names
/// it (`moby-dangling@`); an unnamed record of an image goes once a name covers it.
public struct NameTable {
    private var base: ImageIndex
    /// `index.json`'s descriptors in order; nil for one removed.
    private var slots: [Descriptor?] = []
    /// What each slot's annotations say.
    private var said: [(names: [Reference], bareTags: [String])] = []
    private var byName: [Reference: [Int]] = [:]
    /// Slots by their raw `ref.name` annotation.
    private var byRefName: [String: [Int]] = [:]
    private var byDigest: [Digest: [Int]] = [:]
    /// Each image's names, with the number of entries giving each: an image's name count
    /// and whether it is named cost O(1) however many names it has.
    private var namesByDigest: [Digest: [Reference: Int]] = [:]

    /// - Parameter index: `index.json` as read; a name annotation that is not a valid
    ///   reference is kept as written (in `bareTags`); it names nothing.
    public init(_ index: ImageIndex) {
        base = index
        base.manifests = []
        for d in index.manifests { append(d) }
    }

    /// The index with every edit applied, entries in their first order, new ones last.
    public var index: ImageIndex {
        var out = base
        out.manifests = slots.compactMap { $0 }
        return out
    }

    /// Every image (manifest or index target, other entries left out with
    /// `imagesOnly`), grouped by digest in `index.json` order, names sorted.
    public func records(imagesOnly: Bool = true) -> [ImageRecord] {
        var order: [Digest] = []
        var out: [Digest: (record: ImageRecord, names: Set<Reference>, tags: Set<String>)] = [:]
        for (i, slot) in slots.enumerated() {
            guard let d = slot, !imagesOnly || Self.isImage(d) else { continue }
            if out[d.digest] == nil {
                order.append(d.digest)
                out[d.digest] = (ImageRecord(descriptor: d.named(nil)), [], [])
            }
            // Edited in place: a copy per entry would cost the square of an image's names.
            for n in said[i].names where out[d.digest]!.names.insert(n).inserted {
                out[d.digest]!.record.names.append(n)
                out[d.digest]!.record.noteWritten(n, by: d)
            }
            for t in said[i].bareTags where out[d.digest]!.tags.insert(t).inserted { out[d.digest]!.record.bareTags.append(t) }
        }
        return order.compactMap { out[$0]?.record }.map { var r = $0; r.names.sort(); return r }
    }

    /// The record of the image `name` belongs to.
    public func record(named name: Reference) -> ImageRecord? {
        guard let i = byName[name]?.first, let d = slots[i] else { return nil }
        return record(of: d.digest)
    }

    private static func isImage(_ d: Descriptor) -> Bool { MediaType.isIndex(d.mediaType) || MediaType.isManifest(d.mediaType) }

    /// The record of the image (a manifest or index target) with this digest, if
    /// `index.json` holds it.
    public func record(of digest: Digest) -> ImageRecord? {
        guard let first = byDigest[digest]?.first, let d = slots[first], Self.isImage(d) else { return nil }
        var r = ImageRecord(descriptor: d.named(nil))
        var names = Set<Reference>(), tags = Set<String>()
        for i in byDigest[digest] ?? [] {
            for n in said[i].names where names.insert(n).inserted { r.names.append(n); if let e = slots[i] { r.noteWritten(n, by: e) } }
            for t in said[i].bareTags where tags.insert(t).inserted { r.bareTags.append(t) }
        }
        r.names.sort()
        return r
    }

    /// Gives `name` to `target` (docker's tag, load, commit, import): the name leaves any
    /// image that had it, which stays unnamed when nothing else names it (unless
    /// `keepPrevious` is false: an `oci:` layout's REF is replaced, as skopeo does); an
    /// unnamed record of `target` goes.
    /// `refName`, when given, is written as the entry's `ref.name` alone (the name as
    /// another tool wrote it, `ImageRecord.writtenRefNames`) instead of both annotations.
    /// - Returns: the image the name was taken from, when it was another image.
    @discardableResult
    public mutating func assign(_ name: Reference, to target: Descriptor, keepPrevious: Bool = true, refName: String? = nil) -> RenamedImage? {
        var renamed: RenamedImage?
        for i in byName[name] ?? [] {
            guard let old = slots[i] else { continue }
            remove(slot: i)
            if old.digest != target.digest {
                if renamed == nil { renamed = RenamedImage(name: name, previous: old.digest) }
                if keepPrevious { keepUnnamed(old) }
            }
        }
        for i in byDigest[target.digest] ?? [] where said[i].names.isEmpty && said[i].bareTags.isEmpty { remove(slot: i) }
        append(refName.map { target.tagged($0) } ?? target.named(name))
        return renamed
    }

    /// Gives `tag` as a `ref.name` alone (a bare tag, or an `oci:` layout's REF as given,
    /// `repo:tag` included) to `target`: every entry whose `ref.name` is `tag` goes, as
    /// skopeo's and umoci's `oci:` writers replace it.
    public mutating func assign(bareTag tag: String, to target: Descriptor) {
        for i in byRefName[tag] ?? [] { remove(slot: i) }
        for i in byDigest[target.digest] ?? [] where said[i].names.isEmpty && said[i].bareTags.isEmpty { remove(slot: i) }
        append(target.tagged(tag))
    }

    /// Keeps `target` in the index, unnamed, unless some record of it is there already.
    public mutating func keepUnnamed(_ target: Descriptor) {
        if byDigest[target.digest]?.isEmpty ?? true { append(target.named(nil)) }
    }

    /// Adds every entry `record` needs (its names moved to it as `assign` moves them).
    /// With `asWritten`, a name another tool wrote as a full `ref.name` keeps that form
    /// (`ImageRecord.writtenRefNames`): a layout copied whole without a new name.
    /// - Returns: the names taken from other images.
    @discardableResult
    public mutating func add(_ record: ImageRecord, keepPrevious: Bool = true, asWritten: Bool = false) -> [RenamedImage] {
        var renamed: [RenamedImage] = []
        for n in record.names {
            let raw = asWritten ? record.writtenRefNames[n] : nil
            if let r = assign(n, to: record.descriptor, keepPrevious: keepPrevious, refName: raw) { renamed.append(r) }
        }
        for t in record.bareTags { assign(bareTag: t, to: record.descriptor) }
        if record.isDangling { keepUnnamed(record.descriptor) }
        return renamed
    }

    /// Removes `name` from the image `digest` (docker's untag). The image stays only if
    /// another entry still names or keeps it.
    public mutating func untag(_ name: Reference, from digest: Digest) {
        for i in byName[name] ?? [] where slots[i]?.digest == digest { remove(slot: i) }
    }

    /// Whether any entry of `digest` carries a name (a bare tag is not one).
    public func isNamed(_ digest: Digest) -> Bool { namesByDigest[digest] != nil }

    /// The image `name` belongs to (its descriptor, unnamed) and how many names that image
    /// has: O(1), where `record(named:)` lists them all.
    public func image(named name: Reference) -> (descriptor: Descriptor, nameCount: Int)? {
        guard let i = byName[name]?.first, let d = slots[i], Self.isImage(d) else { return nil }
        return (d.named(nil), namesByDigest[d.digest]?.count ?? 0)
    }

    /// Whether any entry has this digest.
    public func contains(_ digest: Digest) -> Bool { !(byDigest[digest]?.isEmpty ?? true) }

    /// Removes every entry of the image `digest`, names and all.
    public mutating func removeImage(_ digest: Digest) {
        for i in byDigest[digest] ?? [] { remove(slot: i) }
    }

    private mutating func append(_ d: Descriptor) {
        let i = slots.count
        slots.append(d)
        var s: (names: [Reference], bareTags: [String])
        do { s = try d.annotatedNames() } catch {
            s = ([], [d.annotations?[AnnotationKey.imageName] ?? d.annotations?[AnnotationKey.refName] ?? ""])
        }
        said.append(s)
        for n in s.names {
            byName[n, default: []].append(i)
            namesByDigest[d.digest, default: [:]][n, default: 0] += 1
        }
        if let r = d.annotations?[AnnotationKey.refName] { byRefName[r, default: []].append(i) }
        byDigest[d.digest, default: []].append(i)
    }

    private mutating func remove(slot i: Int) {
        guard let d = slots[i] else { return }
        slots[i] = nil
        for n in said[i].names {
            Self.drop(i, from: &byName, at: n)
            let left = (namesByDigest[d.digest]?[n] ?? 1) - 1
            namesByDigest[d.digest]?[n] = left > 0 ? left : nil
            if namesByDigest[d.digest]?.isEmpty == true { namesByDigest[d.digest] = nil }
        }
        if let r = d.annotations?[AnnotationKey.refName] { Self.drop(i, from: &byRefName, at: r) }
        Self.drop(i, from: &byDigest, at: d.digest)
    }

    private static func drop<K: Hashable>(_ i: Int, from map: inout [K: [Int]], at key: K) {
        map[key]?.removeAll { $0 == i }
        if map[key]?.isEmpty == true { map[key] = nil }
    }
}
