import Foundation
import ImageSpec

/// A fresh directory under `$TMPDIR` for one input, removed by `remove()`.
struct Scratch {
    let path: String

    init() throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/lading-fuzz.XXXXXX".utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw FuzzViolation("cannot create a scratch directory under \(base): errno \(errno)")
        }
        path = String(cString: p)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        guard FileManager.default.createFile(atPath: "\(path)/\(name)", contents: Data(bytes)) else {
            throw FuzzViolation("cannot write \(path)/\(name)")
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every path under `root` (symlinks not followed) with its type, mode, owner, link
/// count, size and content digest, for "unchanged" checks. `skip` leaves out top-level
/// names.
func snapshot(_ root: String, skip: Set<String> = []) -> [String: String] {
    var out: [String: String] = [:]
    guard let e = FileManager.default.enumerator(atPath: root) else { return out }
    while let rel = e.nextObject() as? String {
        if let top = rel.split(separator: "/").first, skip.contains(String(top)) { continue }
        out[rel] = describe("\(root)/\(rel)")
    }
    return out
}

/// One line about `path` (lstat, plus content for regular files and the target for symlinks).
func describe(_ path: String) -> String {
    var st = stat()
    guard lstat(path, &st) == 0 else { return "missing" }
    var s = "\(st.st_mode) \(st.st_uid):\(st.st_gid) n\(st.st_nlink) \(st.st_size) t\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    switch st.st_mode & S_IFMT {
    case S_IFREG:
        s += " " + Digest.sha256(of: readFile(path)).description
    case S_IFLNK:
        s += " -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
    default: break
    }
    return s
}

/// The bytes of a file (empty when it cannot be read), read with plain POSIX calls.
func readFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}
