import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct TreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tree", abstract: "Show images as trees: an index's platforms, each manifest's digest and size, and what refers to it.",
        discussion: "What refers to a manifest: BuildKit attestation manifests (vnd.docker.reference.digest), manifests whose subject it is (Notary Project signatures, OCI referrers), and cosign sha256-<hex>.sig, .att and .sbom tags and referrers sha256-<hex> tags of the same store or source. NAME may be an address: docker-archive:FILE[:REF], oci:DIR[:REF], oci-archive:FILE[:REF] (read, not loaded; every image of the source without REF).")
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate digests.") var noTrunc = false
    @OptionGroup var format: FormatOption<TreeFormats>
    @Argument(help: "An image name or ID, or an address.", completion: .imageName) var image: String

    func run() throws {
        guarded {
            let view = try ImageAddress.open(image, store: storeOptions)
            let builder = try ImageTreeBuilder(view: view)
            var trees = view.images.map(builder.tree(of:))
            // A whole source: a pseudo-image or an unnamed image shown under another is not shown again.
            if view.images.count > 1 {
                var under: Set<String> = []
                func mark(_ n: TreeNode) { for c in n.manifests + n.referrers { under.insert(c.descriptor.digest.description); mark(c) } }
                trees.forEach(mark)
                let reader = view.reader(platform: nil)
                trees = zip(view.images, trees).filter { !(under.contains($0.0.id.description) && ($0.0.isDangling || reader.isPseudoImage($0.0))) }.map(\.1)
            }
            if case .json = try format.parsed() {
                let data = try JSONSerialization.data(withJSONObject: trees.map(json), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            var rows: [[String]] = [["IMAGE", "ID", "SIZE", "KIND"]]
            for t in trees {
                // A pseudo-image on its own line says what it belongs to.
                let label = (t.names.isEmpty ? "<none>" : t.names.joined(separator: ", ")) + (t.subject.map { " → \(noTrunc ? $0.description : $0.shortID)" } ?? "")
                add(t, label: label, lead: "", rest: "", to: &rows)
            }
            print(table(rows))
        }
    }

    /// One row for `n`, then its manifests and referrers drawn below it.
    func add(_ n: TreeNode, label: String, lead: String, rest: String, to rows: inout [[String]]) {
        let id = noTrunc ? n.descriptor.digest.description : n.descriptor.digest.shortID
        rows.append([lead + label, id, Human.size(n.descriptor.size), n.kind])
        let below = n.manifests.map { ($0, $0.descriptor.platform?.description ?? $0.artifactType ?? $0.kind) }
            + n.referrers.map { ($0, $0.names.first ?? $0.artifactType ?? $0.kind) }
        for (i, (c, l)) in below.enumerated() {
            let last = i == below.count - 1
            add(c, label: l, lead: rest + (last ? "└─ " : "├─ "), rest: rest + (last ? "   " : "│  "), to: &rows)
        }
    }

    func json(_ n: TreeNode) -> [String: Any] {
        var o: [String: Any] = [
            "kind": n.kind, "mediaType": n.descriptor.mediaType, "digest": n.descriptor.digest.description, "size": n.descriptor.size,
        ]
        if !n.names.isEmpty { o["names"] = n.names }
        if let p = n.descriptor.platform { o["platform"] = p.description }
        if let s = n.subject { o["subject"] = s.description }
        if let a = n.artifactType { o["artifactType"] = a }
        if !n.manifests.isEmpty { o["manifests"] = n.manifests.map(json) }
        if !n.referrers.isEmpty { o["referrers"] = n.referrers.map(json) }
        return o
    }
}

/// `tree`: the drawn table, or the trees as one JSON array.
enum TreeFormats: FormatChoices {
    static let names = ["table", "json"]
    static let templates = false
    static let exampleField = ""
}
