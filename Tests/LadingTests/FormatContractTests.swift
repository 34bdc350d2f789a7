import Foundation
import Testing
import TestSupport

/// `--format` as scripts use it: one check and one message for a bad value on every
/// command, docker's Go templates over the corpus images, sizes in bytes in JSON.
@Suite struct FormatContractTests {
    static let image = "example.com/team/app:v2"

    /// A store holding the corpus's `example.com/team/app:v2` (skopeo's docker-archive).
    func store(_ dir: TemporaryDirectory) throws -> String {
        let store = dir.path + "/store"
        let load = try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"])
        #expect(load.status == 0, "\(load.err)")
        return store
    }

    func lading(_ args: [String], _ store: String) throws -> (status: Int32, out: String, err: String) {
        try run([ladingBinary] + args + ["--store", store])
    }

    static let listing = "--format must be table, json or a Go template such as '{{.ID}}', not \"jsno\""
    static let report = "--format must be text or json, not \"jsno\""
    @Test(arguments: [
        (["images"], listing), (["history", image], listing), (["du"], listing),
        (["inspect", image], "--format must be json or a Go template such as '{{.Id}}', not \"jsno\""),
        (["diff", image, image], report), (["verify", "store"], report),
        (["tree", image], "--format must be table or json, not \"jsno\""),
    ])
    func aBadFormatIsAUsageErrorOnEveryCommand(_ args: [String], _ message: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try store(dir)
        let r = try lading(args + ["--format", "jsno"], store)
        #expect(r.status == 2, "\(args)")
        #expect(r.out == "")
        #expect(r.err.split(separator: "\n").first.map(String.init) == "Error: \(message)", "\(args): \(r.err)")
    }

    @Test func imagesTemplates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try store(dir)
        #expect(try lading(["images", "--format", "{{.Repository}}:{{.Tag}}"], store).out == "example.com/team/app:v2\n")
        let table = try lading(["images", "--format", "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.Size}}\\t{{.SizeBytes}}"], store)
        #expect(table.status == 0)
        #expect(table.out == """
            REPOSITORY             TAG       IMAGE ID       SIZE      SIZE (BYTES)
            example.com/team/app   v2        2984e26d971a   2.01MB    2009457

            """)
        // The header row runs the functions as docker's does: titles are left as they are, pad still pads.
        #expect(try lading(["images", "--format", "table {{upper .Repository}}\t{{json .Tag}}\t{{pad .Tag 1 1}}|"], store).out == """
            REPOSITORY             TAG        TAG |
            EXAMPLE.COM/TEAM/APP   "v2"       v2 |

            """)
        #expect(try lading(["images", "--format", "{{upper .Tag}} {{lower .Repository | upper}} {{.Digest}}"], store).out
            == "V2 EXAMPLE.COM/TEAM/APP sha256:2984e26d971ac4b9e8be83ad61ef21d25074e16156be51da99cbd17fb971d606\n")
        // {{json .}} and --format json are the same line, sizes human and in bytes.
        let json = try lading(["images", "--format", "{{json .}}"], store).out
        #expect(json == (try lading(["images", "--format", "json"], store).out))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(obj["Size"] as? String == "2.01MB")
        #expect(obj["SizeBytes"] as? Int == 2_009_457)
        #expect(obj["CreatedAt"] as? String == "2026-11-30T00:29:17.590325008Z")
        #expect(obj.keys.sorted() == ["Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository", "SharedSize",
                                      "Size", "SizeBytes", "Tag", "UniqueSize", "VirtualSize"])
    }

    @Test func historyTemplates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try store(dir)
        let table = try lading(["history", Self.image, "--format", "table {{.ID}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.SizeBytes}}\\t{{.Comment}}"], store)
        #expect(table.out == """
            IMAGE          CREATED BY     SIZE      SIZE (BYTES)   COMMENT
            2984e26d971a   umoci config   0B        0              \("")
            <missing>      umoci repack   10.8kB    10752          \("")
            <missing>      umoci config   0B        0              base rootfs
            <missing>      umoci repack   2MB       1997312        \("")

            """)
        #expect(try lading(["history", Self.image, "--format", "{{.CreatedAt}} {{.CreatedBy}}"], store).out == """
            2026-11-30T00:29:17.780540748Z umoci config
            2026-11-30T00:29:17.759908931Z umoci repack
            2026-11-30T00:29:17.673577847Z umoci config
            2026-11-30T00:29:17.605521298Z umoci repack

            """)
        let json = try lading(["history", Self.image, "--format", "json"], store).out.split(separator: "\n")
        #expect(json.count == 4)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(json[1].utf8)) as? [String: Any])
        #expect(second["Size"] as? String == "10.8kB" && second["SizeBytes"] as? Int == 10752 && second["ID"] as? String == "<missing>")
    }

    @Test func inspectTemplates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try store(dir)
        func inspect(_ format: String) throws -> String { try lading(["inspect", Self.image, "--format", format], store).out }
        #expect(try inspect("{{.Id}}") == "sha256:2984e26d971ac4b9e8be83ad61ef21d25074e16156be51da99cbd17fb971d606\n")
        #expect(try inspect("{{.Config.Env}} {{.Config.Cmd}} {{.Config.WorkingDir}} {{.Architecture}}/{{.Os}} {{.Size}}")
            == "[PATH=/usr/sbin:/usr/bin:/sbin:/bin] [/bin/sh] /opt/app amd64/linux 2009457\n")
        #expect(try inspect(#"{{json .RepoTags}} {{join .RepoTags ","}} {{index .Config.Labels "org.example.version"}} [{{index .Config.Labels "nope"}}] {{.Config.Labels.nope}}"#)
            == "[\"example.com/team/app:v2\"] example.com/team/app:v2 2 [] <no value>\n")
        #expect(try inspect("{{range $i, $l := .RootFS.Layers}}{{$i}}={{truncate $l 15}} {{end}}{{if .Config.Entrypoint}}E{{else}}no entrypoint{{end}}")
            == "0=sha256:285aa048 1=sha256:a8a0272c no entrypoint\n")
        #expect(try inspect("{{range .RootFS.Layers}}{{.}}\n{{end}}") == """
            sha256:285aa04819c4c1150ccf4a71cb4fd792942d366558dd2ba6b3badff1050ea9fe
            sha256:a8a0272c661e24eb0565ea7b1a50be38fa5da2ecbdd215f6ff41fd4ccb4be6c2


