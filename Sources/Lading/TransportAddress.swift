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

    /// Parses an address. The text after the last `:` of PATH is a reference only when
    /// PATH without it exists or the whole text does not.
    /// - Throws: `LadingError.invalidArgument` for an unknown transport.
    public init(parsing text: String) throws {
        func split(_ rest: String) -> (String, String?) {
            if rest == "-" || FileManager.default.fileExists(atPath: rest) { return (rest, nil) }
            guard let colon = rest.lastIndex(of: ":") else { return (rest, nil) }
            let path = String(rest[..<colon]), ref = String(rest[rest.index(after: colon)...])
            // A ':' inside a reference's host:port belongs to the reference.
            if let first = rest.firstIndex(of: ":"), first != colon, !FileManager.default.fileExists(atPath: path) {
                let p2 = String(rest[..<first]), r2 = String(rest[rest.index(after: first)...])
                if FileManager.default.fileExists(atPath: p2) || !r2.isEmpty && p2.hasSuffix(".tar") { return (p2, r2) }
            }
            return (path, ref.isEmpty ? nil : ref)
        }
        if text.hasPrefix("docker-archive:") {
            let (p, r) = split(String(text.dropFirst("docker-archive:".count)))
            self = .dockerArchive(path: p, reference: r)
        } else if text.hasPrefix("oci-archive:") {
            let (p, r) = split(String(text.dropFirst("oci-archive:".count)))
            self = .ociArchive(path: p, reference: r)
        } else if text.hasPrefix("oci:") {
            let (p, r) = split(String(text.dropFirst("oci:".count)))
            self = .ociLayout(directory: p, reference: r)
        } else if text.hasPrefix("store:") {
            self = .store(name: String(text.dropFirst("store:".count)))
        } else if let colon = text.firstIndex(of: ":"), ["docker", "containers-storage", "dir", "docker-daemon"].contains(String(text[..<colon])) {
            throw LadingError(.invalidArgument, "\(text): transport \(text[..<colon]) is not supported offline (use docker-archive:, oci:, oci-archive: or store:)")
        } else {
            self = .store(name: text)
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
