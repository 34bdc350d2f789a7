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