            """)
        #expect(try inspect("{{with .Author}}by {{.}}{{end}} {{printf \"%s-%d\" .Os .Size}} {{len .RootFS.Layers}}") == "by corpus linux-2009457 2\n")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(try inspect("{{json .Config}}").utf8)) as? [String: Any])
        #expect(config["Env"] as? [String] == ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(config["Tty"] as? Bool == false)
        // json: the array on one line.
        let arr = try #require(try JSONSerialization.jsonObject(with: Data(try inspect("json").utf8)) as? [[String: Any]])
        #expect(arr.first?["Id"] as? String == "sha256:2984e26d971ac4b9e8be83ad61ef21d25074e16156be51da99cbd17fb971d606")
        #expect(arr.first?["Size"] as? Int == 2_009_457)
        // docker's omitempty fields: empty in a template (not "no field"), left out of json.
        #expect(try inspect("[{{.Variant}}|{{.OsVersion}}|{{.Config.StopSignal}}|{{.Config.Healthcheck}}|{{len .Config.Shell}}]") == "[|||<nil>|0]\n")
        let whole = try inspect("{{json .}}")
        #expect(whole.hasPrefix("{\"Architecture\":\"amd64\""), "\(whole)")
        #expect(!whole.contains("Variant") && !whole.contains("OsVersion") && !whole.contains("Healthcheck"), "\(whole)")
        // Fields docker 28 always prints stay, empty as they are.
        #expect(whole.contains("\"DockerVersion\":\"\",") && whole.contains("\"Parent\":\"\","), "\(whole)")
        #expect(arr.first?["DockerVersion"] as? String == "")
        let bad = try lading(["inspect", Self.image, "--format", "{{.Nope}}"], store)
        #expect(bad.status == 2)
        #expect(bad.err.hasPrefix("Error: --format: template: can't evaluate field .Nope: no field Nope (fields: .Architecture .Author"), "\(bad.err)")
    }

    @Test func duTemplatesAndJSONSizes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try store(dir)
        let table = try lading(["du", "--format", "table {{.Repository}}:{{.Tag}}\\t{{.ID}}\\t{{.Size}}\\t{{.SizeBytes}}\\t{{.SharedSizeBytes}}\\t{{.UniqueSize}}"], store)
        #expect(table.out == """
            REPOSITORY:TAG            IMAGE ID       SIZE      SIZE (BYTES)   SHARED SIZE (BYTES)   UNIQUE SIZE
            example.com/team/app:v2   2984e26d971a   2.01MB    2009457        0                     2.01MB

            """)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(try lading(["du", "--format", "json"], store).out.utf8)) as? [String: Any])
        #expect(obj["TotalSize"] as? String == "2.01MB" && obj["TotalSizeBytes"] as? Int == 2_009_457)
        #expect(obj["LayersSize"] as? String == "2.01MB" && obj["LayersSizeBytes"] as? Int == 2_008_064)
        #expect(obj["Reclaimable"] as? String == "0B" && obj["ReclaimableBytes"] as? Int == 0)
        let image = try #require((obj["Images"] as? [[String: Any]])?.first)
        #expect(image["Names"] as? [String] == [Self.image])
        #expect(image["SizeBytes"] as? Int == 2_009_457 && image["UniqueSize"] as? String == "2.01MB" && image["SharedSizeBytes"] as? Int == 0)
    }

    /// What the template subset leaves out is named, as a usage error, before any output.
    @Test(arguments: [
        ("{{define \"x\"}}{{end}}", "{{define}} is not supported in --format"),
        ("{{template \"x\"}}", "{{template}} is not supported in --format"),
        ("{{.ID | nosuch}}", "function \"nosuch\" not defined (the functions are and, eq, index, join, json, len, lower, ne, not, or, pad, print, printf, println, split, title, truncate, upper)"),
        ("{{.ID", "unclosed action (no }})"),
        ("{{range .ID}}", "{{range}} without {{end}}"),
        ("{{.Nope}}", "can't evaluate field .Nope: no field Nope (fields: .Containers .CreatedAt .CreatedSince .Digest .ID .Repository .SharedSize .Size .SizeBytes .Tag .UniqueSize .VirtualSize)"),
        ("{{printf \"%x\" .ID}}", "printf: verb %x is not supported (%s, %v, %d, %q, %%)"),
    ])
    func unsupportedTemplatesAreNamed(_ format: String, _ message: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try store(dir)
        let r = try lading(["images", "--format", format], store)
        #expect(r.status == 2)
        #expect(r.out == "")
        #expect(r.err.split(separator: "\n").first.map(String.init) == "Error: --format: template: \(message)", "\(r.err)")
    }
}
