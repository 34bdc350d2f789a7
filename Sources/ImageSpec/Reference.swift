/// A docker image reference, `[domain/]path[:tag][@digest]`, normalized as
/// distribution/reference's `ParseNormalizedNamed` does: `busybox` is
/// `docker.io/library/busybox`, `index.docker.io` is `docker.io`.
public struct Reference: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var domain: String
    public var path: String
    public var tag: String?
    public var digest: Digest?

    /// Parses and normalizes `text`.
    /// - Throws: `SpecError.invalidReference` naming the text: bad grammar, an uppercase
    ///   repository, a path over 255 characters, or a bare 64-hex string.
    public init(parsing text: String) throws {
        func bad(_ why: String) -> SpecError { SpecError(.invalidReference, "invalid reference \"\(text)\": \(why)") }
        if text.isEmpty { throw bad("empty") }
        if text.utf8.count == 64, text.utf8.allSatisfy({ Digest.lowerHex.contains($0) }) {
            throw bad("cannot specify 64-byte hexadecimal strings")
        }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let d = String(rest[rest.index(after: at)...])
            digest = try? Digest(parsing: d)
            guard let dg = digest, dg.encoded.utf8.count >= 32 else { throw bad("invalid digest") }
            rest = rest[..<at]
        }
        // A tag follows the last ':' that is after the last '/'.
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let t = String(rest[rest.index(after: colon)...])
            guard Reference.validTag(t) else { throw bad("invalid tag") }
            tag = t
            rest = rest[..<colon]
        }
        var domain = "docker.io"
        var remainder = String(rest)
        if let slash = rest.firstIndex(of: "/") {
            let first = String(rest[..<slash])
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                domain = first
                remainder = String(rest[rest.index(after: slash)...])
            }
        }
        if domain == "index.docker.io" { domain = "docker.io" }
        if domain == "docker.io", !remainder.contains("/") { remainder = "library/" + remainder }
        if remainder.lowercased() != remainder { throw bad("repository name must be lowercase") }
        guard Reference.validDomain(domain) else { throw bad("invalid domain") }
        guard !remainder.isEmpty, remainder.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ Reference.validComponent(Substring($0)) }) else {
            throw bad("invalid repository name")
        }
        if remainder.utf8.count > 255 { throw bad("repository name must not be more than 255 characters") }
        self.domain = domain
        self.path = remainder
        self.tag = tag
        self.digest = digest
    }

    /// The repository, `domain/path`.
    public var name: String { "\(domain)/\(path)" }

    /// The full normalized form, as `io.containerd.image.name` holds it.
    public var description: String {
        var s = name
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// The repository in docker's short form: no `docker.io/`, no `library/` for
    /// single-component names.
    public var familiarName: String {
        guard domain == "docker.io" else { return name }
        if path.hasPrefix("library/"), path.dropFirst(8).firstIndex(of: "/") == nil { return String(path.dropFirst(8)) }
        return path
    }

    /// The familiar form with tag and digest (`busybox:latest`, `example.com/a:v2`).
    public var familiarString: String {
        var s = familiarName
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// The text after the repository (`latest`, `v1@sha256:…`, `@sha256:…`), as the
    /// `org.opencontainers.image.ref.name` annotation written by containerd and docker.
    public var objectPart: String {
        var s = tag ?? ""
        if let digest { s += "@\(digest)" }
        return s
    }

    /// This reference with `latest` added when it has neither tag nor digest.
    public var withDefaultTag: Reference {
        var r = self
        if r.tag == nil && r.digest == nil { r.tag = "latest" }
        return r
    }

    public static func < (a: Reference, b: Reference) -> Bool { a.description < b.description }

    static func validTag(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard !u.isEmpty, u.count <= 128 else { return false }
        func word(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        guard word(u[0]) else { return false }
        return u.dropFirst().allSatisfy { word($0) || $0 == 46 || $0 == 45 }
    }

    static func validComponent(_ s: Substring) -> Bool {
        // [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
        let u = Array(s.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 122) }
        guard let f = u.first, alnum(f), let l = u.last, alnum(l) else { return false }
        var i = 0
        while i < u.count {
            if alnum(u[i]) { i += 1; continue }
            var j = i
            while j < u.count, !alnum(u[j]) { j += 1 }
            let sep = Array(u[i..<j])
            let ok = sep == [46] || sep == [95] || sep == [95, 95] || sep.allSatisfy { $0 == 45 }
            if !ok { return false }
            i = j
        }
        return true
    }

    static func validDomain(_ d: String) -> Bool {
        var host = Substring(d)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inner = host[host.index(after: host.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
            host = host[host.index(after: close)...]
            if host.isEmpty { return true }
            guard host.first == ":" else { return false }
            return host.dropFirst().allSatisfy(\.isASCII) && !host.dropFirst().isEmpty && host.dropFirst().allSatisfy(\.isNumber)
        }
        if let colon = host.lastIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            host = host[..<colon]
        }
        return !host.isEmpty && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let u = Array(label.utf8)
            func an(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
            guard let f = u.first, an(f), let l = u.last, an(l) else { return false }
            return u.allSatisfy { an($0) || $0 == 45 }
        }
    }
}
