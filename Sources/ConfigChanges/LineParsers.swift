/// buildkit's per-instruction line parsers (`parser/line_parsers.go`): how the text
/// after the instruction word becomes arguments. No variable expansion happens here.
struct LineParsers {
    let escape: Unicode.Scalar

    /// `parseWords`: split on unquoted whitespace, keeping quotes and escapes in the
    /// words (they are removed later, by expansion).
    func words(_ rest: String) -> [String] {
        let u = Array(rest.unicodeScalars)
        enum Phase { case spaces, word, quote }
        var words: [String] = []
        var phase = Phase.spaces
        var quote: Unicode.Scalar = "\0"
        var blankOK = false
        var sb: [Unicode.Scalar] = []
        var pos = 0
        while pos <= u.count {
            var ch: Unicode.Scalar = pos < u.count ? u[pos] : "\0"
            if phase == .spaces {
                if pos == u.count { break }
                if GoText.isSpace(ch) { pos += 1; continue }
                phase = .word
            }
            if pos == u.count {
                if blankOK || !sb.isEmpty { words.append(GoText.string(sb)) }
                break
            }
            if phase == .word {
                if GoText.isSpace(ch) {
                    phase = .spaces
                    if blankOK || !sb.isEmpty { words.append(GoText.string(sb)) }
                    sb = []
                    blankOK = false
                    pos += 1
                    continue
                }
                if ch == "'" || ch == "\"" {
                    quote = ch
                    blankOK = true
                    phase = .quote
                }
                if ch == escape {
                    if pos + 1 == u.count { pos += 1; continue }
                    sb.append(ch)
                    pos += 1
                    ch = u[pos]
                }
                sb.append(ch)
                pos += 1
                continue
            }
            if ch == quote { phase = .word }
            if ch == escape && quote != "'" {
                if pos + 1 == u.count { phase = .word; pos += 1; continue }
                pos += 1
                sb.append(ch)
                ch = u[pos]
            }
            sb.append(ch)
            pos += 1
        }
        return words
    }

    /// `parseNameVal` for ENV and LABEL: `k=v k2="v 2"` or the legacy `k the value`.
    /// Returns key, value, key, value… (values still quoted).
    func nameVal(_ rest: String, key: String) throws -> [String] {
        let ws = words(rest)
        guard let first = ws.first else { return [] }
        if !first.contains("=") {
            let parts = GoText.splitTokenSpace(rest, limit: 2)
            guard parts.count == 2 else { throw ChangeError(.invalidArgument, "\(key) must have two arguments", instruction: key) }
            return [parts[0], parts[1]]
        }
        var out: [String] = []
        for w in ws {
            guard let eq = w.firstIndex(of: "=") else {
                throw ChangeError(.invalidArgument, "Syntax error - can't find = in \(GoText.quote(w)). Must be of the form: name=value", instruction: key)
            }
            out.append(String(w[..<eq]))
            out.append(String(w[w.index(after: eq)...]))
        }
        return out
    }

    /// `parseMaybeJSON`: a JSON array of strings (exec form), or the whole text.
    func maybeJSON(_ rest: String) throws -> ([String], Bool) {
        if rest.isEmpty { return ([], false) }
        switch JSONStringArray.parse(rest) {
        case .strings(let a): return (a, true)
        case .notStrings: throw ChangeError(.syntax, "when using JSON array syntax, arrays must be comprised of strings only")
        case .notJSON: return ([rest], false)
        }
    }

    /// `parseMaybeJSONToList`: a JSON array of strings, or whitespace-separated words.
    func maybeJSONToList(_ rest: String) throws -> ([String], Bool) {
        switch JSONStringArray.parse(rest) {
        case .strings(let a): return (a, true)
        case .notStrings: throw ChangeError(.syntax, "when using JSON array syntax, arrays must be comprised of strings only")
        case .notJSON: return (whitespaceDelimited(rest), false)
        }
    }

    /// `parseStringsWhitespaceDelimited`.
    func whitespaceDelimited(_ rest: String) -> [String] {
        rest.isEmpty ? [] : GoText.splitTokenSpace(rest)
    }

    /// `parseHealthConfig`: a type word, then the command as in `parseMaybeJSON`.
    func healthConfig(_ rest: String) throws -> ([String], Bool) {
        let u = Array(rest.unicodeScalars)
        var sep = 0
        while sep < u.count, !GoText.isSpace(u[sep]) { sep += 1 }
        var next = sep
        while next < u.count, GoText.isSpace(u[next]) { next += 1 }
        if sep == 0 { return ([], false) }
        let (cmd, json) = try maybeJSON(GoText.string(u[next...]))
        return ([GoText.string(u[..<sep])] + cmd, json)
    }
}
