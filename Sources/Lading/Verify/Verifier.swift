import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

/// One problem `verify` found.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    /// The blob at fault, when there is one.
    public var blob: Digest?
    /// The descriptor path from `index.json` (`index.json manifests[0] > layers[1]`).
    public var path: String
    public var message: String
    /// The spec rule (or CI policy) broken, when the finding is tied to one.
    public var rule: SpecRule?
    public init(severity: Severity, blob: Digest?, path: String, message: String, rule: SpecRule? = nil) {
        self.severity = severity
        self.blob = blob
        self.path = path
        self.message = message
        self.rule = rule
    }
    /// A finding for a rule: MUST is an error, SHOULD a warning.
    public init(_ rule: SpecRule, blob: Digest?, path: String, message: String) {
        self.init(severity: rule.level == .must ? .error : .warning, blob: blob, path: path, message: message, rule: rule)
    }
    public var description: String {
        "\(severity.rawValue): \(blob.map { "\($0) " } ?? "")(\(path)): \(message)\(rule.map { " [\($0.id): \($0.citation)]" } ?? "")"
    }
}

/// The result of verifying one target.
public struct VerifyReport: Sendable {
    public var target: String
    public var findings: [Finding] = []
    /// Blobs whose digest and size were checked.
    public var blobsChecked = 0
    /// Layer blobs a delta archive leaves out (`excluded-blobs.json`), expected at the
    /// destination and not checked here, and their total size in bytes.
    public var expectedAtDestination = 0
    public var expectedBytes: Int64 = 0
    public var clean: Bool { !findings.contains { $0.severity == .error } }
}

/// Checks an OCI layout the way a CI gate should: the layout's structure (image-layout.md),
/// every file under `blobs/` (its name a digest, its content hashed, orphans included),
/// each index, manifest, config and descriptor against the image spec's rules
/// (`SpecValidator`, findings named by rule), nested indexes (up to
/// `DescriptorWalk.maxDepth`), layer count against diff IDs and each layer's uncompressed
/// digest against its diff ID, the compression a layer type names against the bytes,
/// name annotations, partial indexes, attestation subjects, and the CI policies asked
/// for (`VerifyPolicy`). Each blob is read once; hashing runs on every core; the
/// document checks are linear in the documents' sizes.
public struct Verifier {
    let layout: OCILayout
    var findings: [Finding] = []
    /// Hash jobs: blob, expected size, expected content digest (layers), named compression.
    var jobs: [(Descriptor, String, Digest?)] = []
    var seen = Set<Digest>()
    /// The images met (manifests with an image config), for the CI policies.
    var images: [ImageSeen] = []
    /// Attestation manifests met: the digest of the image each is about.
    var attested = Set<Digest>()
    private var configsValidated = Set<Digest>()

    /// Reports the bytes of each blob once hashed; when cancelled, the blobs not yet
    /// hashed are not read and the report has a "cancelled" error.
    var monitor: TransferMonitor?

    public init(layout: OCILayout) { self.layout = layout }

    /// Verifies the whole layout (`roots` nil) or the given top descriptors.
    /// - Parameters:
    ///   - isStore: the layout is lading's store (findings then say how to repair it).
    ///   - monitor: progress (bytes hashed so far) and cancellation; verify only reads.
    ///   - expected: layer blobs left out of a delta archive, by digest: absent here,
    ///     counted in `expectedAtDestination` and not an error.
    ///   - policy: CI requirements checked over the images met (findings named `policy.*`).
    /// - Returns: the findings; never throws (an unreadable `index.json` is a finding).
    public static func verify(layout: OCILayout, roots: [Descriptor]? = nil, target: String, isStore: Bool = false,
                              monitor: TransferMonitor? = nil, expected: [Digest: Descriptor] = [:],
                              policy: VerifyPolicy = VerifyPolicy()) -> VerifyReport {
        var v = Verifier(layout: layout)
        v.isStore = isStore
        v.monitor = monitor
        v.expected = expected
        var report = VerifyReport(target: target)
        let tops: [Descriptor]
        if let roots {
            tops = roots
        } else {
            v.checkStructure()
            guard let index = v.readTopIndex() else {
                report.findings = v.findings
                return report
            }
            tops = index.manifests
        }
        for (i, d) in tops.enumerated() { v.checkNames(d, at: "index.json manifests[\(i)]") }
        v.walk(tops)
        if roots == nil { v.checkBlobNames() }
        report.blobsChecked = v.runJobs()
        if roots == nil { v.checkOrphans() }
        v.checkPolicy(policy)
        report.findings = v.findings
        report.expectedAtDestination = v.expectedSeen.count
        report.expectedBytes = v.expectedSeen.reduce(0) { $0 + (expected[$1]?.size ?? 0) }
        return report
    }

