/// A small trie keyed by path components, holding an optional value per path.
/// Used to remember what the current layer wrote and which directories need their mtime
/// set, with subtree queries and removals.
final class PathTrie<Value> {
    final class Node {
        var value: Value?
        var children: [[UInt8]: Node] = [:]
    }

    let root = Node()

    func insert(_ path: LayerPath, _ value: Value) {
        var n = root
        for c in path.components {
            if let next = n.children[c] { n = next } else {
                let next = Node()
                n.children[c] = next
                n = next
            }
        }
        n.value = value
    }

    func node(_ path: LayerPath) -> Node? {
        var n = root
        for c in path.components {
            guard let next = n.children[c] else { return nil }
            n = next
        }
        return n
    }

    func removeSubtree(_ path: LayerPath) {
        guard let last = path.components.last else {
            root.children = [:]
            root.value = nil
            return
        }
        node(path.parent)?.children.removeValue(forKey: last)
    }

    /// Every path holding a value, parents first.
    func all() -> [(LayerPath, Value)] {
        var out: [(LayerPath, Value)] = []
        func walk(_ n: Node, _ p: LayerPath) {
            if let v = n.value { out.append((p, v)) }
            for (k, c) in n.children { walk(c, p.appending(k)) }
        }
        walk(root, .root)
        return out
    }
}
