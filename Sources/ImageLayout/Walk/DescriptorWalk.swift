import ImageSpec

/// Where a walk reads documents from: a store, a layout, an archive being read.
public protocol BlobSource: AnyObject {
    /// The blob's size in bytes, or nil when it is absent.
    func blobSize(_ d: Digest) -> Int64?
    /// Reads a small blob whole, checking its digest.
    /// - Throws: `LayoutError` `.blobNotFound`, `.tooLarge`, `.digestMismatch`.
    func readBlob(_ d: Digest, limit: Int) throws -> [UInt8]
}

/// The one walk over image graphs (image-spec image-index.md, manifest.md): from the
/// descriptors of `index.json` through nested indexes to manifests, then to each
/// manifest's config and layers (an OCI 1.1-rc artifact manifest's `blobs`), and to the
/// `subject` of any of them. A manifest type it cannot go below
/// (`MediaType.isUnwalkableManifest`) goes to `unreadable` with `.unsupported`.
///
/// Every descriptor met is handed to `body` first (pre-order, once per path that meets
/// it), which answers whether to go below it; a document is read and gone below once,
/// at the first path, so the cost is linear in the size of the graph. Below an index or a manifest the walk reads and decodes the document
/// (at most `DocumentLimits.manifest` bytes, digest checked) and **throws** when it
/// cannot: a store must never act (collect, verify, convert) on a guess of what a
/// document it could not read refers to. A document absent from the source is an error
/// when `index.json` names it directly, and skipped under an index (a sparse index, as
/// docker's save writes one), unless `absent` says otherwise.
public struct DescriptorWalk {
    /// What `body` answers for a descriptor.
    public enum Step: Sendable { case descend, skip }

    /// How a descriptor was reached.
    public enum Role: Sendable, Equatable {
        /// Named by the list the walk started from (`index.json`'s `manifests`).
        case root(Int)
        /// `manifests[i]` of an index.
        case child(Int)
        case config
        /// `layers[i]` of a manifest, or `blobs[i]` of an OCI 1.1-rc artifact manifest.
        case layer(Int)
        case subject
    }

    /// A descriptor met by the walk.
    public struct Node {
        public let descriptor: Descriptor
        public let role: Role
        /// Where it was met, for messages: `index.json manifests[2] > manifests[0] > config`.
        public let path: String
        /// 0 for a root; +1 per document passed.
        public let depth: Int
        /// The document that named it (nil for a root).
        public let parent: Document?
    }

    /// A decoded document, with its exact bytes.
    public enum Document {
        case index(ImageIndex, bytes: [UInt8])
        case manifest(ImageManifest, bytes: [UInt8])
        /// An OCI 1.1-rc artifact manifest: its `blobs` are met with role `.layer(i)`.
        case artifact(ArtifactManifest, bytes: [UInt8])
    }

    /// Indexes and manifests nested deeper than this (a root is depth 0) are an error.
    public static let maxDepth = 8

    public let source: any BlobSource
    /// When set, only an index's manifests for this platform (no pseudo-images) are met;
    /// an index left with none is an error. Nested indexes are always met.
    public var platform: Platform?
    /// Called for an index or manifest whose blob is absent; throws to stop the walk.
    /// The default throws for a root and returns for a child of an index.
    public var absent: (Node) throws -> Void = DescriptorWalk.absentRootIsAnError
    /// Paths name a root's image after its position (`index.json manifests[2]
    /// (docker.io/library/busybox:latest) > config`), for messages about a store.
    public var namesInPaths = false

    public init(source: any BlobSource, platform: Platform? = nil) {
        self.source = source
        self.platform = platform
    }

    /// Walks from `roots` (paths named `"\(origin) manifests[i]"`, or `rootPaths`).
    /// - Parameters:
    ///   - unreadable: called with a document that cannot be read or is nested too deep
    ///     (`.invalidDocument`), or whose media type names a manifest the walk cannot
    ///     go below (`.unsupported`, `MediaType.isUnwalkableManifest`); its children are
    ///     not met; the walk goes on when it returns. The default throws the error.
    ///   - document: called with each document read, after `body` chose to descend and
    ///     before its children are met.
    ///   - body: called for each descriptor met, on every path.
    /// - Throws: `LayoutError.invalidDocument` naming the document and its path for one
    ///   that cannot be read or decoded, is nested too deep, or has no manifest for
    ///   `platform`; `.blobNotFound` for an absent root; whatever the closures throw.
    public func visit(_ roots: [Descriptor], origin: String = "index.json", rootPaths: [String]? = nil,
                      unreadable: (Node, LayoutError) throws -> Void = { _, e in throw e },
                      document: (Node, Document) throws -> Void = { _, _ in },
                      _ body: (Node) throws -> Step) throws {
        var seen = Set<Digest>()
        for (i, d) in roots.enumerated() {
            let name = namesInPaths ? (d.annotations?[AnnotationKey.imageName] ?? d.annotations?[AnnotationKey.refName]).map { " (\($0))" } ?? "" : ""
            let path = rootPaths.map { i < $0.count ? $0[i] : "" } ?? "\(origin) manifests[\(i)]\(name)"
            try visit(Node(descriptor: d, role: .root(i), path: path, depth: 0, parent: nil),
                      seen: &seen, unreadable: unreadable, document: document, body)
        }
    }

