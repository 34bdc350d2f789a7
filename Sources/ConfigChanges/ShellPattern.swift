/// Shell wildcard patterns in `${V#p}`, `${V%p}` and `${V/p/r}`, matched as buildkit
/// matches them: converted to a Go regular expression (`*` → `.*` or `.*?`, `?` → `.`,
/// neither crossing a newline) and searched leftmost-first.
enum ShellPattern {
    enum Token: Equatable { case star, any, literal(Unicode.Scalar) }

    /// `convertShellPatternToRegex`'s reading of the pattern.
    static func compile(_ pattern: String) throws -> [Token] {
        let u = Array(pattern.unicodeScalars)
        var out: [Token] = []
        var i = 0
        while i < u.count {
            let t = u[i]
            i += 1
            switch t {
            case "*": out.append(.star)
            case "?": out.append(.any)
            case "\\":
                if i < u.count, u[i] == "}" || u[i] == "/" { continue }
                let n: Unicode.Scalar? = i < u.count ? u[i] : nil
                i += 1
                guard let n, n == "*" || n == "?" || n == "\\" else {
                    throw GoError("invalid escape '\\\(n.map { String($0) } ?? "\u{FFFD}")'")
                }
                out.append(.literal(n))
            default: out.append(.literal(t))
            }
        }
        return out
    }

    /// The end of the leftmost-first match of `tokens` starting exactly at `start`.
    static func matchEnd(_ tokens: [Token], _ s: [Unicode.Scalar], from start: Int, greedy: Bool) -> Int? {
        func go(_ t: Int, _ p: Int) -> Int? {
            if t == tokens.count { return p }
            switch tokens[t] {
            case .literal(let c):
                return p < s.count && s[p] == c ? go(t + 1, p + 1) : nil
            case .any:
                return p < s.count && s[p] != "\n" ? go(t + 1, p + 1) : nil
            case .star:
                var limit = p
                while limit < s.count, s[limit] != "\n" { limit += 1 }
                if greedy {
                    var q = limit
                    while q >= p { if let r = go(t + 1, q) { return r }; q -= 1 }
                } else {
                    for q in p...limit { if let r = go(t + 1, q) { return r } }
                }
                return nil
            }
        }
        return go(0, start)
    }

    static func trimPrefix(_ pattern: String, _ value: String, greedy: Bool) throws -> String {
        let tokens = try compile(pattern)
        let v = Array(value.unicodeScalars)
        guard let end = matchEnd(tokens, v, from: 0, greedy: greedy) else { return value }
        return GoText.string(v[end...])
    }

    static func trimSuffix(_ pattern: String, _ value: String, greedy: Bool) throws -> String {
        let reversed = try trimPrefix(reversePattern(pattern), GoText.string(value.unicodeScalars.reversed()), greedy: greedy)
        return GoText.string(reversed.unicodeScalars.reversed())
    }

    /// Reverses a pattern, keeping each `\x` pair in order.
    static func reversePattern(_ pattern: String) -> String {
        let p = Array(pattern.unicodeScalars)
        var out = p
        let last = p.count - 1
        var i = 0
        while i <= last {
            let o = last - i
            if p[i] == "\\" && i != last {
                out[o - 1] = p[i]
                out[o] = p[i + 1]
                i += 2
            } else {
                out[o] = p[i]
                i += 1
            }
        }
        return GoText.string(out)
    }

    /// `${V/p/r}` (first match, literal replacement) and `${V//p/r}` (every match,
    /// replacement expanded as Go's `ReplaceAllString` does: `$0`, `$$`).
    static func replace(_ pattern: String, in value: String, with replacement: String, all: Bool) throws -> String {
        let tokens = try compile(pattern)
        let v = Array(value.unicodeScalars)
        func find(from: Int) -> (Int, Int)? {
            guard from <= v.count else { return nil }
            for start in from...v.count {
                if let end = matchEnd(tokens, v, from: start, greedy: true) { return (start, end) }
            }
            return nil
        }
        if !all {
            guard let (a, b) = find(from: 0) else { return value }
            return GoText.string(v[..<a]) + replacement + GoText.string(v[b...])
        }
        var out = ""
        var lastEnd = 0
        var search = 0
        while search <= v.count, let (a, b) = find(from: search) {
            out += GoText.string(v[lastEnd..<a])
            if b > lastEnd || a == 0 { out += expand(replacement, match: GoText.string(v[a..<b])) }
            lastEnd = b
            if search + 1 > b { search += 1 } else { search = b }
        }
        return out + GoText.string(v[min(lastEnd, v.count)...])
    }

    /// Go's `Regexp.Expand` for a pattern without groups other than the whole match.
    static func expand(_ template: String, match: String) -> String {
        let u = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func nameChar(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
        }
        while i < u.count {
            guard u[i] == "$" else { out.append(u[i]); i += 1; continue }
            i += 1
            if i < u.count, u[i] == "$" { out.append("$"); i += 1; continue }
            var name: [Unicode.Scalar] = []
            var j = i
            if j < u.count, u[j] == "{" {
                j += 1
                while j < u.count, nameChar(u[j]) { name.append(u[j]); j += 1 }
                guard !name.isEmpty, j < u.count, u[j] == "}" else { out.append("$"); continue }
                j += 1
            } else {
                while j < u.count, nameChar(u[j]) { name.append(u[j]); j += 1 }
                guard !name.isEmpty else { out.append("$"); continue }
            }
            i = j
            let n = GoText.string(name)
            if n.unicodeScalars.allSatisfy({ $0 >= "0" && $0 <= "9" }), let num = Int(n), num == 0 {
                out.append(contentsOf: match.unicodeScalars)
            }
        }
        return String(out)
    }
}
