import Foundation
import Testing
import TestSupport

/// `scripts/install` into a temporary prefix (from the test build, so no release build
/// runs here): the binary, the man page and the three completion scripts.
@Suite struct InstallTests {
    /// The subcommands and their option names, as the binary describes them.
    static func commands() throws -> [(name: String, options: [String])] {
        let dump = try run([ladingBinary, "--experimental-dump-help"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.out.utf8)) as? [String: Any])
        let root = try #require(json["command"] as? [String: Any])
        let subs = try #require(root["subcommands"] as? [[String: Any]])
        return subs.compactMap { sub in
            guard let name = sub["commandName"] as? String, name != "help" else { return nil }
            let args = sub["arguments"] as? [[String: Any]] ?? []
            let options = args.filter { ($0["shouldDisplay"] as? Bool) != false && ($0["kind"] as? String) != "positional" }
                .flatMap { ($0["names"] as? [[String: Any]] ?? []).compactMap { n in
                    (n["kind"] as? String) == "long" ? "--\(n["name"] as? String ?? "")" : nil
                } }
            return (name, options)
        }
    }

    /// Every `LADING_*` variable the code reads (test-only hooks, `LADING_TEST_*`, aside).
    static func environmentVariables() throws -> Set<String> {
        let grep = try run(["grep", "-rhoE", #""LADING_[A-Z_]+""#, "\(Fixtures.packageRoot)/Sources", "--exclude-dir=LadingFuzz"])
        return Set(grep.out.split(separator: "\n").map { $0.replacingOccurrences(of: "\"", with: "") }
            .filter { !$0.hasPrefix("LADING_TEST_") })
    }

    @Test func installsBinaryManPageAndCompletions() throws {
        let dir = try TemporaryDirectory("lading-install")
        defer { dir.remove() }
        let prefix = dir.path + "/prefix"
        let from = URL(fileURLWithPath: ladingBinary).deletingLastPathComponent().path
        let install = try run(["bash", "\(Fixtures.packageRoot)/scripts/install", "--from-build", from, prefix])
        #expect(install.status == 0, "\(install.err)")
        let files = ["bin/lading", "share/man/man1/lading.1", "share/bash-completion/completions/lading",
                     "share/zsh/site-functions/_lading", "share/fish/vendor_completions.d/lading.fish"]
        for f in files { #expect(FileManager.default.fileExists(atPath: "\(prefix)/\(f)"), "missing \(f)") }
        #expect(FileManager.default.isExecutableFile(atPath: "\(prefix)/bin/lading"))

        let version = try run(["\(prefix)/bin/lading", "--version"])
        #expect(version.status == 0)
        #expect(version.out == (try run([ladingBinary, "--version"])).out)
        #expect(version.out.hasPrefix("lading 0."))

        // The page carries every command, option and variable (checked in its source, with
        // troff's escapes taken out), and renders without a warning where groff is installed.
        let source = try String(contentsOfFile: "\(prefix)/share/man/man1/lading.1", encoding: .utf8)
        var page = source.replacingOccurrences(of: "\\-", with: "-")
        for font in ["\\fB", "\\fI", "\\fR"] { page = page.replacingOccurrences(of: font, with: "") }
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXAMPLES", "ENVIRONMENT", "FILES", "EXIT STATUS"] {
            #expect(page.contains("\n.SH \(section)\n"), "no \(section) section")
        }
        let commands = try Self.commands()
        #expect(Set(commands.map(\.name)).isSuperset(of: ["load", "save", "images", "inspect", "tag", "rmi", "unpack", "diff", "commit",
                                                         "squash", "import", "history", "children", "prune", "du", "count", "copy", "verify"]))
        for c in commands {
            #expect(page.contains(".SS \"lading \(c.name)\""), "\(c.name) is not in the page")
            for o in c.options { #expect(page.contains(o), "\(c.name) \(o) is not in the page") }
        }
        let variables = try Self.environmentVariables()
        #expect(variables.isSuperset(of: ["LADING_STORE", "LADING_SYNC", "LADING_PROGRESS_AFTER"]))
        for v in variables.union(["XDG_DATA_HOME", "SOURCE_DATE_EPOCH"]) { #expect(page.contains(".B \(v)\n"), "\(v) is not in ENVIRONMENT") }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") {
            let render = try run(["groff", "-man", "-Tutf8", "-ww", "-P", "-cbou", "\(prefix)/share/man/man1/lading.1"])
            #expect(render.status == 0)
            #expect(render.err == "")
            for section in ["EXAMPLES", "ENVIRONMENT", "FILES", "EXIT STATUS"] { #expect(render.out.contains("\n\(section)\n")) }
            #expect(render.out.contains("LADING_PROGRESS_AFTER"))
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/man") {
            let man = try run(["man", "-l", "\(prefix)/share/man/man1/lading.1"], environment: ["MANPAGER": "cat", "MANWIDTH": "100", "PATH": "/usr/bin:/bin"])
            #expect(man.status == 0, "\(man.err)")
            #expect(man.out.contains("EXIT STATUS"))
        }

        // Each completion script knows every subcommand and calls lading back for image names.
        for f in files.dropFirst(2) {
            let script = try String(contentsOfFile: "\(prefix)/\(f)", encoding: .utf8)
            for c in commands { #expect(script.contains(c.name), "\(f) lacks \(c.name)") }
            #expect(script.contains("---completion"), "\(f) never calls lading back")
        }
    }

    /// The shell's call back for an image argument: the names of the store the command
    /// line names (or `LADING_STORE`), files after a transport; nothing is created.
    @Test func completionCallsBackForStoreNames() throws {
        let dir = try TemporaryDirectory("lading-complete")
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        #expect(try run([ladingBinary, "tag", "--store", store, "example.com/team/app:v2", "other/app:1"]).status == 0)
        // `lading tag --store STORE <TAB>`: word 4 of `lading tag --store STORE ''`.
        let names = try run([ladingBinary, "---completion", "tag", "--", "positional@0", "4", "0", "lading", "tag", "--store", store, ""])
        #expect(names.status == 0)
        #expect(names.out == "example.com/team/app:v2\nother/app:1\n")
        let prefixed = try run([ladingBinary, "---completion", "rmi", "--", "positional@0", "2", "2", "lading", "rmi", "ot"],
                               environment: ["LADING_STORE": store, "PATH": "/usr/bin:/bin"])
        #expect(prefixed.out == "other/app:1\n")
        // A store that does not exist offers nothing and is not created.
        let none = try run([ladingBinary, "---completion", "inspect", "--", "positional@0", "4", "0", "lading", "inspect", "--store", dir.path + "/absent", ""])
        #expect(none.status == 0)
        #expect(none.out == "")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/absent"))
        // `copy oci:DIR/…` completes paths inside DIR, keeping the transport.
        try FileManager.default.createDirectory(atPath: dir.path + "/dd/sub", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir.path + "/dd/f.tar", contents: Data()))
        let word = "oci:\(dir.path)/dd/"
        let paths = try run([ladingBinary, "---completion", "copy", "--", "positional@0", "2", "\(word.count)", "lading", "copy", word])
        #expect(paths.out == "oci:\(dir.path)/dd/f.tar\noci:\(dir.path)/dd/sub/\n")
    }
}
