import ArgumentParser
import Foundation
import Lading

/// Shell completion for arguments (`lading --generate-completion-script bash|zsh|fish`):
/// the shell calls `lading` back for image names, which are read from the store the
/// command line names (`--store DIR`, else `LADING_STORE`, …). Completion only reads:
/// a store that does not exist gives no names and is never created.
extension CompletionKind {
    /// Image names (`REPO:TAG`) of the store.
    static var imageName: CompletionKind {
        .custom { words, _, prefix in Completions.imageNames(words: words, prefix: prefix) }
    }

    /// Image names, and files and directories (`diff A B`, `verify TARGET`).
    static var imageOrPath: CompletionKind {
        .custom { words, _, prefix in
            Completions.imageNames(words: words, prefix: prefix) + Completions.paths(prefix: prefix)
        }
    }

    /// `copy` addresses: the transports, image names, and paths after a transport.
    static var copyAddress: CompletionKind {
        .custom { words, _, prefix in Completions.addresses(words: words, prefix: prefix) }
    }
}

enum Completions {
    static let transports = ["docker-archive:", "oci:", "oci-archive:", "store:"]

    /// The store named on the command line (`--store DIR`, `--store=DIR`), else the default.
    static func storePath(words: [String]) -> String {
        var explicit: String?
        for (i, w) in words.enumerated() {
            if w == "--store", i + 1 < words.count { explicit = words[i + 1] }
            if w.hasPrefix("--store=") { explicit = String(w.dropFirst(8)) }
        }
        return StoreLocation.resolve(explicit: explicit.map(unquoted))
    }

    /// The store's names (`REPO:TAG`) starting with `prefix`, sorted; none when the store
    /// cannot be read. Opens the store read-only (`create: false`).
    static func imageNames(words: [String], prefix: String) -> [String] {
        guard let service = try? ImageService(storePath: storePath(words: words), create: false),
              let images = try? service.images() else { return [] }
        let names = Set(images.flatMap { $0.names.map(\.familiarString) })
        return names.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Files and directories whose path starts with `prefix` (directories end with `/`).
    static func paths(prefix: String) -> [String] {
        let slash = prefix.lastIndex(of: "/")
        let dir = slash.map { String(prefix[...$0]) } ?? ""
        let start = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return [] }
        return entries.filter { $0.hasPrefix(start) && (start.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
            var isDir: ObjCBool = false
            fm.fileExists(atPath: dir + name, isDirectory: &isDir)
            return dir + name + (isDir.boolValue ? "/" : "")
        }
    }

    /// `copy` addresses: a transport's path part completes as a path, `store:` as an
    /// image name; otherwise the transports and the store's names.
    static func addresses(words: [String], prefix: String) -> [String] {
        for t in transports where prefix.hasPrefix(t) {
            let rest = String(prefix.dropFirst(t.count))
            let found = t == "store:" ? imageNames(words: words, prefix: rest) : paths(prefix: rest)
            return found.map { t + $0 }
        }
        return transports.filter { $0.hasPrefix(prefix) } + imageNames(words: words, prefix: prefix)
    }

    /// A shell word without the quotes around it (`'dir'`, `"dir"`).
    private static func unquoted(_ w: String) -> String {
        if w.count >= 2, let f = w.first, f == "'" || f == "\"", w.last == f { return String(w.dropFirst().dropLast()) }
        return w
    }
}
