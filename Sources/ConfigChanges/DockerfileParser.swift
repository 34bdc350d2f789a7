/// One instruction of a Dockerfile fragment, as buildkit's parser leaves it
/// (`frontend/dockerfile/parser`): the name as written, its `--flags`, and its
/// arguments split by the instruction's own line parser.
struct ParsedNode: Sendable {
    /// The instruction word exactly as written (`ENV`, `env`, `Env`).
    var value: String
    /// The whole logical line, continuations joined.
    var original: String
    /// Builder flags (`--interval=5s`) taken off the front of the arguments.
    var flags: [String]
    /// The arguments; for ONBUILD, the trigger's name followed by its arguments.
    var args: [String]
    /// True when the arguments came from a JSON array (exec form).
    var json: Bool

    var lowered: String { value.lowercased() }
}

/// Reads `--change` text the way buildkit v0.18's `parser.Parse` reads a Dockerfile:
/// lines split on `\n` (trailing `\r` dropped), a leading BOM dropped, parser directives
/// (`# escape=` …) before the first other line, `#` comment lines skipped, a line ending
/// in the escape token continued onto the next non-comment, non-blank line.
struct DockerfileParser {
    private(set) var escape: Unicode.Scalar = "\\"
    private var directivesDone = false
    private var seenDirectives: Set<String> = []

    /// Parses `text` into nodes.
    /// - Throws: `ChangeError` (`.syntax` or `.invalidArgument`) with buildkit's message,
    ///   e.g. `file with no instructions`, `ENV must have two arguments`.
    static func parse(_ text: String) throws -> (nodes: [ParsedNode], escape: Unicode.Scalar) {
        var p = DockerfileParser()
        let nodes = try p.run(text)
        return (nodes, p.escape)
    }

