/// The subset of Go's text/template that scripts give docker's `--format`: actions
/// `{{PIPELINE}}` with `{{-`/`-}}` trimming and `{{/* comments */}}`; fields `.A.B`,
/// `.`, `$`, variables `$x`; string, number, `true`/`false`/`nil` literals; pipelines
/// `a | f`; parentheses; `if`/`else if`/`else`, `range` (with `$i, $e :=`), `with`, `end`.
/// Anything else (`define`, `template`, `block`, `break`, `continue`, ...) is refused by
/// name when the template is parsed.
struct GoTemplate {
    let nodes: [TemplateNode]

    /// - Throws: `TemplateError` naming the unsupported construct or the syntax error.
    init(_ source: String) throws {
        var parser = TemplateParser(items: try TemplateLexer.items(source))
        let (nodes, end) = try parser.list()
        if let end { throw TemplateError("unexpected {{\(end.first.map(\.text) ?? "")}}") }
        self.nodes = nodes
    }
}

struct TemplateError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

indirect enum TemplateNode {
    case text(String)
    case action(TemplatePipeline)
    case ifNode(TemplatePipeline, [TemplateNode], [TemplateNode])
    case range(TemplatePipeline, [TemplateNode], [TemplateNode])
    case with(TemplatePipeline, [TemplateNode], [TemplateNode])
}

struct TemplatePipeline {
    /// `$x :=` or `$i, $e :=` before the commands.
    var declared: [String] = []
    var commands: [[TemplateOperand]] = []
}

indirect enum TemplateOperand {
    /// `.` followed by fields (none for `.` itself).
    case dot([String])
    /// `$` or `$name`, then fields.
    case variable(String, [String])
    case function(String)
    case literal(TemplateValue)
    case group(TemplatePipeline, [String])
}

struct TemplateToken: Equatable {
    enum Kind { case field, variable, identifier, string, number, pipe, open, close, declare, comma }
    var kind: Kind
    var text: String
}

/// Splits a template into text and the tokens of each action.
enum TemplateLexer {
    enum Item { case text(String), action([TemplateToken]) }

    static func items(_ source: String) throws -> [Item] {
        var items: [Item] = []
        var rest = Substring(source)
        var trimNext = false
        while !rest.isEmpty {
            guard let open = rest.range(of: "{{") else {
                items.append(.text(trimNext ? String(rest.drop(while: \.isWhitespace)) : String(rest)))
                break
            }
            var text = rest[..<open.lowerBound]
            if trimNext { text = text.drop(while: \.isWhitespace) }
            var body = rest[open.upperBound...]
            if body.hasPrefix("- ") || body.hasPrefix("-\t") || body.hasPrefix("-\n") {
                while let l = text.last, l.isWhitespace { text.removeLast() }
                body = body.dropFirst(2)
            }
            if !text.isEmpty { items.append(.text(String(text))) }
            if body.drop(while: \.isWhitespace).hasPrefix("/*") {
                guard let close = body.range(of: "*/") else { throw TemplateError("unclosed comment") }
                let after = body[close.upperBound...].drop(while: \.isWhitespace)
                if after.hasPrefix("-}}") { trimNext = true; rest = after.dropFirst(3) }
                else if after.hasPrefix("}}") { trimNext = false; rest = after.dropFirst(2) }
                else { throw TemplateError("comment ends before closing delimiter") }
                continue
            }
            let (tokens, after, trim) = try action(body)
            items.append(.action(tokens))
            trimNext = trim
            rest = after
        }
        return items
    }

