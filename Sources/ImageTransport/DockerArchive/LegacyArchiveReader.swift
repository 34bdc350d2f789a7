import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// Reads a `docker save` archive of docker 1.9 and older: no `manifest.json`; one
/// directory per layer, `<id>/json` (the v1 image JSON, whose `parent` names the layer
/// below), `<id>/layer.tar` and `<id>/VERSION`; names in `repositories` (repository →
/// tag → layer ID). As docker's legacy loader did (moby image/tarexport/load.go,
/// `legacyLoad`), an image's config is its top layer's JSON without `id`, `parent`,
/// `Size`, `parent_id`, `layer_id` and `throwaway`, plus `rootfs` (`layers`, the diff
/// IDs of the parent chain root first, each the SHA-256 of a `layer.tar` as read) and
/// `history` (one entry per layer from its JSON: `created`, `author`, `created_by` =
/// `container_config.Cmd` joined by spaces, `comment`); keys sorted. For a
/// `docker_version` before 1.8.3 only the v1 image fields are kept (`v1Fields`), as
/// docker's fallback did at the top level (empty and null values left out). An image without
/// `os` gets `linux` (the image spec requires it; docker 1.9 ran nowhere else).
///
/// The images are the layers `repositories` names and the layers no other names as its
/// parent (unnamed); the layers between are not images of their own (docker kept them as
/// parent images, which `docker images` hides). Each layer is read once, however many
/// images share it; each image's config lists its chain (the cost is the layers plus the
/// images' diff IDs).
enum LegacyArchiveReader {
    /// The keys docker's loader drops from a layer's JSON.
    static let dropped: Set<String> = ["id", "parent", "Size", "parent_id", "layer_id", "throwaway"]
    /// The v1 image fields: for a `docker_version` before 1.8.3 docker's loader kept only
    /// these (it read the JSON through its `V1Image` type first), empty strings left out.
    static let v1Fields: Set<String> = ["id", "parent", "comment", "created", "container", "container_config", "docker_version",
                                        "author", "config", "architecture", "variant", "os", "Size"]

