import ConfigChanges
import ImageSpec

/// The input read as `--change` values (one per line) and applied to a container
/// config. Parsing and applying may refuse; a refused apply leaves the config as it
/// was, and an applied result encodes and decodes to itself (with empty fields
/// omitted, as it is stored).
enum ChangeTarget {
    static let base: ContainerConfig = {
        var c = ContainerConfig()
        c.env = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "A=a b"]
        c.cmd = ["/bin/sh"]
        c.labels = ["x": "y"]
        c.workingDir = "/w"
        c.shell = ["/bin/bash", "-c"]
        return c
    }()

    static func run(_ input: [UInt8]) throws {
        let lines = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let changes = try? ChangeSet(parsing: lines) else { return }
        _ = changes.instructionNames
        for start in [base, ContainerConfig()] {
            var config = start
            do {
                try changes.apply(to: &config)
            } catch {
                if config != start { throw FuzzViolation("a refused change (\(error)) changed the config") }
                continue
            }
            let stored = config.omittingEmptyFields()
            do {
                let bytes = try JSON.encode(stored)
                let back = try JSON.decode(ContainerConfig.self, from: bytes, what: "config")
                if back != stored {
                    throw FuzzViolation("a changed config reads back differently: \(String(decoding: bytes, as: UTF8.self))")
                }
            } catch let v as FuzzViolation {
                throw v
            } catch {
                throw FuzzViolation("a changed config does not encode and decode: \(error)")
            }
        }
    }
}
