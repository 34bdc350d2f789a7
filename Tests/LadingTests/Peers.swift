import Foundation
import TestSupport

/// A private containerd (its own root, state and socket in a temporary directory),
/// as the peer that must import and unpack what lading saves.
final class PrivateContainerd {
    let dir: TemporaryDirectory
    let socket: String
    private let process: Process

    init() throws {
        dir = try TemporaryDirectory("lading-containerd")
        socket = dir.path + "/containerd.sock"
        let config = """
        version = 2
        root = "\(dir.path)/root"
        state = "\(dir.path)/state"
        [grpc]
          address = "\(socket)"
        """
        try config.write(toFile: dir.path + "/config.toml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["containerd", "--config", dir.path + "/config.toml"]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) {
            usleep(100_000)
        }
        guard FileManager.default.fileExists(atPath: socket) else {
            process.terminate()
            throw PeerError("containerd did not start (no socket at \(socket))")
        }
    }

    /// Runs `ctr -a SOCKET -n lading-test ARGS`.
    @discardableResult
    func ctr(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try run(["ctr", "-a", socket, "-n", "lading-test"] + args)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        dir.remove()
    }
}

struct PeerError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