    mutating func error(_ d: Descriptor?, _ at: String, _ m: String) { findings.append(Finding(severity: .error, blob: d?.digest, path: at, message: m)) }
    mutating func warn(_ d: Descriptor?, _ at: String, _ m: String) { findings.append(Finding(severity: .warning, blob: d?.digest, path: at, message: m)) }
    mutating func add(_ rule: SpecRule, _ blob: Digest?, _ at: String, _ m: String) { findings.append(Finding(rule, blob: blob, path: at, message: m)) }

    /// Adds the validator's findings for a document; true when any is an error.
    @discardableResult
    mutating func addSpec(_ found: [SpecFinding], blob: Digest?, at: String) -> Bool {
        for f in found { add(f.rule, blob, at, f.description) }
        return found.contains(where: \.isError)
    }

    private mutating func checkNames(_ d: Descriptor, at: String) {
        if let n = d.annotations?[AnnotationKey.imageName], (try? Reference(parsing: n)) == nil {
            error(d, at, "annotation \(AnnotationKey.imageName) \"\(n)\" is not a valid reference")
        }
        if let r = d.annotations?[AnnotationKey.refName],
           r.isEmpty || !r.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-._:@/+".unicodeScalars.contains($0) }) {
            add(Rules.refName, d.digest, at, "annotation \(AnnotationKey.refName) \"\(r)\" has characters outside A-Za-z0-9-._:@/+")
        }
    }

    /// One `DescriptorWalk` over the layout: each blob's presence and size, documents'
    /// schema, layers against diff IDs; blobs to hash are queued for `runJobs`.
    private mutating func walk(_ tops: [Descriptor]) {
        var walk = DescriptorWalk(source: layout)
        walk.absent = { _ in }
        topLevel = Set(tops.map(\.digest))
        do {
            try walk.visit(tops, unreadable: { node, error in
                if error.code == .unsupported { return self.add(Rules.manifestKnown, node.descriptor.digest, node.path, error.description) }
                // The spec's rules name what is wrong in a document that cannot be decoded.
                // A document that cannot be read at all is reported below, as the walk's error.
                if let kind = SpecValidator.kind(ofMediaType: node.descriptor.mediaType),
                   case .success(let bytes) = Result(catching: { try self.layout.readBlob(node.descriptor.digest) }),
                   self.addSpec(SpecValidator.validate(bytes, as: kind), blob: node.descriptor.digest, at: node.path) { return }
                // prune and rmi refuse to run while a document an image needs cannot be read.
                let advice = self.isStore ? " (prune and rmi refuse to collect until this is repaired: load the image again, or rmi its names)" : ""
                self.error(node.descriptor, node.path, "\(error.description)\(advice)")
            }, document: { node, doc in
                switch doc {
                case .index(_, let bytes): self.addSpec(SpecValidator.validate(bytes, as: .index), blob: node.descriptor.digest, at: node.path)
                case .manifest(let m, let bytes):
                    self.addSpec(SpecValidator.validate(bytes, as: .manifest), blob: node.descriptor.digest, at: node.path)
                    self.checkConfig(of: m, at: node)
                case .artifact(_, let bytes):
                    self.addSpec(SpecValidator.validate(bytes, as: .artifactManifest), blob: node.descriptor.digest, at: node.path)
                }
                self.noteForPolicy(node, doc)
            }) { node in self.check(node) }
        } catch {
            self.error(nil, "index.json", "\(error)")
        }
    }

    /// Diff IDs of each image config met, for its manifest's layers.
    private var diffIDsOf: [Digest: [Digest]] = [:]
    private var isStore = false
    private var expected: [Digest: Descriptor] = [:]
    private var expectedSeen = Set<Digest>()
    /// The digests `index.json` (or the roots given) lists.
    private var topLevel = Set<Digest>()

    private mutating func check(_ node: DescriptorWalk.Node) -> DescriptorWalk.Step {
        let d = node.descriptor, at = node.path
        guard d.digest.isSupported else {
            add(Rules.digestVerify, d.digest, at, "digest algorithm \(d.digest.algorithm) cannot be verified (lading computes sha256)")
            return .skip
        }
        guard let size = layout.blobSize(d.digest) else {
            if MediaType.isNonDistributable(d.mediaType) { return .skip }
            switch node.role {
            case .child: warn(d, at, "partial index: manifest for \(d.platform?.description ?? "unknown platform") is absent")
            case .layer where expected[d.digest]?.size == d.size: expectedSeen.insert(d.digest)
            case .layer: add(Rules.layoutBlobMissing, d.digest, at, "layer blob is missing")
            case .subject: break
            default: add(Rules.layoutBlobMissing, d.digest, at, "blob is missing")
            }
            return .skip
        }
        if size != d.size { add(Rules.layoutBlobContent, d.digest, at, "blob is \(size) bytes, descriptor says \(d.size)") }
        var expect: Digest?
        if case .layer(let i) = node.role, case .manifest(let m, _)? = node.parent, let ids = diffIDsOf[m.config.digest], i < ids.count {
            expect = ids[i]
        }
        if seen.insert(d.digest).inserted { jobs.append((d, at, MediaType.isLayer(d.mediaType) ? expect : nil)) }
        if let subject = d.attestationSubject, !siblingsContain(subject, node) {
            error(d, at, "attestation subject \(subject) is not in the index")
        }
        if case .config = node.role, MediaType.isConfig(d.mediaType) { return .skip }
        if MediaType.isConfig(d.mediaType) { _ = config(d, at: at) }
        return .descend
    }

    private func siblingsContain(_ digest: Digest, _ node: DescriptorWalk.Node) -> Bool {
        switch node.parent {
        case .index(let idx, _)?: return idx.manifests.contains { $0.digest == digest }
        case nil: return topLevel.contains(digest)
        default: return false
        }
    }

    /// Reads, validates (once per digest) and decodes an image config; nil when it
    /// cannot be decoded (reported, by rule when the validator names the fault).
    private mutating func config(_ d: Descriptor, at: String) -> ImageConfig? {
        let bytes: [UInt8]
        do { bytes = try layout.readBlob(d.digest) } catch { self.error(d, at, "\(error)"); return nil }
        var invalid = false
        if configsValidated.insert(d.digest).inserted {
            invalid = addSpec(SpecValidator.validate(bytes, as: .config), blob: d.digest, at: at)
        }
        do { return try JSON.decode(ImageConfig.self, from: bytes, what: "\(d.mediaType) \(d.digest)") } catch {
            if !invalid && !findings.contains(where: { $0.blob == d.digest && $0.rule != nil }) { self.error(d, at, "\(error)") }
            return nil
        }
    }

    /// The image config's checks, before the manifest's layers are met.
    private mutating func checkConfig(of m: ImageManifest, at node: DescriptorWalk.Node) {
        let d = node.descriptor, at = node.path
        guard MediaType.isConfig(m.config.mediaType), m.config.digest.isSupported, layout.hasBlob(m.config.digest) else { return }
        guard let cfg = config(m.config, at: "\(at) > config") else { return }
        noteImage(node, manifest: m, config: cfg)
        if cfg.rootfs.type.isEmpty && cfg.rootfs.diffIDs.isEmpty { return }
        diffIDsOf[m.config.digest] = cfg.rootfs.diffIDs
        if m.layers.count != cfg.rootfs.diffIDs.count {
            add(Rules.configDiffIDs, d.digest, at, "\(m.layers.count) layers but the config lists \(cfg.rootfs.diffIDs.count) diff IDs")
        }
    }

    /// Hashes every queued blob (layers decompressed too), in parallel.
    private mutating func runJobs() -> Int {
        let jobs = self.jobs
        let results = Results(count: jobs.count)
        let layout = self.layout, monitor = self.monitor
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let (d, at, diffID) = jobs[i]
            // Checked between blobs: a cancelled verify reads no further blob.
            if monitor?.isCancelled == true { return }
            results.set(i, Verifier.check(d, at: at, diffID: diffID, layout: layout))
            try? monitor?.advance(Int(d.size))
        }
        for r in results.all { findings += r }
        if monitor?.isCancelled == true {
            findings.append(Finding(severity: .error, blob: nil, path: layout.root, message: "cancelled: not every blob was checked"))
        }
        return jobs.count
    }

    static func check(_ d: Descriptor, at: String, diffID: Digest?, layout: OCILayout) -> [Finding] {
        var out: [Finding] = []
        let fd = open(layout.blobPath(d.digest), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [Finding(severity: .error, blob: d.digest, path: at, message: "cannot open blob")] }
        defer { close(fd) }
        let source = DescriptorSource(fd: fd, name: "blob \(d.digest)")
        let raw = DigestSink()
        let tee = TeeChunks(source, sinks: [raw])
        let isLayer = MediaType.isLayer(d.mediaType)
        do {
            if isLayer && d.size == 0 {
                // An empty blob is an empty layer, as Go's archive/tar (docker, containerd)
                // reads it: docker 1.x saved such layer.tar files, and its loader took them.
                try tee.drain()
                let empty = Digest.sha256(of: [])
                if let diffID, diffID != empty {
                    out.append(Finding(severity: .error, blob: d.digest, path: at, message: "uncompressed digest \(empty) does not match diff ID \(diffID)"))
                }
            } else if isLayer {
                let magic = try source.peek()
                let found = Compression.detect(magic: magic.prefix(8))
                if let named = MediaType.layerCompression(d.mediaType), let actual = MediaType.LayerCompression(found), named != actual {
                    out.append(Finding(Rules.layerCompression, blob: d.digest, path: at, message: "media type \(d.mediaType) names \(named.rawValue) but the bytes are \(found.rawValue)"))
                }
                let reader = try TarReader(.chunks(tee), mode: .raw, name: "layer \(d.digest)")
                let content = DigestSink()
                let refusal = try TarHeaderScan.run(DecodedSource(reader), sinks: [content], name: "layer \(d.digest)")
                try tee.drain()
                let c = Digest(sha256Hex: content.digester.finalizeHex())
                if let diffID, c != diffID {
                    out.append(Finding(Rules.configDiffIDs, blob: d.digest, path: at, message: "uncompressed digest \(c) does not match diff ID \(diffID)"))
                }
                if let refusal { out.append(Finding(severity: .error, blob: d.digest, path: at, message: refusal.description)) }
            } else {
                try tee.drain()
            }
        } catch {
            out.append(Finding(severity: .error, blob: d.digest, path: at, message: "\(error)"))
            try? tee.drain()
        }
        let actual = Digest(sha256Hex: raw.digester.finalizeHex())
        if actual != d.digest { out.append(Finding(Rules.layoutBlobContent, blob: d.digest, path: at, message: "content has digest \(actual), expected \(d.digest)")) }
        return out
    }

    private mutating func checkOrphans() {
        // When a reachable document cannot be read (reported where it is met), what is
        // orphaned cannot be told.
        guard let index = try? layout.readIndex(), let dead = try? layout.unreachable(from: index.manifests) else { return }
        for (d, size) in dead {
            findings.append(Finding(severity: .warning, blob: d, path: "blobs/sha256", message: "orphan blob (\(size) bytes) not reachable from index.json"))
        }
    }
}


/// Per-job results filled from worker threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[Finding]]
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Finding]) { lock.lock(); values[i] = v; lock.unlock() }
    var all: [[Finding]] { lock.lock(); defer { lock.unlock() }; return values }
}