    private mutating func run(_ text: String) throws -> [ParsedNode] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var nodes: [ParsedNode] = []
        var i = 0
        while i < lines.count {
            var raw = lines[i]
            if i == 0, raw.unicodeScalars.first == "\u{FEFF}" { raw = String(raw.unicodeScalars.dropFirst()) }
            let token = try processLine(raw, stripLeft: true)
            i += 1
            var (line, isEnd) = trimContinuation(token)
            if isEnd && line.isEmpty { continue }
            while !isEnd && i < lines.count {
                let next = lines[i]
                let t = try processLine(next, stripLeft: false)
                i += 1
                if Self.isComment(next) { continue }
                if GoText.trimLeftSpace(Self.trimNewline(t)).isEmpty { continue }
                let (part, end) = trimContinuation(t)
                line += part
                isEnd = end
            }
            nodes.append(try newNode(line))
        }
        if nodes.isEmpty { throw ChangeError(.syntax, "file with no instructions") }
        return nodes
    }

    static func trimNewline(_ s: String) -> String {
        var u = Array(s.unicodeScalars)
        while let l = u.last, l == "\r" || l == "\n" { u.removeLast() }
        return GoText.string(u)
    }

    static func isComment(_ s: String) -> Bool { GoText.trimLeftSpace(s).unicodeScalars.first == "#" }

    private mutating func processLine(_ raw: String, stripLeft: Bool) throws -> String {
        var token = Self.trimNewline(raw)
        if stripLeft { token = GoText.trimLeftSpace(token) }
        try possibleDirective(token)
        return Self.isComment(token) ? "" : token
    }

    /// buildkit's DirectiveParser: `^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$`
    /// for `escape`, `syntax` and `check`, only before any other line.
    private mutating func possibleDirective(_ line: String) throws {
        if directivesDone { return }
        guard let (key, value) = Self.matchDirective(line), ["escape", "syntax", "check"].contains(key.lowercased()) else {
            directivesDone = true
            return
        }
        let k = key.lowercased()
        if seenDirectives.contains(k) { throw ChangeError(.syntax, "only one \(k) parser directive can be used") }
        seenDirectives.insert(k)
        if k == "escape" {
            guard value == "`" || value == "\\" else {
                throw ChangeError(.syntax, "invalid escape token '\(value)' does not match ` or \\")
            }
            escape = value.unicodeScalars.first!
        }
    }

    static func matchDirective(_ line: String) -> (String, String)? {
        let u = Array(line.unicodeScalars)
        func blank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }
        func alpha(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
        func alnum(_ c: Unicode.Scalar) -> Bool { alpha(c) || (c >= "0" && c <= "9") }
        var i = 0
        guard i < u.count, u[i] == "#" else { return nil }
        i += 1
        while i < u.count, blank(u[i]) { i += 1 }
        guard i < u.count, alpha(u[i]) else { return nil }
        let ks = i
        while i < u.count, alnum(u[i]) { i += 1 }
        let key = GoText.string(u[ks..<i])
        while i < u.count, blank(u[i]) { i += 1 }
        guard i < u.count, u[i] == "=" else { return nil }
        i += 1
        while i < u.count, blank(u[i]) { i += 1 }
        var e = u.count
        while e > i, blank(u[e - 1]) { e -= 1 }
        guard e > i else { return nil }
        return (key, GoText.string(u[i..<e]))
    }

    /// `([^E])E[ \t]*$|^E[ \t]*$` → `$1`, where E is the escape token.
    private func trimContinuation(_ line: String) -> (String, Bool) {
        let u = Array(line.unicodeScalars)
        var j = u.count
        while j > 0, u[j - 1] == " " || u[j - 1] == "\t" { j -= 1 }
        guard j > 0, u[j - 1] == escape else { return (line, true) }
        if j == 1 { return ("", false) }
        if u[j - 2] == escape { return (line, true) }
        return (GoText.string(u[..<(j - 1)]), false)
    }

    /// `newNodeFromLine`: split off the instruction word and the flags, then run the
    /// instruction's line parser.
    func newNode(_ line: String) throws -> ParsedNode {
        let parts = GoText.splitTokenSpace(GoText.trimSpace(line), limit: 2)
        let cmd = parts[0]
        var flags: [String] = []
        var rest = ""
        if parts.count == 2 { (rest, flags) = Self.extractBuilderFlags(parts[1]) }
        rest = GoText.trimSpace(rest)
        let lp = LineParsers(escape: escape)
        var args: [String] = []
        var json = false
        switch cmd.lowercased() {
        case "env": args = try lp.nameVal(rest, key: "ENV")
        case "label": args = try lp.nameVal(rest, key: "LABEL")
        case "cmd", "entrypoint", "run", "shell": (args, json) = try lp.maybeJSON(rest)
        case "add", "copy", "volume": (args, json) = try lp.maybeJSONToList(rest)
        case "expose", "from": args = lp.whitespaceDelimited(rest)
        case "healthcheck": (args, json) = try lp.healthConfig(rest)
        case "maintainer", "stopsignal", "user", "workdir": args = rest.isEmpty ? [] : [rest]
        case "arg": args = lp.words(rest)
        case "onbuild":
            if !rest.isEmpty {
                let child = try newNode(rest)
                args = [child.value] + child.args
            }
        default: break
        }
        return ParsedNode(value: cmd, original: line, flags: flags, args: args, json: json)
    }

    /// `extractBuilderFlags`: leading words that start with `--`, quotes and
    /// backslashes processed; a bare `--` ends the flags.
    static func extractBuilderFlags(_ line: String) -> (rest: String, flags: [String]) {
        let u = Array(line.unicodeScalars)
        enum Phase { case spaces, word, quote }
        var words: [String] = []
        var phase = Phase.spaces
        var word: [Unicode.Scalar] = []
        var quote: Unicode.Scalar = "\0"
        var blankOK = false
        var pos = 0
        while pos <= u.count {
            let ch: Unicode.Scalar = pos < u.count ? u[pos] : "\0"
            if phase == .spaces {
                if pos == u.count { break }
                if GoText.isSpace(ch) { pos += 1; continue }
                if ch != "-" || pos + 1 == u.count || u[pos + 1] != "-" {
                    return (GoText.string(u[pos...]), words)
                }
                phase = .word
            }
            if phase != .spaces && pos == u.count {
                let w = GoText.string(word)
                if w != "--" && (blankOK || !word.isEmpty) { words.append(w) }
                break
            }
            if phase == .word {
                if GoText.isSpace(ch) {
                    phase = .spaces
                    let w = GoText.string(word)
                    if w == "--" { return (GoText.string(u[pos...]), words) }
                    if blankOK || !word.isEmpty { words.append(w) }
                    word = []
                    blankOK = false
                    pos += 1
                    continue
                }
                if ch == "'" || ch == "\"" {
                    quote = ch
                    blankOK = true
                    phase = .quote
                    pos += 1
                    continue
                }
                var c = ch
                if c == "\\" {
                    if pos + 1 == u.count { pos += 1; continue }
                    pos += 1
                    c = u[pos]
                }
                word.append(c)
                pos += 1
                continue
            }
            // in quote
            if ch == quote {
                phase = .word
                pos += 1
                continue
            }
            var c = ch
            if c == "\\" {
                if pos + 1 == u.count { phase = .word; pos += 1; continue }
                pos += 1
                c = u[pos]
            }
            word.append(c)
            pos += 1
        }
        return ("", words)
    }
}
