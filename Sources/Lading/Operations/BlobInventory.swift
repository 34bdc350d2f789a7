import Foundation
import ImageLayout
import ImageSpec
import ImageTransport
import TarArchive

/// What blobs a site has, for a delta save (`save --exclude-from SOURCE`).
///
/// SOURCE is one of:
/// - a store or OCI layout directory (`DIR` or `oci:DIR`): the files under `blobs/sha256/`;
/// - a docker-archive or oci-archive (`docker-archive:PATH`, `oci-archive:PATH`, or a
///   tarball's path, any compression): its `blobs/sha256/…` entries (read, not hashed);
/// - a text file, as `lading content ls` prints it at the site: one blob a line, the
///   first field its digest (`sha256:<hex>`); blank lines, `#` comments and the
///   `DIGEST` header line are skipped.
public enum BlobInventory {
    /// The digests SOURCE has.
    /// - Throws: `LadingError.notFound` when SOURCE does not exist; `LadingError.invalidArgument`
    ///   naming the file and line of a text line that is not a digest, or a directory
    ///   that is no layout; `ArchiveError` for a damaged tarball.
    public static func digests(from source: String) throws -> Set<Digest> {
        var path = source
        for prefix in ["oci:", "docker-archive:", "oci-archive:"] where source.hasPrefix(prefix) && !FileManager.default.fileExists(atPath: source) {
            path = String(source.dropFirst(prefix.count))
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw LadingError(.notFound, "\(source): no such file or directory")
        }
        if isDir.boolValue {
            guard FileManager.default.fileExists(atPath: path + "/oci-layout") || FileManager.default.fileExists(atPath: path + "/blobs/sha256") else {
                throw LadingError(.invalidArgument, "\(source): directory is not a store or OCI layout (no oci-layout file)")
            }
            return Set(try OCILayout(root: path, create: false).allBlobs().map(\.0))
        }
        if try isText(path) { return try readList(path) }
        var out = Set<Digest>()
        let reader = try TarReader(.path(path), name: path)
        while let entry = try reader.next() {
            guard entry.kind == .regular else { continue }
            var name = Substring(entry.path)
            while name.hasPrefix("./") { name = name.dropFirst(2) }
            let parts = name.split(separator: "/")
            if parts.count == 3, parts[0] == "blobs", let d = try? Digest(parsing: "\(parts[1]):\(parts[2])") { out.insert(d) }
        }
        return out
    }

    /// A list file starts with a digest, a `#` comment, the `DIGEST` header or nothing.
    static func isText(_ path: String) throws -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { throw LadingError(.notFound, "\(path): cannot be read") }
        defer { try? h.close() }
        let head = String(decoding: (try h.read(upToCount: 16)) ?? Data(), as: UTF8.self)
        let trimmed = head.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return trimmed.isEmpty || trimmed.hasPrefix("sha256:") || trimmed.hasPrefix("sha512:") || trimmed.hasPrefix("#") || trimmed.hasPrefix("DIGEST")
    }

    static func readList(_ path: String) throws -> Set<Digest> {
        guard let data = FileManager.default.contents(atPath: path) else { throw LadingError(.notFound, "\(path): cannot be read") }
        var out = Set<Digest>()
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let field = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).first, !field.hasPrefix("#"), field != "DIGEST" else { continue }
            guard let d = try? Digest(parsing: String(field)) else {
                throw LadingError(.invalidArgument, "\(path):\(i + 1): \"\(field)\" is not a digest (expected sha256:<64 hex> at the start of each line)")
            }
            out.insert(d)
        }
        return out
    }
}
