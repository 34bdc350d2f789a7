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
