import Foundation

/// The one checker of documents against the image-spec JSON schemas and prose rules
/// (and Docker schema 2, whose manifests and lists share the OCI shapes): indexes,
/// manifests, configs, descriptors and the `oci-layout` file. Pure: it reads only the
/// bytes it is given. `verify` reports every finding; `load`, `copy` and `unpack` apply
/// `ReaderPolicy` to them. Costs are linear in the document's size.
public enum SpecValidator {
    /// The document kinds there are rules for.
    public enum Kind: String, Sendable { case index, manifest, artifactManifest, config, descriptor, layoutHeader }

    /// Checks `bytes` as a document of `kind`.
    /// - Returns: the findings, MUST rules (errors) and SHOULD rules (warnings); empty when clean.
    public static func validate(_ bytes: [UInt8], as kind: Kind) -> [SpecFinding] {
        var v = Collector()
        guard let doc = JSONValue.parse(bytes) else {
            v.add(jsonRule(kind), "", "not valid JSON")
            return v.findings
        }
        // annotations.md "Rules": keys MUST be unique (decoding keeps one silently).
        for d in JSONValue.duplicateKeys(bytes) where d.parent == "annotations" {
            v.add(Rules.annotations, "annotations", "key \"\(d.key.prefix(100))\" appears more than once")
        }
        switch kind {
        case .index: v.index(doc)
        case .manifest: v.manifest(doc)
        case .artifactManifest: v.artifactManifest(doc)
        case .config: v.config(doc)
        case .descriptor: v.descriptor(doc, at: "")
        case .layoutHeader: v.layoutHeader(doc)
        }
        return v.findings
    }

    /// The kind of document a descriptor's media type names, if there are rules for it.
    public static func kind(ofMediaType t: String) -> Kind? {
        if MediaType.isIndex(t) { return .index }
        if MediaType.isManifest(t) { return .manifest }
        if t == MediaType.ociArtifactManifest { return .artifactManifest }
        if MediaType.isConfig(t) { return .config }
        return nil
    }

    static func jsonRule(_ kind: Kind) -> SpecRule {
        switch kind {
        case .index: return Rules.indexJSON
        case .manifest, .artifactManifest: return Rules.manifestJSON
        case .config: return Rules.configJSON
        case .descriptor: return Rules.descriptor
        case .layoutHeader: return Rules.layoutFile
        }
    }

    /// RFC 6838 as the spec's schema applies it (defs-descriptor.json `mediaType`):
    /// `^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$`.
    public static func isValidMediaType(_ s: String) -> Bool {
        let parts = s.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { p in
            guard let first = p.first, p.count <= 127, isAlnum(first) else { return false }
            return p.allSatisfy { isAlnum($0) || restNameChars.contains($0) }
        }
    }
    static let restNameChars = Set("!#$&^_.+-".utf8)
    static func isAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) }

    /// An absolute URI (RFC 3986 `scheme ":" hier-part`), the schema's `format: uri`.
    public static func isValidURI(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex else { return false }
        let scheme = s[..<colon].utf8
        guard let f = scheme.first, (f | 0x20) >= 0x61 && (f | 0x20) <= 0x7a,
              scheme.allSatisfy({ isAlnum($0) || "+.-".utf8.contains($0) }) else { return false }
        let allowed = Set("-._~:/?#[]@!$&'()*+,;=%".utf8)
        return s[s.index(after: colon)...].utf8.allSatisfy { isAlnum($0) || allowed.contains($0) }
    }

    /// RFC 3339 `date-time` (config.md `created`): `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    public static func isValidDateTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func digits(_ at: Int, _ n: Int) -> Bool { at + n <= b.count && b[at..<at + n].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        func char(_ at: Int, _ set: String) -> Bool { at < b.count && set.utf8.contains(b[at]) }
        guard digits(0, 4), char(4, "-"), digits(5, 2), char(7, "-"), digits(8, 2), char(10, "Tt "),
              digits(11, 2), char(13, ":"), digits(14, 2), char(16, ":"), digits(17, 2) else { return false }
        var i = 19
        if char(i, ".") {
            i += 1
            guard digits(i, 1) else { return false }
            while digits(i, 1) { i += 1 }
        }
        if char(i, "Zz") { return i + 1 == b.count }
        return char(i, "+-") && digits(i + 1, 2) && char(i + 3, ":") && digits(i + 4, 2) && i + 6 == b.count
    }
}

