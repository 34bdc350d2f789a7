import ArgumentParser
import Foundation

/// The values a command's `--format` takes.
protocol FormatChoices {
    /// The named formats, the default first (`table`, `json`).
    static var names: [String] { get }
    /// Whether a Go template (`'{{.ID}}'`, `'table {{.ID}}\t{{.Size}}'`) is accepted.
    static var templates: Bool { get }
    /// A field to show in the help's template example.
    static var exampleField: String { get }
}

/// `images`, `history`, `du`: docker's table, one JSON object per line, or a template.
enum ListingFormats: FormatChoices {
    static let names = ["table", "json"]
    static let templates = true
    static let exampleField = "ID"
}

/// `inspect`: an indented JSON array (the default), `json` (the array on one line), or a
/// template run once per image.
enum InspectFormats: FormatChoices {
    static let names = ["json"]
    static let templates = true
    static let exampleField = "Id"
}

/// `diff`, `verify`: lines of text or JSON.
enum ReportFormats: FormatChoices {
    static let names = ["text", "json"]
    static let templates = false
    static let exampleField = ""
}

/// A `--format` value once checked.
enum OutputFormat {
    /// The command's default human form (a table or lines of text).
    case standard
    case json
    /// A Go template, run per row; `table` prints a header row first and aligns the
    /// tab-separated cells as docker's tabwriter does.
    case template(GoTemplate, table: Bool)
}

/// `--format`, the one option type every command with a `--format` uses: a value that is
/// not one of the command's names (nor, where templates are taken, a template) is a usage
/// error (exit 2) saying what is accepted, in the same words on every command.
struct FormatOption<Choices: FormatChoices>: ParsableArguments {
    @Option(help: ArgumentHelp(Self.helpText, valueName: "format")) var format: String?

    static var accepted: String {
        var names = Choices.names.map { $0 }
        if Choices.templates { names.append("a Go template such as '{{.\(Choices.exampleField)}}'") }
        return names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }

    static var helpText: String {
        Choices.templates
            ? "\(accepted) ('table ' before a template prints a header row and aligns columns at \\t)."
            : "\(accepted)."
    }

    func validate() throws { _ = try parsed() }

    /// The checked format; `.standard` when none was given.
    /// - Throws: `ValidationError` (exit 2) for a value not accepted or a template that
    ///   does not parse.
    func parsed() throws -> OutputFormat {
        // As docker: an empty value is the default.
        guard let format, !format.isEmpty else { return .standard }
        if format == Choices.names.first, Choices.names.count > 1 { return .standard }
        if format == "json" { return .json }
        if Choices.templates, format.contains("{{") || format.hasPrefix("table ") {
            var text = Substring(format), table = false
            if text.hasPrefix("table ") { text = text.dropFirst(6); table = true }
            // As docker: surrounding blanks go, and the two-character \t and \n are a tab and a newline.
            let source = text.trimmingCharacters(in: .init(charactersIn: " "))
                .replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
            do { return .template(try GoTemplate(source), table: table) } catch {
                throw ValidationError("--format: template: \(error)")
            }
        }
        throw ValidationError("--format must be \(Self.accepted), not \"\(format)\"")
    }
}
