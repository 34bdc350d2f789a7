import Foundation
import ConfigChanges
import ImageLayout
import ImageSpec

/// Options for `mutate`: config-only changes and manifest annotations.
public struct MutateOptions: Sendable {
    /// The new image's name; nil leaves it unnamed (its ID is printed).
    public var reference: String?
    /// Dockerfile instructions (`--change`), applied first, in order.
    public var changes: [String] = []
    /// Labels set (`--label K=V`), after the changes.
    public var labels: [(String, String)] = []
    /// Environment variables set (`--env K=V`): an existing `K=` entry is replaced in place.
    public var env: [(String, String)] = []
    /// `ENTRYPOINT`/`CMD` text: a JSON array (exec form) or a string (shell form, run by `/bin/sh -c`).
    public var entrypoint: String?
    public var cmd: String?
    public var user: String?
    public var workdir: String?
    /// `os/arch[/variant]` written into the config (and the manifest's descriptor).
    public var platform: String?
    /// Manifest annotations set (`--annotation K=V`), over the image's own.
    public var annotations: [(String, String)] = []
    /// History comment.
    public var message: String?
    public init(reference: String? = nil) { self.reference = reference }
}

extension ImageService {
    /// Changes an image's config (and its manifest's annotations) under a new name, its
    /// layers untouched (crane's `mutate`, regctl's `image mod`). The history gains one
    /// entry marked `empty_layer`; `created` is now, or `SOURCE_DATE_EPOCH`.
    /// - Returns: the new image's ID (manifest digest).
    /// - Throws: what `resolve` throws for an unknown image; `ChangeError` for an
    ///   instruction that is not accepted (`RUN is not a valid change command`) or is
    ///   malformed; `LadingError.invalidArgument` for a bad name or platform. Nothing is
    ///   written then.
    public func mutate(_ name: String, options: MutateOptions) throws -> Digest {
        if let r = options.reference { _ = try Self.newImageName(r, verb: "mutate") }
        let changes = try ChangeSet(parsing: options.changes)
        let platform = try options.platform.map { try Platform.parse($0, host: .host) }
        let image = try resolve(name)
        // --platform relabels one image; on an index it would relabel whichever child
        // the host picks, the others dropped.
        if platform != nil, MediaType.isIndex(image.descriptor.mediaType) {
            throw LadingError(.invalidArgument, "\(name) is a multi-platform index: --platform sets the platform of one image; copy one platform's image out first (lading copy --platform OS/ARCH store:\(name) store:NEWNAME), then mutate that")
        }
        let d = try details(of: image)
        var builder = try ImageBuilder(manifest: d.manifest, rawConfig: try layout.readBlob(d.configDigest))

        // The execution parameters are rewritten only when asked to (keys lading does
        // not model stay as they were otherwise).
        let editsConfig = !changes.isEmpty || options.user != nil || options.entrypoint != nil || options.cmd != nil || options.workdir != nil || !options.labels.isEmpty || !options.env.isEmpty
        var c = try changes.apply(to: try builder.containerConfig)
        // As fields (crane's `mutate`): unlike the ENTRYPOINT instruction, --entrypoint
        // leaves the command as it is.
        if let e = options.entrypoint { c.entrypoint = Self.commandLine(e); c.argsEscaped = nil }
        if let x = options.cmd { c.cmd = Self.commandLine(x); c.argsEscaped = nil }
        if let u = options.user { c.user = u }
        if let w = options.workdir { c.workingDir = w }
        for (k, v) in options.labels { c.labels = (c.labels ?? [:]).merging([k: v]) { $1 } }
        for (k, v) in options.env {
            var env = c.env ?? []
            if let i = env.firstIndex(where: { $0 == k || $0.hasPrefix(k + "=") }) { env[i] = "\(k)=\(v)" } else { env.append("\(k)=\(v)") }
            c.env = env
        }
        if editsConfig { try builder.setContainerConfig(c.omittingEmptyFields()) }
        if let p = platform {
            builder.config["os"] = p.os
            builder.config["architecture"] = p.architecture
            builder.config["variant"] = p.variant.flatMap { $0.isEmpty ? nil : $0 }
        }
        if !options.annotations.isEmpty || d.manifest.annotations != nil {
            var a = d.manifest.annotations ?? [:]
            for (k, v) in options.annotations { a[k] = v }
            builder.annotations = a
        }
        let now = try ImageBuilder.timestamp()
        var entry: [String: Any] = ["created": now, "created_by": "lading mutate", "empty_layer": true]
        if let m = options.message { entry["comment"] = m }
        builder.history = builder.history + [entry]
        builder.config["created"] = now
        return try record(builder, reference: options.reference, verb: "mutate", staged: [])
    }

    /// A JSON array of strings as it is (exec form); any other text run by `/bin/sh -c`
    /// (shell form), as a Dockerfile's CMD and ENTRYPOINT read them.
    static func commandLine(_ text: String) -> [String] {
        if text.hasPrefix("["), let a = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] { return a }
        return ["/bin/sh", "-c", text]
    }
}