/// Gathers findings while a document is walked.
struct Collector {
    var findings: [SpecFinding] = []

    mutating func add(_ rule: SpecRule, _ at: String, _ message: String) {
        findings.append(SpecFinding(rule: rule, at: at, message: message))
    }

    static func join(_ at: String, _ key: String) -> String { at.isEmpty ? key : "\(at).\(key)" }

    /// A field that must be a string when present (and is required when `required`).
    @discardableResult
    mutating func string(_ o: [String: JSONValue], _ key: String, at: String, rule: SpecRule, required: Bool = false) -> String? {
        guard let v = o[key], v != .null || required else {
            // An optional field's null reads as absent, as Go's encoding/json (docker,
            // containerd, buildkit's own writer) takes it.
            if required { add(rule, at, "\"\(key)\" is required") }
            return nil
        }
        guard case .string(let s) = v else {
            add(rule, Collector.join(at, key), "is \(v.typeName), expected string")
            return nil
        }
        return s
    }

    mutating func stringArray(_ o: [String: JSONValue], _ key: String, at: String, rule: SpecRule, nullable: Bool = false) -> [String]? {
        guard let v = o[key], v != .null else { return nil }
        guard case .array(let a) = v else { add(rule, Collector.join(at, key), "is \(v.typeName), expected an array of strings"); return nil }
        var out: [String] = []
        for (i, e) in a.enumerated() {
            guard case .string(let s) = e else { add(rule, "\(Collector.join(at, key))[\(i)]", "is \(e.typeName), expected string"); continue }
            out.append(s)
        }
        return out
    }

    /// A map of string to string (defs.json `mapStringString`).
    mutating func stringMap(_ o: [String: JSONValue], _ key: String, at: String, rule: SpecRule, nullable: Bool = false) {
        guard let v = o[key], v != .null else { return }
        guard case .object(let m) = v else { return add(rule, Collector.join(at, key), "is \(v.typeName), expected an object of strings") }
        for (k, e) in m.sorted(by: { $0.key < $1.key }) where e.string == nil {
            add(rule, "\(Collector.join(at, key)).\(k)", "is \(e.typeName), expected string")
        }
    }

    /// A map of string to object (defs.json `mapStringObject`).
    mutating func objectMap(_ o: [String: JSONValue], _ key: String, at: String, rule: SpecRule, nullable: Bool = false) {
        guard let v = o[key], v != .null else { return }
        guard case .object(let m) = v else { return add(rule, Collector.join(at, key), "is \(v.typeName), expected an object") }
        for (k, e) in m.sorted(by: { $0.key < $1.key }) where e.object == nil {
            add(rule, "\(Collector.join(at, key)).\(k)", "is \(e.typeName), expected an object")
        }
    }

    mutating func object(_ v: JSONValue, at: String, rule: SpecRule) -> [String: JSONValue]? {
        guard case .object(let o) = v else { add(rule, at, "is \(v.typeName), expected an object"); return nil }
        return o
    }

    mutating func mediaTypeSyntax(_ s: String, at: String, rule: SpecRule) {
        if !SpecValidator.isValidMediaType(s) { add(rule, at, "\"\(s.prefix(300))\" is not a valid media type (RFC 6838)") }
    }