    /// The tokens of one action up to `}}`; the rest of the source; whether `-}}` ended it.
    static func action(_ s: Substring) throws -> ([TemplateToken], Substring, Bool) {
        var tokens: [TemplateToken] = []
        var i = s.startIndex
        func isIdent(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        while i < s.endIndex {
            let c = s[i]
            let rest = s[i...]
            if rest.hasPrefix("}}") { return (tokens, s[s.index(i, offsetBy: 2)...], false) }
            if c.isWhitespace {
                let after = rest.drop(while: \.isWhitespace)
                if after.hasPrefix("-}}") { return (tokens, after.dropFirst(3), true) }
                i = after.startIndex
                continue
            }
            var j = s.index(after: i)
            switch c {
            case "|": tokens.append(.init(kind: .pipe, text: "|"))
            case "(": tokens.append(.init(kind: .open, text: "("))
            case ")": tokens.append(.init(kind: .close, text: ")"))
            case ",": tokens.append(.init(kind: .comma, text: ","))
            case ":", "=":
                if c == ":", j < s.endIndex, s[j] == "=" { j = s.index(after: j); tokens.append(.init(kind: .declare, text: ":=")) }
                else { throw TemplateError("assignment with \(c) is not supported (only $x := in range and actions)") }
            case ".", "$":
                while j < s.endIndex, isIdent(s[j]) || s[j] == "." { j = s.index(after: j) }
                tokens.append(.init(kind: c == "." ? .field : .variable, text: String(s[i..<j])))
            case "\"", "`":
                var escaped = false
                while j < s.endIndex, escaped || s[j] != c {
                    escaped = c == "\"" && !escaped && s[j] == "\\"
                    j = s.index(after: j)
                }
                guard j < s.endIndex else { throw TemplateError("unterminated quoted string") }
                j = s.index(after: j)
                tokens.append(.init(kind: .string, text: String(s[i..<j])))
            default:
                if c.isNumber || c == "-" || c == "+" {
                    while j < s.endIndex, s[j].isNumber || s[j] == "." { j = s.index(after: j) }
                    tokens.append(.init(kind: .number, text: String(s[i..<j])))
                } else if isIdent(c) {
                    while j < s.endIndex, isIdent(s[j]) { j = s.index(after: j) }
                    tokens.append(.init(kind: .identifier, text: String(s[i..<j])))
                } else {
                    throw TemplateError("unexpected \"\(c)\" in action")
                }
            }
            i = j
        }
        throw TemplateError("unclosed action (no }})")
    }
}

/// Builds nodes from the lexer's items.
struct TemplateParser {
    let items: [TemplateLexer.Item]
    var at = 0
    /// Blocks (`if`, `range`, `with`) and parentheses open at this point.
    var depth = 0
    static let maxDepth = 100
    static let unsupported: Set<String> = ["define", "template", "block", "break", "continue"]

    /// Nodes up to an `{{else…}}` or `{{end}}` (returned, as tokens) or the end of input.
    mutating func list() throws -> ([TemplateNode], [TemplateToken]?) {
        var nodes: [TemplateNode] = []
        while at < items.count {
            let item = items[at]
            at += 1
            guard case .action(let tokens) = item else {
                if case .text(let t) = item { nodes.append(.text(t)) }
                continue
            }
            guard let first = tokens.first else { throw TemplateError("missing value for command") }
            let head = first.kind == .identifier ? first.text : ""
            if Self.unsupported.contains(head) { throw TemplateError("{{\(head)}} is not supported in --format") }
            switch head {
            case "end", "else": return (nodes, tokens)
            case "if": nodes.append(try branch("if", Array(tokens.dropFirst())))
            case "range": nodes.append(try branch("range", Array(tokens.dropFirst())))
            case "with": nodes.append(try branch("with", Array(tokens.dropFirst())))
            default: nodes.append(.action(try pipeline(tokens)))
            }
        }
        return (nodes, nil)
    }