    private func visit(_ node: Node, seen: inout Set<Digest>, unreadable: (Node, LayoutError) throws -> Void,
                       document: (Node, Document) throws -> Void,
                       _ body: (Node) throws -> Step) throws {
        let d = node.descriptor
        guard try body(node) == .descend else { return }
        if MediaType.isUnwalkableManifest(d.mediaType), seen.insert(d.digest).inserted {
            // Never a guess at what it refers to: copying it would leave its children behind.
            return try unreadable(node, LayoutError(.unsupported, "\(node.path): \(d.digest) has media type \(d.mediaType), a manifest type lading cannot walk (its children would be left behind)"))
        }
        let isIndex = MediaType.isIndex(d.mediaType)
        guard MediaType.isWalkable(d.mediaType), seen.insert(d.digest).inserted else { return }
        let doc: Document
        do {
            guard node.depth <= Self.maxDepth else {
                throw LayoutError(.invalidDocument, "\(node.path): indexes nested more than \(Self.maxDepth) deep")
            }
            guard source.blobSize(d.digest) != nil else { return try absent(node) }
            doc = try read(node, isIndex: isIndex)
        } catch let e as LayoutError where e.code == .invalidDocument {
            return try unreadable(node, e)
        }
        try document(node, doc)
        func next(_ c: Descriptor, _ role: Role, _ step: String) -> Node {
            Node(descriptor: c, role: role, path: "\(node.path) > \(step)", depth: node.depth + 1, parent: doc)
        }
        switch doc {
        case .index(let idx, _):
            var kept = 0
            for (i, c) in idx.manifests.enumerated() {
                if let platform, !MediaType.isIndex(c.mediaType) {
                    guard let p = c.platform, PlatformMatcher.only(platform).matches(p), !c.isPseudoImage() else { continue }
                    kept += 1
                }
                try visit(next(c, .child(i), "manifests[\(i)]"), seen: &seen, unreadable: unreadable, document: document, body)
            }
            if let platform, kept == 0, !idx.manifests.contains(where: { MediaType.isIndex($0.mediaType) }) {
                throw LayoutError(.invalidDocument, "\(node.path): index \(d.digest) has no manifest for \(platform)")
            }
            if let s = idx.subject { try visit(next(s, .subject, "subject"), seen: &seen, unreadable: unreadable, document: document, body) }
        case .manifest(let m, _):
            try visit(next(m.config, .config, "config"), seen: &seen, unreadable: unreadable, document: document, body)
            for (i, l) in m.layers.enumerated() {
                try visit(next(l, .layer(i), "layers[\(i)]"), seen: &seen, unreadable: unreadable, document: document, body)
            }
            if let s = m.subject { try visit(next(s, .subject, "subject"), seen: &seen, unreadable: unreadable, document: document, body) }
        case .artifact(let a, _):
            for (i, b) in a.blobs.enumerated() {
                try visit(next(b, .layer(i), "blobs[\(i)]"), seen: &seen, unreadable: unreadable, document: document, body)
            }
            if let s = a.subject { try visit(next(s, .subject, "subject"), seen: &seen, unreadable: unreadable, document: document, body) }
        }
    }

    private func read(_ node: Node, isIndex: Bool) throws -> Document {
        let d = node.descriptor
        let kind = isIndex ? "index" : "manifest"
        do {
            let bytes = try source.readBlob(d.digest, limit: DocumentLimits.manifest)
            if isIndex { return .index(try JSON.decode(ImageIndex.self, from: bytes, what: "\(kind) \(d.digest)"), bytes: bytes) }
            if d.mediaType == MediaType.ociArtifactManifest {
                return .artifact(try JSON.decode(ArtifactManifest.self, from: bytes, what: "artifact manifest \(d.digest)"), bytes: bytes)
            }
            return .manifest(try JSON.decode(ImageManifest.self, from: bytes, what: "\(kind) \(d.digest)"), bytes: bytes)
        } catch {
            throw LayoutError(.invalidDocument, "\(kind) \(d.digest) (\(node.path)) cannot be read", cause: "\(error)")
        }
    }

    /// The default for `absent`: a root's document must be there; an index's child may
    /// be absent (a sparse index).
    public static func absentRootIsAnError(_ node: Node) throws {
        guard case .root = node.role else { return }
        let kind = MediaType.isIndex(node.descriptor.mediaType) ? "index" : "manifest"
        throw LayoutError(.blobNotFound, "\(kind) \(node.descriptor.digest) (\(node.path)) is missing")
    }
}
