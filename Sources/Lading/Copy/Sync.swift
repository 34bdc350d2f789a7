import Foundation
import ImageLayout
import ImageSpec
import TarArchive

/// One line of a sync list: a source address (any address `copy` takes) and, optionally,
/// the name to give its image at the destination.
public struct SyncEntry: Sendable, Equatable {
    /// 1-based line number in the list file.
    public var line: Int
    public var source: String
    public var name: String?

    /// The whole entry as written (`SOURCE [NAME]`).
    public var text: String { name.map { "\(source) \($0)" } ?? source }
}

/// `lading sync LIST DEST`: every source of a list copied into one destination, each
/// whole or not at all, blobs shared between sources written once.
///
/// The list has one entry a line, `SOURCE [NAME]` separated by spaces; blank lines and
/// lines starting with `#` are skipped (so is the rest of a line after ` #`).
///
/// Sharding (`--shard I/N`): the entries are numbered from 0 in list order (comments and
/// blank lines not counted) and shard `I` takes those whose number is `I` modulo `N`:
/// deterministic, the same on every machine, the shards disjoint and together the list.
///
/// Resuming: after each entry the destination's journal (`.lading-sync` in the layout
/// or store directory) gets a line: the SHA-256 of the entry and of its source file's size
/// and modification time. A rerun skips an entry whose line is there and whose source is
/// unchanged, so an interrupted sync goes on where it stopped.
public struct Syncer {
    public let storePath: String
    public var options = CopyOptions()

    public init(storePath: String) { self.storePath = storePath }

