import Foundation
import ImageLayout
import TarArchive

/// Where `save -o PATH` and `copy … docker-archive:PATH` write.
enum OutputFile {
    /// Runs `body` with a sink for `path`, so that a failure never leaves a partial file.
    ///
    /// - A regular file (or a new name) is written to a temporary name beside it and
    ///   renamed over it at the end; on failure the temporary file is removed and `path`
    ///   is as it was.
    /// - Anything else that exists at `path` (a character device such as `/dev/null`, a
    ///   FIFO, a socket) is opened and written in place: it is never replaced by a file.
    /// - `-` is standard output.
    /// - Throws: `ArchiveError` `.io` naming `path` when it is a directory or cannot be
    ///   created, opened or renamed; whatever `body` throws.
    static func write(to path: String, _ body: (FileSink) throws -> Void) throws {
        if path == "-" { return try body(FileSink(fd: 1, name: "standard output")) }
        var st = stat()
        if stat(path, &st) == 0 {
            let type = st.st_mode & S_IFMT
            if type == S_IFDIR { throw ArchiveError(.io, "\(path) is a directory") }
            if type != S_IFREG {
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                if fd < 0 { throw ArchiveError.errno("cannot open \(path)") }
                defer { close(fd) }
                return try body(FileSink(fd: fd, name: path))
            }
        }
        let dir = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        // What a killed run left (`.NAME.PID.tmp` of a process that is gone) goes first.
        SignalCleanup.sweep(dir) { name in
            guard name.hasPrefix(".\(base)."), name.hasSuffix(".tmp") else { return nil }
            return Int32(name.dropFirst(base.count + 2).dropLast(4))
        }
        let tmp = "\(dir.isEmpty ? "." : dir)/.\(base).\(getpid()).tmp"
        let sink: FileSink
        do {
            sink = try FileSink(creating: tmp, mode: 0o644, name: path)
        } catch {
            throw ArchiveError(.io, "cannot create \(path)", cause: String(cString: strerror(errno)))
        }
        let token = SignalCleanup.register(tmp)
        defer { SignalCleanup.unregister(token) }
        do {
            try body(sink)
            if ProcessInfo.processInfo.environment["LADING_SYNC"] == "1" { try sink.sync() }
            if rename(tmp, path) != 0 { throw ArchiveError.errno("cannot write \(path) (renaming \(tmp))") }
        } catch {
            unlink(tmp)
            throw error
        }
    }
}
