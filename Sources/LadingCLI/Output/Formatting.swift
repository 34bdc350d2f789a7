import Foundation
import Lading

/// docker's human-readable output conventions (docker/cli formatter, go-units).
enum Human {
    /// `%.3g` with 1000-based units: `0B`, `4.26MB`, `77.9MB`.
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var v = Double(bytes)
        var i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return "\(g3(v))\(units[i])"
    }

    static func g3(_ v: Double) -> String {
        if v == 0 { return "0" }
        var s = String(format: "%.3g", v)
        if s.contains("e") { return s }
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// go-units `HumanDuration`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 1 { return "Less than a second" }
        if s == 1 { return "1 second" }
        if s < 60 { return "\(s) seconds" }
        let m = s / 60
        if m == 1 { return "About a minute" }
        if m < 60 { return "\(m) minutes" }
        let h = Int((Double(s) / 3600).rounded())
        if h == 1 { return "About an hour" }
        if h < 48 { return "\(h) hours" }
        if h < 24 * 7 * 2 { return "\(h / 24) days" }
        if h < 24 * 30 * 2 { return "\(h / 24 / 7) weeks" }
        if h < 24 * 365 * 2 { return "\(h / 24 / 30) months" }
        return "\(h / 24 / 365) years"
    }

    static func parseTime(_ s: String?) -> Date? {
        guard let s, !s.isEmpty else { return nil }
        return parseRFC3339(s)
    }

    static func ago(_ created: String?) -> String {
        guard let d = parseTime(created) else { return "N/A" }
        return "\(duration(Date().timeIntervalSince(d))) ago"
    }
}

/// Go's text/tabwriter as docker sets it up (minimum width 10, padding 3, spaces): each
/// column is as wide as its widest cell that has a cell after it, plus 3, at least 10; a
/// line's last cell is not padded.
func table(_ rows: [[String]]) -> String {
    var widths: [Int] = []
    for cells in rows {
        for (i, c) in cells.dropLast().enumerated() {
            if i == widths.count { widths.append(0) }
            widths[i] = max(widths[i], c.count)
        }
    }
    return rows.map { cells in
        cells.enumerated().map { i, c in
            i == cells.count - 1 ? c : c.padding(toLength: max(widths[i] + 3, 10), withPad: " ", startingAt: 0)
        }.joined()
    }.joined(separator: "\n")
}

/// `table` over text whose cells end at a tab, as a `table` template prints them.
func tabwriter(_ text: String) -> String {
    table(text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) })
}

func jsonLine(_ object: Any) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}
