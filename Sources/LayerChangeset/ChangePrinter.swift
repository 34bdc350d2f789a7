import Foundation

/// Renders change lists for people and programs.
public enum ChangePrinter {
    /// docker's lines, `A /path` one per line, each ending in `\n`. Paths with spaces,
    /// quotes, backslashes, control characters or bytes that are not UTF-8 are printed
    /// double-quoted with C escapes (`LayerPath.escape`), so every line reads back to one path.
    public static func lines(_ changes: [Change]) -> String {
        changes.map { "\($0.kind.rawValue) \($0.path)\n" }.joined()
    }

    /// `A /path\0` per change with the raw path bytes unescaped, for `xargs -0` and friends.
    public static func nulSeparated(_ changes: [Change]) -> [UInt8] {
        var out: [UInt8] = []
        for c in changes {
            out += Array(c.kind.rawValue.utf8) + [0x20] + c.path.absoluteBytes + [0]
        }
        return out
    }

    /// A JSON array of `{"Kind": "A", "Path": "/x", "Changed": ["mode"]}`; `Kind` as docker's
    /// API numbers it is in `KindCode` (0 = C, 1 = A, 2 = D). A path that is not UTF-8 is
    /// given escaped in `Path` and exactly, base64, in `PathBytes`. Keys sorted, no spaces.
    public static func json(_ changes: [Change]) -> String {
        struct Row: Encodable {
            var Kind: String
            var KindCode: Int
            var Path: String
            var PathBytes: String?
            var Changed: [String]?
        }
        let rows = changes.map { c -> Row in
            let raw = c.path.absoluteBytes
            let utf8 = String(validating: raw, as: UTF8.self)
            let code = c.kind == .changed ? 0 : c.kind == .added ? 1 : 2
            return Row(Kind: c.kind.rawValue, KindCode: code, Path: utf8 ?? LayerPath.escape(raw),
                       PathBytes: utf8 == nil ? Data(raw).base64EncodedString() : nil,
                       Changed: c.kind == .changed ? c.attributes.map(\.rawValue) : nil)
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? enc.encode(rows)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
