import Foundation
import ImageSpec
import TestSupport

/// podman and buildah with a private containers-storage (vfs driver, root, runroot and
/// tmpdir in a temporary directory) and a private containers.conf (events to a file,
/// cgroupfs, file locks instead of /dev/shm, netavark's configuration and lock in the
/// temporary directory): nothing they do touches the machine's storage or network setup.
/// No container is run. Missing programs are a thrown error (the interop tests fail, they
/// never skip): scripts/setup installs both.
final class PrivatePodman {
    let dir: TemporaryDirectory
    private let environment: [String: String]

    init() throws {
        for tool in ["podman", "buildah"] where try run(["sh", "-c", "command -v \(tool)"]).status != 0 {
            throw PeerError("\(tool) is not installed (scripts/setup installs it); the podman interop tests need it")
        }
        dir = try TemporaryDirectory("lading-podman")
        let conf = """
        [storage]
        driver = "vfs"
        graphroot = "\(dir.path)/root"
        runroot = "\(dir.path)/run"
        """
        try conf.write(toFile: dir.path + "/storage.conf", atomically: true, encoding: .utf8)
        let engine = """
        [engine]
        tmp_dir = "\(dir.path)/tmp"
        static_dir = "\(dir.path)/root/libpod"
        volume_path = "\(dir.path)/root/volumes"
        image_copy_tmp_dir = "\(dir.path)/tmp"
        events_logger = "file"
        events_logfile_path = "\(dir.path)/events.log"
        cgroup_manager = "cgroupfs"
        lock_type = "file"
        [network]
        network_backend = "netavark"
        network_config_dir = "\(dir.path)/networks"
        """
        try engine.write(toFile: dir.path + "/containers.conf", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["CONTAINERS_STORAGE_CONF"] = dir.path + "/storage.conf"
        env["CONTAINERS_CONF"] = dir.path + "/containers.conf"
        env["TMPDIR"] = dir.path
        environment = env
    }

    private var storageFlags: [String] {
        ["--root", dir.path + "/root", "--runroot", dir.path + "/run", "--storage-driver", "vfs"]
    }

    /// Runs `podman` with the private storage; a non-zero exit is a thrown error with stderr.
    @discardableResult
    func podman(_ args: [String]) throws -> String {
        let flags = storageFlags + ["--tmpdir", dir.path + "/tmp", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
        return try checked(["podman"] + flags + args)
    }

    /// Runs `buildah` on the same storage as `podman`.
    @discardableResult
    func buildah(_ args: [String]) throws -> String {
        try checked(["buildah"] + storageFlags + args)
    }

    private func checked(_ argv: [String]) throws -> String {
        let r = try run(argv, environment: environment)
        guard r.status == 0 else { throw PeerError("\(argv.joined(separator: " ")) exited \(r.status): \(r.err)") }
        return r.out
    }

    /// `podman image inspect NAME` as JSON (the first object).
    func inspect(_ name: String) throws -> [String: Any] {
        let out = try podman(["image", "inspect", name])
        let arr = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]]
        guard let first = arr?.first else { throw PeerError("podman image inspect \(name) printed no image: \(out)") }
        return first
    }

    /// The ID (config digest, hex) and the names of every image podman holds, sorted by
    /// ID (`podman images` prints a row per tag; each image is listed once here).
    func images() throws -> [(id: String, names: [String])] {
        let out = try podman(["images", "--format", "{{.ID}} {{.Names}}", "--no-trunc"])
        var seen: Set<String> = []
        return out.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let id = parts[0].replacingOccurrences(of: "sha256:", with: "")
            guard seen.insert(id).inserted else { return nil }
            let names = (parts.count > 1 ? parts[1] : "").trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            return (id, names.split(separator: " ").map(String.init).sorted())
        }.sorted { $0.id < $1.id }
    }

    deinit {
        // vfs layers hold read-only directories; make them removable first.
        _ = try? run(["chmod", "-R", "u+rwx", dir.path])
        dir.remove()
    }
}

/// One line per entry under `root` (sorted): path, type, permission bits, owner, and the
/// content digest of a file, the target of a symbolic link, the device numbers of a
/// node; a file that is a hard link of an earlier one says so. For comparing unpacked trees.
func treeListing(_ root: String) throws -> [String] {
    var lines: [String] = []
    var inodes: [UInt: String] = [:]
    func walk(_ rel: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: rel.isEmpty ? root : "\(root)/\(rel)").sorted() {
            let path = rel.isEmpty ? name : "\(rel)/\(name)"
            var st = stat()
            guard lstat("\(root)/\(path)", &st) == 0 else { throw PeerError("lstat \(root)/\(path) failed") }
            let head = "\(path) \(String(st.st_mode & 0o7777, radix: 8)) \(st.st_uid):\(st.st_gid)"
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                lines.append("\(head) dir")
                try walk(path)
            case S_IFLNK:
                lines.append("\(head) link -> \(try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/\(path)"))")
            case S_IFREG:
                if st.st_nlink > 1, let first = inodes[UInt(st.st_ino)] {
                    lines.append("\(head) hardlink = \(first)")
                } else {
                    inodes[UInt(st.st_ino)] = path
                    let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(path)"))
                    lines.append("\(head) file \(data.count) \(sha256Hex(data))")
                }
            case S_IFCHR, S_IFBLK:
                lines.append("\(head) dev \(st.st_mode & S_IFMT == S_IFCHR ? "c" : "b") \(st.st_rdev)")
            case S_IFIFO:
                lines.append("\(head) fifo")
            default:
                lines.append("\(head) other")
            }
        }
    }
    try walk("")
    return lines
}

private func sha256Hex(_ data: Data) -> String {
    Digest.sha256(of: Array(data)).description
}