    /// An if, range or with after its keyword, through its `{{end}}`.
    mutating func branch(_ keyword: String, _ tokens: [TemplateToken]) throws -> TemplateNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw TemplateError("blocks nested more than \(Self.maxDepth) deep") }
        let pipe = try pipeline(tokens)
        let (then, end) = try list()
        guard let end else { throw TemplateError("{{\(keyword)}} without {{end}}") }
        var otherwise: [TemplateNode] = []
        if end.first?.text == "else" {
            if end.count > 1 {
                guard end[1].text == "if" || end[1].text == "with", end[1].kind == .identifier else {
                    throw TemplateError("unexpected \(end[1].text) after {{else}}")
                }
                otherwise = [try branch(end[1].text, Array(end.dropFirst(2)))]
            } else {
                let (nodes, close) = try list()
                guard let close, close.first?.text == "end", close.count == 1 else { throw TemplateError("{{\(keyword)}} without {{end}}") }
                otherwise = nodes
            }
        } else if end.count > 1 {
            throw TemplateError("unexpected \(end[1].text) in {{end}}")
        }
        switch keyword {
        case "if": return .ifNode(pipe, then, otherwise)
        case "range": return .range(pipe, then, otherwise)
        default: return .with(pipe, then, otherwise)
        }
    }

    func pipeline(_ tokens: [TemplateToken], nesting: Int = 0) throws -> TemplatePipeline {
        guard nesting + depth <= Self.maxDepth else { throw TemplateError("parentheses nested more than \(Self.maxDepth) deep") }
        var p = TemplatePipeline()
        var t = tokens[...]
        if let d = t.firstIndex(where: { $0.kind == .declare }) {
            let names = t[..<d].filter { $0.kind != .comma }
            guard !names.isEmpty, names.count <= 2, names.allSatisfy({ $0.kind == .variable && !$0.text.contains(".") }) else {
                throw TemplateError("bad declaration before :=")
            }
            p.declared = names.map(\.text)
            t = t[(d + 1)...]
        }
        var command: [TemplateOperand] = []
        while let tok = t.first {
            t = t.dropFirst()
            switch tok.kind {
            case .pipe:
                guard !command.isEmpty else { throw TemplateError("missing command before |") }
                p.commands.append(command)
                command = []
            case .open:
                var depth = 1, inner: [TemplateToken] = []
                while let x = t.first, depth > 0 {
                    t = t.dropFirst()
                    if x.kind == .open { depth += 1 } else if x.kind == .close { depth -= 1 }
                    if depth > 0 { inner.append(x) }
                }
                guard depth == 0 else { throw TemplateError("unclosed left paren") }
                var fields: [String] = []
                if let f = t.first, f.kind == .field, f.text != "." { fields = try Self.fields(f.text); t = t.dropFirst() }
                command.append(.group(try pipeline(inner, nesting: nesting + 1), fields))
            default: command.append(try operand(tok))
            }
        }
        guard !command.isEmpty else { throw TemplateError("missing value for command") }
        p.commands.append(command)
        return p
    }

    /// `.A.B` as `["A", "B"]`; `.` as none.
    static func fields(_ chain: String) throws -> [String] {
        if chain == "." { return [] }
        let parts = chain.split(separator: ".", omittingEmptySubsequences: false).dropFirst()
        guard parts.allSatisfy({ !$0.isEmpty }) else { throw TemplateError("bad field syntax: \(chain)") }
        return parts.map(String.init)
    }

    func operand(_ tok: TemplateToken) throws -> TemplateOperand {
        switch tok.kind {
        case .field: return .dot(try Self.fields(tok.text))
        case .variable:
            let name = String(tok.text.prefix { $0 != "." })
            return .variable(name, name == tok.text ? [] : try Self.fields(String(tok.text.dropFirst(name.count))))
        case .string: return .literal(.string(try Self.unquote(tok.text)))
        case .number:
            if let i = Int64(tok.text) { return .literal(.int(i)) }
            if let d = Double(tok.text) { return .literal(.double(d)) }
            throw TemplateError("bad number syntax: \(tok.text)")
        case .identifier:
            switch tok.text {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "nil": return .literal(.null)
            default:
                if Self.unsupported.contains(tok.text) || ["if", "range", "with", "else", "end"].contains(tok.text) {
                    throw TemplateError("unexpected \(tok.text) in command")
                }
                guard GoTemplate.functions.contains(tok.text) else {
                    throw TemplateError("function \"\(tok.text)\" not defined (the functions are \(GoTemplate.functions.joined(separator: ", ")))")
                }
                return .function(tok.text)
            }
        default: throw TemplateError("unexpected \"\(tok.text)\" in command")
        }
    }

    /// A Go string literal: `"…"` with backslash escapes, or a raw `` `…` ``.
    static func unquote(_ s: String) throws -> String {
        let body = s.dropFirst().dropLast()
        if s.hasPrefix("`") { return String(body) }
        var out = "", escaped = false
        for c in body {
            if escaped {
                switch c {
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "\\", "\"", "'": out.append(c)
                default: throw TemplateError("unsupported escape \\\(c) in \(s)")
                }
                escaped = false
            } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}
