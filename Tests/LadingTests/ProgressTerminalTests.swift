import Foundation
import Testing
import TestSupport

/// Progress as a terminal shows it (script(1) gives the command a pseudo-terminal):
/// a total for save, copy and verify, cut to `$COLUMNS`, and a line ended by Ctrl-C.
@Suite struct ProgressTerminalTests {
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["LADING_PROGRESS_AFTER"] = "0"
        env["TERM"] = "xterm"
        return env
    }

    func onTerminal(_ command: String, columns: Int? = nil) throws -> (status: Int32, out: String, err: String) {
        var env = environment
        if let columns { env["COLUMNS"] = String(columns) }
        return try run(["script", "-qec", command, "/dev/null"], environment: env)
    }

    @Test func saveCopyAndVerifyShowTheirTotal() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/s"
        #expect(try run([ladingBinary, "load", "-q", "--store", store, "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let save = try onTerminal("\(ladingBinary) save --store \(store) -o \(dir.path)/o.tar example.com/team/app:v2")
        #expect(save.status == 0, "\(save)")
        #expect(save.out.contains(" / 2.01MB  "), "\(save.out)")
        #expect(save.out.hasPrefix("\r\u{1B}[2KSaving  "), "\(save.out)")
        let copy = try onTerminal("\(ladingBinary) copy --store \(store) docker-archive:\(corpus)/v2.skopeo.docker.tar oci:\(dir.path)/lay")
        #expect(copy.status == 0, "\(copy)")
        #expect(copy.out.contains("Copying  ") && copy.out.contains(" / 2.02MB  "), "\(copy.out)")
        let verify = try onTerminal("\(ladingBinary) verify --store \(store) store")
        #expect(verify.out.contains("Verifying  ") && verify.out.contains(" / 2.01MB  "), "\(verify.out)")
        #expect(verify.out.hasSuffix("\r\u{1B}[2Kstore: OK (4 blobs checked)\r\n"), "\(verify.out)")
    }

    @Test func aNarrowTerminalGetsALineThatFits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/s"
        #expect(try run([ladingBinary, "load", "-q", "--store", store, "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let r = try onTerminal("\(ladingBinary) verify --store \(store) store", columns: 20)
        let drawn = r.out.components(separatedBy: "\r\u{1B}[2K").dropFirst().dropLast()
        #expect(!drawn.isEmpty, "\(r.out)")
        for line in drawn {
            #expect(line.count <= 19 && line.hasSuffix("%") && line.contains("/2.01MB "), "\(line)")
        }
    }

    /// Ctrl-C (SIGINT) while a line is drawn ends the line, so the shell's prompt starts on its own.
    @Test func ctrlCEndsTheProgressLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try onTerminal("sleep 2 | sh -c '(sleep 0.5; kill -INT $$) & exec \(ladingBinary) load --store \(dir.path)/s -'; echo status=$?")
        #expect(r.out.hasPrefix("\r\u{1B}[2KLoading  "), "\(r.out)")
        #expect(r.out.hasSuffix("B\r\nstatus=130\r\n"), "\(r.out)")
    }
}
