import ArgumentParser
import Foundation

/// The machine forms of a listing (`images`, `history`, `du`, `inspect`): one JSON
/// object per line for `--format json`, or each row through a Go template.
enum RowOutput {
    /// The text for `format`, or nil for `.standard` (the command prints its own table).
    /// - Parameters:
    ///   - rows: one value per row, the fields a template sees.
    ///   - headers: each field's column title for `table` templates (`ID` → `IMAGE ID`);
    ///     a field not listed is titled in capitals.
    /// - Throws: `ValidationError` (exit 2) when the template fails on a row (an unknown
    ///   field, a function given the wrong arguments).
    static func render(_ rows: [TemplateValue], _ format: OutputFormat, headers: [String: String]) throws -> String? {
        switch format {
        case .standard: return nil
        case .json: return rows.map { $0.json + "\n" }.joined()
        case .template(let t, let table):
            do {
                var out = ""
                if table {
                    var fields: [String: TemplateValue] = [:]
                    for case .object(let o) in rows.prefix(1) { for k in o.keys { fields[k] = .string(k.uppercased()) } }
                    for (k, h) in headers { fields[k] = .string(h) }
                    out += try t.execute(.object(fields), header: true) + "\n"
                }
                for r in rows { out += try t.execute(r) + "\n" }
                return table ? tabwriter(out) : out
            } catch let e as TemplateError {
                throw ValidationError("--format: template: \(e)")
            }
        }
    }
}

/// Go's text/tabwriter as docker sets it up (minimum width 10, padding 3, spaces): cells
/// end at a tab; each column is as wide as its widest tab-ended cell plus 3, at least 10;
/// the text after a line's last tab is not padded.
func tabwriter(_ text: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    var widths: [Int] = []
    for cells in lines {
        for (i, c) in cells.dropLast().enumerated() {
            if i == widths.count { widths.append(0) }
            widths[i] = max(widths[i], c.count)
        }
    }
    return lines.map { cells in
        cells.enumerated().map { i, c in
            i == cells.count - 1 ? String(c) : String(c).padding(toLength: max(widths[i] + 3, 10), withPad: " ", startingAt: 0)
        }.joined()
    }.joined(separator: "\n")
}