    /// Whether dotted version `a` is before `b`, as moby's `versions.LessThan` compares
    /// (numeric parts, a missing or non-numeric part is 0).
    static func isBefore(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: ".").map { Int($0) ?? 0 }, y = b.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? x[i] : 0, q = i < y.count ? y[i] : 0
            if p != q { return p < q }
        }
        return false
    }

    private struct Layer {
        var json: [String: Any]
        var parent: String?
    }

    /// A layer read: its blob descriptor, diff ID and history entry.
    private struct Read {
        var descriptor: Descriptor
        var diffID: String
        var history: [String: Any]
    }

    /// - Throws: `TransportError` naming the entry at fault: `.invalidManifest` for a JSON
    ///   that is not a JSON object, a `created` that is not an RFC 3339 date-time, a
    ///   config the image spec's rules refuse (`ReaderPolicy`) or a parent chain that
    ///   loops, `.missingEntry` for a
    ///   missing parent or `layer.tar` or a name whose layer is absent, `.invalidName` for
    ///   a name in `repositories` that is not a reference; `.layerMismatch` for a layer
    ///   that cannot be decompressed; `ArchiveError.refusedEntry` for a layer entry no
    ///   command accepts.
    static func read(_ files: TarballFiles, platform: Platform? = nil) throws -> LoadPlan {
        let src = files.sourceName
        var layers: [String: Layer] = [:]
        for name in files.entryNames {
            let parts = name.split(separator: "/")
            guard parts.count == 2, parts[1] == "json" else { continue }
            let id = String(parts[0])
            let bytes = try files.readDocument(name, limit: DocumentLimits.manifest)
            guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes)), let json = obj as? [String: Any] else {
                throw TransportError(.invalidManifest, "\(src): \(name): not a JSON object")
            }
            var parent: String?
            switch json["parent"] {
            case nil, is NSNull: parent = nil
            case let p as String: parent = p.isEmpty ? nil : p
            default: throw TransportError(.invalidManifest, "\(src): \(name): parent is not a string")
            }
            layers[id] = Layer(json: json, parent: parent)
        }
        guard !layers.isEmpty else {
            throw TransportError(.unrecognizedFormat, "\(src): not an image archive (no oci-layout, index.json or manifest.json); to make an image of a filesystem tarball, use lading import")
        }

        let plan = LoadPlan()
        // Every layer once: up the parent links to a layer already read or the root, then
        // each layer of that path read root first (so errors name the lowest fault).
        var read: [String: Read] = [:]
        for id in layers.keys.sorted() where read[id] == nil {
            var path: [String] = []
            var seen: Set<String> = []
            var at: String? = id
            while let cur = at, read[cur] == nil {
                guard seen.insert(cur).inserted else {
                    throw TransportError(.invalidManifest, "\(src): \(path.last ?? id)/json: the parent chain loops back to \(cur)")
                }
                path.append(cur)
                at = layers[cur]!.parent
                if let p = at, layers[p] == nil {
                    throw TransportError(.missingEntry, "\(src): \(cur)/json: parent \(p) is not in the archive")
                }
            }
            for cur in path.reversed() { read[cur] = try self.read(cur, layers[cur]!, files: files, plan: plan) }
        }

        // Names: repository → tag → layer ID.
        var names: [String: [Reference]] = [:]
        if files.contains("repositories") {
            let bytes = try files.readDocument("repositories", limit: DocumentLimits.topLevel)
            let repos = try JSON.decode(DockerRepositories.self, from: bytes, what: "\(src): repositories")
            for repo in repos.keys.sorted() {
                for (tag, id) in repos[repo]!.sorted(by: { $0.key < $1.key }) {
                    guard let r = try? Reference(parsing: "\(repo):\(tag)"), r.tag != nil, r.digest == nil else {
                        throw TransportError(.invalidName, "\(src): repositories: invalid name \"\(repo):\(tag)\"")
                    }
                    guard layers[id] != nil else {
                        throw TransportError(.missingEntry, "\(src): repositories: \(repo):\(tag) names layer \(id), which is not in the archive")
                    }
                    if !(names[id] ?? []).contains(r) { names[id, default: []].append(r) }
                }
            }
        }
        let parents = Set(layers.values.compactMap(\.parent))
        let tops = names.keys.sorted { names[$0]!.first!.description < names[$1]!.first!.description }
            + layers.keys.filter { names[$0] == nil && !parents.contains($0) }.sorted()
        for id in tops {
            var chain: [Read] = []
            var at: String? = id
            while let cur = at { chain.append(read[cur]!); at = layers[cur]!.parent }
            chain.reverse()
            var json = layers[id]!.json.filter { !dropped.contains($0.key) }
            if isBefore(json["docker_version"] as? String ?? "", "1.8.3") {
                json = json.filter { v1Fields.contains($0.key) && !($0.value is NSNull) && ($0.value as? String).map { !$0.isEmpty } ?? true }
            }
            if (json["os"] as? String ?? "").isEmpty { json["os"] = "linux" }
            json["rootfs"] = ["type": "layers", "diff_ids": chain.map(\.diffID)] as [String: Any]
            json["history"] = chain.map(\.history)
            let bytes = Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes]))
            try LayerCheck.spec(bytes, as: .config, source: src, what: "\(id)/json (the image's config)", plan: plan)
            let config = try JSON.decode(ImageConfig.self, from: bytes, what: "\(src): \(id)/json")
            if let platform, !PlatformMatcher.only(platform).matches(config.platform) {
                throw TransportError(.notFound, "\(src): image \(id) is \(config.platform), not \(platform)")
            }
            let digest = Digest.sha256(of: bytes)
            plan.generated[digest] = bytes
            let desc = try DockerArchiveReader.manifest(in: plan, config: config,
                                                        at: Descriptor(mediaType: MediaType.ociConfig, digest: digest, size: Int64(bytes.count)),
                                                        layers: chain.map(\.descriptor))
            plan.images.append(ImageRecord(descriptor: desc, names: (names[id] ?? []).sorted()))
        }
        return plan
    }

    /// Layer `id`: its `layer.tar` (hashed as read, added to `plan`) and its history entry.
    private static func read(_ id: String, _ layer: Layer, files: TarballFiles, plan: LoadPlan) throws -> Read {
        let src = files.sourceName
        let path = "\(id)/layer.tar"
        guard files.contains(path) else { throw TransportError(.missingEntry, "\(src): \(path) is not in the archive") }
        let s = try files.stage(path)
        guard let diffID = s.uncompressedDigest else {
            throw TransportError(.layerMismatch, "\(src): \(path) cannot be decompressed: \(s.decompressError ?? "unknown error")")
        }
        if let refusal = s.entryRefusal { throw ArchiveError(.refusedEntry, "\(src): \(path): \(refusal)") }
        let descriptor = Descriptor(mediaType: try DockerArchiveReader.layerMediaType(s, source: src, what: path), digest: s.digest, size: s.size)
        plan.blobs[s.digest] = s
        // v1.HistoryFromConfig: empty fields are left out.
        var h: [String: Any] = [:]
        switch layer.json["created"] {
        case nil, is NSNull: break
        // Docker decoded `created` as a Go time.Time: RFC 3339 or the load failed.
        case let created as String where SpecValidator.isValidDateTime(created): h["created"] = created
        case let x?: throw TransportError(.invalidManifest, "\(src): \(id)/json: created \(String(describing: x).prefix(100).debugDescription) is not an RFC 3339 date-time")
        }
        if let author = layer.json["author"] as? String, !author.isEmpty { h["author"] = author }
        let cmd = ((layer.json["container_config"] as? [String: Any])?["Cmd"] as? [Any])?.compactMap { $0 as? String } ?? []
        if !cmd.isEmpty { h["created_by"] = cmd.joined(separator: " ") }
        if let comment = layer.json["comment"] as? String, !comment.isEmpty { h["comment"] = comment }
        return Read(descriptor: descriptor, diffID: diffID.description, history: h)
    }
}
