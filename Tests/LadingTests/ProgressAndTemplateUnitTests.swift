import Foundation
import Testing
import TestSupport
@testable import LadingCLI

/// The pure parts of the output: the progress line at each width, docker's tabwriter,
/// and the template engine's evaluation rules.
@Suite struct ProgressLineTests {
    @Test(arguments: [
        (nil, "Saving  1.05MB / 2.01MB  52%"), (80, "Saving  1.05MB / 2.01MB  52%"), (29, "Saving  1.05MB / 2.01MB  52%"),
        (28, "Saving 1.05MB/2.01MB 52%"), (25, "Saving 1.05MB/2.01MB 52%"), (24, "1.05MB/2.01MB 52%"),
        (18, "1.05MB/2.01MB 52%"), (17, "52%"), (4, "52%"), (3, "52"), (1, ""), (0, ""),
    ] as [(Int?, String)])
    func aLineWithATotalFitsTheWidth(_ width: Int?, _ line: String) {
        #expect(ProgressDisplay.line("Saving", done: 1_050_000, total: 2_009_457, width: width) == line)
        if let width { #expect(line.count <= max(0, width - 1)) }
    }

    @Test func theTotalBoundsWhatIsShown() {
        #expect(ProgressDisplay.line("Verifying", done: 5_000_000, total: 2_009_457, width: nil) == "Verifying  2.01MB / 2.01MB  99%")
        #expect(ProgressDisplay.line("Copying", done: 0, total: 2_009_457, width: nil) == "Copying  0B / 2.01MB  0%")
        #expect(ProgressDisplay.line("Loading", done: 3200, total: nil, width: nil) == "Loading  3.2kB")
        #expect(ProgressDisplay.line("Loading", done: 3200, total: 0, width: 14) == "Loading 3.2kB")
        #expect(ProgressDisplay.line("Loading", done: 3200, total: nil, width: 10) == "3.2kB")
    }

    @Test func tabwriterAlignsAsDockerDoes() {
        #expect(tabwriter("A\tBB\tC\nlonger cell\tx\ty\n") == "A             BB        C\nlonger cell   x         y\n")
        #expect(tabwriter("only\n") == "only\n")
    }
}

@Suite struct TemplateEngineTests {
    static let row = TemplateValue.object([
        "Name": .string("app"), "Tags": .array([.string("v1"), .string("v2")]), "N": .int(3), "Empty": .string(""),
        "Labels": .map(["a": .string("1")]), "Flag": .bool(true), "Nil": .null, "Text": .string("<a&b>"),
    ])

    func run(_ source: String) throws -> String { try GoTemplate(source).execute(Self.row) }

    @Test(arguments: [
        ("{{.Name}}", "app"), ("{{.Tags}}", "[v1 v2]"), ("{{.Labels}}", "map[a:1]"), ("{{.Nil}}", "<nil>"),
        ("{{json .Tags}}", "[\"v1\",\"v2\"]"), ("{{json .Text}}", "\"<a&b>\""), ("{{.Labels.zz}}", "<no value>"),
        ("{{index .Tags 1}}", "v2"), ("{{index .Labels \"a\"}}", "1"), ("{{join .Tags \", \"}}", "v1, v2"),
        ("{{join (split \"a:b:c\" \":\") \"-\"}}", "a-b-c"), ("{{.Name | upper}}", "APP"), ("{{title .Name}}", "App"),
        ("{{pad .Name 1 2}}|", " app  |"), ("{{pad .Empty 1 2}}|", "|"), ("{{len .Tags}} {{len .Name}}", "2 3"),
        ("{{if .Empty}}x{{else if .Flag}}y{{else}}z{{end}}", "y"), ("{{if not .Flag}}x{{else}}z{{end}}", "z"),
        ("{{if and .Flag .N}}a{{end}}{{if or .Empty .Nil}}b{{end}}", "a"), ("{{if eq .Name \"x\" \"app\"}}eq{{end}}{{if ne .N 3}}ne{{end}}", "eq"),
        ("{{range $i, $t := .Tags}}{{$i}}:{{$t}}:{{$.Name}} {{end}}", "0:v1:app 1:v2:app "),
        ("{{range .Labels}}{{.}}{{end}}", "1"), ("{{range .Nil}}x{{else}}none{{end}}", "none"),
        ("{{with .Name}}[{{.}}]{{end}}{{with .Empty}}no{{end}}", "[app]"), ("{{$n := .Name}}{{$n}}", "app"),
        ("a  {{- /* note */ -}}  b", "ab"), ("a {{- .Name -}} b", "aappb"), ("{{print .N .N}} {{print .Name .N}}", "3 3 app3"),
        ("{{println .Name .N}}", "app 3\n"), ("{{printf \"%s=%d %q %v%%\" .Name .N .Name .Flag}}", "app=3 \"app\" true%"),
        ("{{`raw\\t`}} {{\"esc\\t\"}}", "raw\\t esc\t"), ("{{(index .Tags 0) | upper}}", "V1"),
    ])
    func evaluates(_ source: String, _ output: String) throws {
        #expect(try run(source) == output, "\(source)")
    }

    @Test func aHeaderRowLeavesTitlesAsTheyAre() throws {
        let titles = TemplateValue.object(["Name": .string("NAME"), "Tags": .string("TAGS")])
        let t = try GoTemplate("{{upper .Name}}|{{join .Tags \",\"}}|{{json .Name}}|{{truncate .Name 2}}|{{pad .Name 1 0}}")
        #expect(try t.execute(titles, header: true) == "NAME|TAGS|NAME|NAME| NAME")
        #expect(try t.execute(Self.row) == "APP|v1,v2|\"app\"|ap| app")
    }

    @Test(arguments: [
        ("{{block \"x\" .}}{{end}}", "{{block}} is not supported in --format"),
        ("{{break}}", "{{break}} is not supported in --format"),
        ("{{end}}", "unexpected {{end}}"),
        ("{{if .Flag}}x", "{{if}} without {{end}}"),
        ("{{.Name 1}}", nil), ("{{.Name.X}}", nil), ("{{.Nil.X}}", nil), ("{{$x}}", nil),
        ("{{join .Name \",\"}}", nil), ("{{...}}", "bad field syntax: ..."), ("{{.Name.}}", "bad field syntax: .Name."), ("{{pad .Name 99999999999 0}}", nil), ("{{range 5}}x{{end}}", nil),
        (String(repeating: "{{if .Flag}}", count: 101), "blocks nested more than 100 deep"),
        ("{{" + String(repeating: "(", count: 5000) + ".Name" + String(repeating: ")", count: 5000) + "}}", "parentheses nested more than 100 deep"), ("{{index .Tags 5}}", nil), ("{{upper .N}}", nil), ("{{$x = 1}}", nil),
    ] as [(String, String?)])
    func refuses(_ source: String, _ message: String?) {
        do {
            let out = try run(source)
            Issue.record("\(source) gave \(out)")
        } catch let e as TemplateError {
            if let message { #expect(e.description == message) }
        } catch {
            Issue.record("\(source): \(error)")
        }
    }
}
