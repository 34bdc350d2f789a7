import Foundation
import ImageSpec

/// Where images are read from or written to: `docker-archive:PATH[:REF]`,
/// `oci:DIR[:REF]`, `oci-archive:PATH[:REF]`, `store:NAME`, or a bare store name.
/// `-` as PATH is standard input or output.
public enum TransportAddress: Sendable, Equatable, CustomStringConvertible {
    case dockerArchive(path: String, reference: String?)
    case ociLayout(directory: String, reference: String?)
    case ociArchive(path: String, reference: String?)
    case store(name: String)

    /// Parses an address. PATH and REF split at a `:` where the text before it names an
    /// existing file or directory (the last such `:`); where none does, at the first `:`,
    /// as skopeo splits (`oci:dir:repo:tag` is directory `dir`, reference `repo:tag`).
    /// The whole text is PATH when it exists; `-:REF` is standard input or output.
    /// - Throws: `LadingError.invalidArgument` for an unknown transport, or a transport
    ///   with no PATH (`oci:`, `docker-archive::REF`).
    public init(parsing text: String) throws {
        func split(_ rest: String) throws -> (String, String?) {
            // An empty PATH would be the file system's root once `/index.json` is added.
            if rest.isEmpty || rest.hasPrefix(":") {
                let transport = text.prefix { $0 != ":" }
                throw LadingError(.invalidArgument, "\(text): no path after \(transport): (\(transport):PATH[:REF])")
            }
            if rest == "-" || FileManager.default.fileExists(atPath: rest) { return (rest, nil) }
            if rest.hasPrefix("-:") { return ("-", rest.count > 2 ? String(rest.dropFirst(2)) : nil) }
            let colons = rest.indices.filter { rest[$0] == ":" }
            guard let first = colons.first else { return (rest, nil) }
            let at = colons.last { FileManager.default.fileExists(atPath: String(rest[..<$0])) } ?? first
            let ref = String(rest[rest.index(after: at)...])
            return (String(rest[..<at]), ref.isEmpty ? nil : ref)
        }
        if text.hasPrefix("docker-archive:") {
            let (p, r) = try split(String(text.dropFirst("docker-archive:".count)))
            self = .dockerArchive(path: p, reference: r)
        } else if text.hasPrefix("oci-archive:") {
            let (p, r) = try split(String(text.dropFirst("oci-archive:".count)))
            self = .ociArchive(path: p, reference: r)
        } else if text.hasPrefix("oci:") {
            let (p, r) = try split(String(text.dropFirst("oci:".count)))
            self = .ociLayout(directory: p, reference: r)
        } else if text.hasPrefix("store:") {
            self = .store(name: String(text.dropFirst("store:".count)))
        } else if let colon = text.firstIndex(of: ":"), ["docker", "containers-storage", "dir", "docker-daemon"].contains(String(text[..<colon])) {
            throw LadingError(.invalidArgument, "\(text): transport \(text[..<colon]) is not supported offline (use docker-archive:, oci:, oci-archive: or store:)")
        } else {
            self = .store(name: text)
        }
    }

    /// Parses an address of `copy`, where a bare store name must not look like a path:
    /// a bare name is refused when it names an existing file or directory, when it has
    /// no `:` and ends like a tarball (`.tar`, `.tgz`, `.tar.gz`, …), or when the part
    /// before its first `:` has no `/` or `.` (so is no registry host) and the rest
    /// has a `/` (other than a `host:PORT/` one) or ends like a tarball: a misspelled
    /// transport (`docker-archve:out.tar`). `store:NAME` is never refused.
    /// - Throws: `LadingError.invalidArgument` listing the transports.
    public init(parsingCopyAddress text: String) throws {
        try self.init(parsing: text)
        guard case .store = self, !text.hasPrefix("store:") else { return }
        let use = "use docker-archive:PATH[:REF], oci:DIR[:REF] or oci-archive:PATH[:REF] (or store:NAME for a store name)"
        let suffixes = [".tar", ".tgz", ".tar.gz", ".tar.zst", ".tar.zstd", ".tar.xz", ".tar.bz2", ".tzst", ".txz", ".tbz2"]
        func tarball(_ s: Substring) -> Bool { suffixes.contains { s.lowercased().hasSuffix($0) } }
        if FileManager.default.fileExists(atPath: text) {
            throw LadingError(.invalidArgument, "\(text) is an existing file or directory, not a store name: \(use)")
        }
        guard let colon = text.firstIndex(of: ":") else {
            if tarball(Substring(text)) {
                throw LadingError(.invalidArgument, "\(text) looks like a file name, not a store name: \(use)")
            }
            return
        }
        let head = text[..<colon], rest = text[text.index(after: colon)...]
        guard !head.contains("/"), !head.contains(".") else { return }
        let port = rest.prefix { $0.isASCII && $0.isNumber }
        let hostPort = !port.isEmpty && rest.dropFirst(port.count).hasPrefix("/")
        if (rest.contains("/") && !hostPort) || tarball(rest) {
            throw LadingError(.invalidArgument, "invalid transport \"\(head)\" in \(text): the transports are docker-archive:, oci:, oci-archive: and store:")
        }
    }

    public var description: String {
        switch self {
        case .dockerArchive(let p, let r): return "docker-archive:\(p)\(r.map { ":\($0)" } ?? "")"
        case .ociLayout(let p, let r): return "oci:\(p)\(r.map { ":\($0)" } ?? "")"
        case .ociArchive(let p, let r): return "oci-archive:\(p)\(r.map { ":\($0)" } ?? "")"
        case .store(let n): return "store:\(n)"
        }
    }
}
