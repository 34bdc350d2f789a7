import ImageLayout
import ImageSpec

/// An image with its layer chain (its config's diff IDs).
typealias Chain = (image: ImageRecord, chain: [Digest], created: String?)

extension ImageService {
    /// Each image's layer chain (its config's diff IDs), for parent/child relations; an
    /// image whose config cannot be read has none (it is nobody's parent or child).
    func chains() throws -> [Chain] {
        try images().map { img in
            let d = try? details(of: img)
            return (img, d?.config.rootfs.diffIDs ?? [], d?.config.created)
        }
    }

    /// Images whose layer chain strictly extends `name`'s (built on it).
    public func children(of name: String) throws -> [ImageRecord] {
        let image = try resolve(name)
        let all = try chains()
        guard let mine = all.first(where: { $0.image.id == image.id })?.chain, !mine.isEmpty else { return [] }
        return all.filter { extends($0.chain, mine) }.map(\.image)
    }

    /// The nearest image whose chain is a strict prefix of `image`'s (its parent), if any.
    func parent(of image: ImageRecord, in all: [Chain]) -> ImageRecord? {
        guard let mine = all.first(where: { $0.image.id == image.id })?.chain else { return nil }
        return all.filter { !$0.chain.isEmpty && $0.chain.count < mine.count && Array(mine.prefix($0.chain.count)) == $0.chain }
            .max { $0.chain.count < $1.chain.count }?.image
    }
}

/// True when `child` is `parent` plus at least one more layer.
func extends(_ child: [Digest], _ parent: [Digest]) -> Bool {
    !parent.isEmpty && child.count > parent.count && Array(child.prefix(parent.count)) == parent
}

/// Parent and child relations of many images at once, as containerd keys layer chains:
/// each prefix of an image's diff IDs has a chain ID (`sha256(parent + " " + diffID)`), so
/// "has children" and "the parent" are dictionary look-ups (O(layers)) instead of a pass
/// over every image; removals keep it current. `rmi` of many names uses it.
struct ChainIndex {
    /// Each image's chain IDs, one per layer prefix.
    private var prefixes: [Digest: [String]] = [:]
    /// Images by the chain ID of their whole chain, in `index.json` order.
    private var byChain: [String: [ImageRecord]] = [:]
    /// For a chain ID, how many present images strictly extend it.
    private var extending: [String: Int] = [:]

    init(_ chains: [Chain]) {
        for c in chains where !c.chain.isEmpty && prefixes[c.image.id] == nil {
            var ids: [String] = []
            var last = ""
            for d in c.chain {
                last = ids.isEmpty ? d.description : Digest.sha256(of: Array("\(last) \(d)".utf8)).description
                ids.append(last)
            }
            prefixes[c.image.id] = ids
            byChain[last, default: []].append(c.image)
            for id in ids.dropLast() { extending[id, default: 0] += 1 }
        }
    }

    /// How many present images are built on `id` (their chains strictly extend its).
    func children(of id: Digest) -> Int {
        guard let last = prefixes[id]?.last else { return 0 }
        return extending[last, default: 0]
    }

    /// The nearest present image whose chain is a strict prefix of `id`'s.
    func parent(of id: Digest) -> ImageRecord? {
        guard let ids = prefixes[id] else { return nil }
        for k in stride(from: ids.count - 2, through: 0, by: -1) {
            if let p = byChain[ids[k]]?.first { return p }
        }
        return nil
    }

    /// The image is gone from the store.
    mutating func remove(_ id: Digest) {
        guard let ids = prefixes.removeValue(forKey: id), let last = ids.last else { return }
        byChain[last]?.removeAll { $0.id == id }
        for p in ids.dropLast() { extending[p, default: 0] -= 1 }
    }
}
