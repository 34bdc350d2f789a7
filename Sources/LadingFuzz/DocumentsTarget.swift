import ImageSpec

/// The input decoded as every image document (index, manifest, config, docker-save
/// `manifest.json` and `repositories`, legacy layer JSON, `oci-layout`, descriptor,
/// platform) and read as text by the reference, digest and platform parsers. What
/// decodes must re-encode to a document that decodes to the same encoding; a
/// reference or digest must parse back from its own description to the same value.
enum DocumentsTarget {
    static let host = Platform(os: "linux", architecture: "amd64")

    static func run(_ input: [UInt8]) throws {
        try roundTrip(ImageIndex.self, input)
        try roundTrip(ImageManifest.self, input)
        try roundTrip(ImageConfig.self, input)
        try roundTrip([DockerSaveManifestEntry].self, input)
        try roundTrip(DockerRepositories.self, input)
        try roundTrip(OCILayoutHeader.self, input)
        try roundTrip(Descriptor.self, input)
        try roundTrip(Platform.self, input)
        _ = try? JSON.decode(LegacyLayerJSON.self, from: input, what: "json")
        if let index = try? JSON.decode(ImageIndex.self, from: input, what: "index") {
            for m in [PlatformMatcher.all, .only(host), .allPreferring(host)] {
                _ = m.ranked(index.manifests)
                _ = m.bestManifest(in: index)
            }
            for d in index.manifests { _ = d.isAttestation; _ = d.attestationSubject; _ = d.isPseudoImage() }
        }
        let text = String(decoding: input, as: UTF8.self)
        for arch in ["arm", "arm64"] { _ = Platform.host(architecture: arch, cpuinfo: text) }
        // Each of the first lines (a text is one line everywhere lading reads it).
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(8) {
            try parseText(String(line))
        }
    }

    static func parseText(_ t: String) throws {
        if let r = try? Reference(parsing: t) {
            let again: Reference
            do { again = try Reference(parsing: r.description) } catch {
                throw FuzzViolation("reference \(r.description) (from \(quoted(t))) does not parse: \(error)")
            }
            if again != r { throw FuzzViolation("reference \(quoted(t)) reads as \(r), which reads back as \(again)") }
            // The familiar form need not read back (`docker.io/a.b/c` is `a.b/c`, a domain
            // then), as with distribution/reference's FamiliarString.
            _ = (r.familiarName, r.familiarString, r.objectPart, r.withDefaultTag)
        }
        if let d = try? Digest(parsing: t) {
            guard let again = try? Digest(parsing: d.description), again == d else {
                throw FuzzViolation("digest \(quoted(t)) does not read back from \(d.description)")
            }
        }
        if let p = try? Platform.parse(t, host: host) {
            _ = PlatformMatcher.only(p).matches(host)
            _ = PlatformMatcher.allPreferring(p).prefers(host, over: p)
        }
        _ = AnnotationKey.isValidRefName(t)
    }

    /// Decodes `bytes` as `T`; when that works, the canonical encoding must decode and
    /// encode to the same bytes.
    static func roundTrip<T: Codable>(_ type: T.Type, _ bytes: [UInt8]) throws {
        guard let value = try? JSON.decode(T.self, from: bytes, what: "input") else { return }
        let name = String(describing: T.self)
        do {
            let once = try JSON.encode(value)
            let twice = try JSON.encode(try JSON.decode(T.self, from: once, what: "re-encoded"))
            if once != twice {
                throw FuzzViolation("\(name) re-encodes differently: \(quoted(once)) then \(quoted(twice))")
            }
        } catch let v as FuzzViolation {
            throw v
        } catch {
            throw FuzzViolation("\(name) decoded but its encoding does not round-trip: \(error)")
        }
    }

    static func quoted(_ s: String) -> String { "\"\(s.prefix(200))\"" }
    static func quoted(_ b: [UInt8]) -> String { quoted(String(decoding: b, as: UTF8.self)) }
}