    /// Reads a list file.
    /// - Throws: `LadingError.notFound` when it cannot be read; `.invalidArgument` naming
    ///   the line of an entry with more than two fields.
    public static func parseList(_ path: String) throws -> [SyncEntry] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: path) else { throw LadingError(.notFound, "\(path): cannot be read") }
            data = d
        }
        var out: [SyncEntry] = []
        for (i, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.range(of: " #") { line = line[..<hash.lowerBound] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            guard fields.count <= 2 else {
                throw LadingError(.invalidArgument, "\(path):\(i + 1): expected SOURCE [NAME], got \(fields.count) fields")
            }
            out.append(SyncEntry(line: i + 1, source: String(first), name: fields.count == 2 ? String(fields[1]) : nil))
        }
        return out
    }

    /// Shard `index` of `count`: the entries whose position is `index` modulo `count`.
    public static func shard(_ entries: [SyncEntry], index: Int, count: Int) -> [SyncEntry] {
        entries.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    /// Parses `I/N` (0 ≤ I < N); `N` alone takes I from `JOB_COMPLETION_INDEX` (a
    /// Kubernetes Indexed Job's pod).
    /// - Throws: `LadingError.invalidArgument`.
    public static func parseShard(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let indexText = parts.count == 2 ? String(parts[0]) : environment["JOB_COMPLETION_INDEX"]
        guard parts.count <= 2, let n = Int(parts.last!), n > 0 else {
            throw LadingError(.invalidArgument, "--shard \(text): expected I/N (0 <= I < N), or N with JOB_COMPLETION_INDEX set")
        }
        guard let indexText, let i = Int(indexText), i >= 0, i < n else {
            throw LadingError(.invalidArgument, "--shard \(text): the shard index \(indexText ?? "(JOB_COMPLETION_INDEX unset)") is not between 0 and \(n - 1)")
        }
        return (i, n)
    }

    /// What happened to one entry.
    public enum Outcome: Sendable { case copied([ImageRecord]), skipped }

    /// Copies every entry into `dest` (the store, `oci:DIR` or an archive), in order.
    ///
    /// Every source is checked readable first: one that is not fails the sync before
    /// anything is written, naming each such source and its line. An archive destination
    /// is gathered in a layout beside it (`.NAME.sync`, kept for a rerun when the sync
    /// fails) and written at the end.
    /// - Parameter report: called after each entry.
    /// - Throws: the first entry's failure, naming its line and source (the entries before
    ///   it are complete and a rerun skips them).
    public func sync(_ entries: [SyncEntry], list: String, to dest: TransportAddress,
                     report: (SyncEntry, Outcome) -> Void = { _, _ in }) throws {
        let addresses = try entries.map { e -> TransportAddress in
            do { return try TransportAddress(parsingCopyAddress: e.source) } catch {
                throw LadingError(.invalidArgument, "\(list):\(e.line): \(e.source): \(error)")
            }
        }
        let unreadable = zip(entries, addresses).compactMap { e, a in Self.unreadable(a).map { "\(list):\(e.line): \(e.source): \($0)" } }
        guard unreadable.isEmpty else {
            throw LadingError(.notFound, "\(unreadable.count) source\(unreadable.count == 1 ? "" : "s") cannot be read (nothing was copied): \(unreadable.joined(separator: "; "))")
        }
        let root: String
        var archive: TransportAddress?
        switch dest {
        case .store: root = storePath
        case .ociLayout(let dir, _): root = dir
        case .dockerArchive(let p, _), .ociArchive(let p, _):
            guard p != "-" else { throw LadingError(.invalidArgument, "sync cannot write an archive to standard output") }
            let dir = (p as NSString).deletingLastPathComponent
            root = (dir.isEmpty ? "." : dir) + "/." + (p as NSString).lastPathComponent + ".sync"
            archive = dest
        }
        let journal = root + "/.lading-sync"
        let copier = ImageCopier(storePath: storePath)
        var done = Set(((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        for (e, src) in zip(entries, addresses) {
            let key = Self.key(e, src)
            if let key, done.contains(key) { report(e, .skipped); continue }
            let to: TransportAddress
            switch dest {
            case .store: to = .store(name: e.name ?? "")
            default: to = .ociLayout(directory: root, reference: e.name)
            }
            let copied: [ImageRecord]
            do { copied = try copier.copy(from: src, to: to, options: options) } catch {
                throw LadingError(.invalidArgument, "\(list):\(e.line): \(e.source): \(error)")
            }
            if let key {
                try Self.append(key, to: journal)
                done.insert(key)
            }
            report(e, .copied(copied))
        }
        if let archive {
            guard FileManager.default.fileExists(atPath: root + "/index.json") else { throw LadingError(.notFound, "\(list): no image to write") }
            try copier.copy(from: .ociLayout(directory: root, reference: nil), to: archive, options: CopyOptions())
            try FileManager.default.removeItem(atPath: root)
        }
    }

    /// Why a source cannot be read, or nil.
    static func unreadable(_ a: TransportAddress) -> String? {
        let path: String
        switch a {
        case .store: return nil
        case .ociLayout(let dir, _): path = dir + "/index.json"
        case .dockerArchive(let p, _), .ociArchive(let p, _):
            if p == "-" { return "standard input cannot be a sync source" }
            path = p
        }
        if !FileManager.default.fileExists(atPath: path) { return "no such file or directory" }
        if access(path, R_OK) != 0 { return String(cString: strerror(errno)) }
        return nil
    }

    /// The journal key of an entry: its text, its source file's size and modification
    /// time (a layout's index.json's); nil for a store source (always copied).
    static func key(_ e: SyncEntry, _ a: TransportAddress) -> String? {
        let path: String
        switch a {
        case .store: return nil
        case .ociLayout(let dir, _): path = dir + "/index.json"
        case .dockerArchive(let p, _), .ociArchive(let p, _): path = p
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Digest.sha256(of: Array("\(e.text)\n\(st.st_size)\n\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)".utf8)).encoded
    }

    static func append(_ key: String, to journal: String) throws {
        let fd = open(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ArchiveError.errno("cannot write \(journal)") }
        defer { close(fd) }
        let bytes = Array((key + "\n").utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw ArchiveError.errno("cannot write \(journal)") }
    }
}