    /// descriptor.md "Properties": `mediaType`, `digest`, `size` required; `urls`,
    /// `annotations`, `data`, `artifactType`; `platform` (image-index.md) when present.
    mutating func descriptor(_ v: JSONValue, at: String) {
        guard let o = object(v, at: at, rule: Rules.descriptor) else { return }
        if let t = string(o, "mediaType", at: at, rule: Rules.mediaType, required: true) {
            mediaTypeSyntax(t, at: Collector.join(at, "mediaType"), rule: Rules.mediaType)
        }
        if let t = string(o, "artifactType", at: at, rule: Rules.artifactType) {
            mediaTypeSyntax(t, at: Collector.join(at, "artifactType"), rule: Rules.artifactType)
        }
        var digest: Digest?
        if let d = string(o, "digest", at: at, rule: Rules.digest, required: true) {
            digest = digestSyntax(d, at: Collector.join(at, "digest"))
        }
        var size: Int64?
        switch o["size"] {
        case nil: add(Rules.size, at, "\"size\" is required")
        case .int(let n)?:
            if n < 0 { add(Rules.size, Collector.join(at, "size"), "is \(n), must not be negative") } else { size = n }
        case let x?: add(Rules.size, Collector.join(at, "size"), "is \(x.typeName), expected integer")
        }
        if let urls = stringArray(o, "urls", at: at, rule: Rules.urls) {
            for (i, u) in urls.enumerated() {
                if !SpecValidator.isValidURI(u) {
                    add(Rules.urls, "\(Collector.join(at, "urls"))[\(i)]", "\"\(u.prefix(300))\" is not a URI (RFC 3986)")
                } else if !(u.lowercased().hasPrefix("http:") || u.lowercased().hasPrefix("https:")) {
                    add(Rules.urlsScheme, "\(Collector.join(at, "urls"))[\(i)]", "\"\(u.prefix(300))\" is not http or https")
                }
            }
        }
        annotations(o, at: at)
        if let data = string(o, "data", at: at, rule: Rules.data) {
            let p = Collector.join(at, "data")
            if let bytes = Data(base64Encoded: data) {
                if let size, bytes.count != size { add(Rules.data, p, "holds \(bytes.count) bytes, descriptor says \(size)") }
                if let digest, digest.isSupported, Digest.sha256(of: bytes) != digest {
                    add(Rules.data, p, "has digest \(Digest.sha256(of: bytes)), descriptor says \(digest)")
                }
            } else {
                add(Rules.data, p, "is not valid base64 (RFC 4648)")
            }
        }
        if let p = o["platform"] { platform(p, at: Collector.join(at, "platform")) }
    }

    /// annotations.md "Rules": a map of strings, absent or empty when there are none (not null).
    mutating func annotations(_ o: [String: JSONValue], at: String) {
        if o["annotations"] == .null { return add(Rules.annotationsNull, Collector.join(at, "annotations"), "is null; absent or {} when there are none") }
        stringMap(o, "annotations", at: at, rule: Rules.annotations)
    }

    /// The digest grammar (descriptor.md "Digests") and registered algorithms' encodings.
    mutating func digestSyntax(_ s: String, at: String) -> Digest? {
        // `[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`
        let grammar = s.firstIndex(of: ":").map { c in
            Digest.validAlgorithm(String(s[..<c])) && s.index(after: c) != s.endIndex
                && s[s.index(after: c)...].utf8.allSatisfy { Digest.encodedChars.contains($0) }
        } ?? false
        guard grammar else { add(Rules.digest, at, "\"\(s.prefix(300))\" does not follow the digest grammar"); return nil }
        do { return try Digest(parsing: s) } catch {
            add(Rules.digestRegistered, at, "\(error)")
            return nil
        }
    }

    /// image-index.md `platform`: `architecture` and `os` required strings.
    mutating func platform(_ v: JSONValue, at: String) {
        guard let o = object(v, at: at, rule: Rules.platform) else { return }
        string(o, "architecture", at: at, rule: Rules.platform, required: true)
        string(o, "os", at: at, rule: Rules.platform, required: true)
        string(o, "os.version", at: at, rule: Rules.platform)
        string(o, "variant", at: at, rule: Rules.platform)
        _ = stringArray(o, "os.features", at: at, rule: Rules.platform)
    }

    /// `schemaVersion` must be the integer 2.
    mutating func schemaVersion(_ o: [String: JSONValue], rule: SpecRule) {
        switch o["schemaVersion"] {
        case nil: add(rule, "", "\"schemaVersion\" is required")
        case .int(2)?: break
        case .int(let n)?: add(rule, "schemaVersion", "is \(n), expected 2")
        case let x?: add(rule, "schemaVersion", "is \(x.typeName), expected the integer 2")
        }
    }
}
