import Foundation

/// Running a `GoTemplate` over a value, as Go's text/template does, with docker's
/// template functions (`json`, `join`, `split`, `upper`, `lower`, `title`, `truncate`,
/// `pad`) and Go's `index`, `len`, `print`, `printf`, `println`, `eq`, `ne`, `not`,
/// `and`, `or`.
extension GoTemplate {
    static let functions = ["and", "eq", "index", "join", "json", "len", "lower", "ne", "not", "or", "pad",
                            "print", "printf", "println", "split", "title", "truncate", "upper"]

    /// The text the template makes of `dot`.
    /// - Throws: `TemplateError` for a field the value does not have, an unknown function,
    ///   or arguments a function cannot take.
    /// - Parameter header: run as docker runs a `table` template's header row, over the
    ///   column titles: `json`, `split`, `join`, `title`, `lower`, `upper` and `truncate`
    ///   give back their first argument.
    func execute(_ dot: TemplateValue, header: Bool = false) throws -> String {
        var run = TemplateRun(root: dot)
        run.header = header
        try run.nodes(nodes, dot)
        return run.out
    }
}

struct TemplateRun {
    let root: TemplateValue
    var out = ""
    var variables: [(String, TemplateValue)] = []
    var header = false

    init(root: TemplateValue) { self.root = root }

    mutating func nodes(_ list: [TemplateNode], _ dot: TemplateValue) throws {
        for n in list {
            switch n {
            case .text(let t): out += t
            case .action(let p):
                let v = try pipeline(p, dot)
                if p.declared.isEmpty { out += v.printed }
            case .ifNode(let p, let then, let otherwise):
                try scoped { r in try r.nodes(try r.pipeline(p, dot).truth ? then : otherwise, dot) }
            case .with(let p, let then, let otherwise):
                try scoped { r in
                    let v = try r.pipeline(p, dot)
                    try r.nodes(v.truth ? then : otherwise, v.truth ? v : dot)
                }
            case .range(let p, let body, let otherwise):
                try scoped { r in try r.range(p, body, otherwise, dot) }
            }
        }
    }

    mutating func scoped(_ body: (inout TemplateRun) throws -> Void) throws {
        let mark = variables.count
        defer { variables.removeLast(variables.count - mark) }
        try body(&self)
    }

    mutating func range(_ p: TemplatePipeline, _ body: [TemplateNode], _ otherwise: [TemplateNode], _ dot: TemplateValue) throws {
        var bare = p
        bare.declared = []
        let over = try pipeline(bare, dot)
        let pairs: [(TemplateValue, TemplateValue)]
        switch over {
        case .array(let a): pairs = a.enumerated().map { (.int(Int64($0.offset)), $0.element) }
        case .object(let o), .map(let o): pairs = o.keys.sorted().map { (.string($0), o[$0]!) }
        case .null, .missing: pairs = []
        default: throw TemplateError("range can't iterate over \(over.printed)")
        }
        if pairs.isEmpty { return try nodes(otherwise, dot) }
        for (k, v) in pairs {
            let mark = variables.count
            if p.declared.count == 1 { variables.append((p.declared[0], v)) }
            if p.declared.count == 2 { variables.append((p.declared[0], k)); variables.append((p.declared[1], v)) }
            try nodes(body, v)
            variables.removeLast(variables.count - mark)
        }
    }

    mutating func pipeline(_ p: TemplatePipeline, _ dot: TemplateValue) throws -> TemplateValue {
        var value: TemplateValue?
        for command in p.commands { value = try self.command(command, dot, piped: value) }
        let v = value ?? .null
        if let name = p.declared.last { variables.append((name, v)) }
        return v
    }

    mutating func command(_ c: [TemplateOperand], _ dot: TemplateValue, piped: TemplateValue?) throws -> TemplateValue {
        if case .function(let name) = c[0] {
            var args = try c.dropFirst().map { try operand($0, dot) }
            if let piped { args.append(piped) }
            if header, Self.headerIdentity.contains(name), let first = args.first { return first }
            return try Self.call(name, args)
        }
        guard c.count == 1, piped == nil else { throw TemplateError("can't give argument to non-function \(describe(c[0]))") }
        return try operand(c[0], dot)
    }

    mutating func operand(_ o: TemplateOperand, _ dot: TemplateValue) throws -> TemplateValue {
        switch o {
        case .dot(let fields): return try Self.field(dot, fields)
        case .variable(let name, let fields):
            if name == "$" { return try Self.field(root, fields) }
            guard let v = variables.last(where: { $0.0 == name })?.1 else { throw TemplateError("undefined variable \(name)") }
            return try Self.field(v, fields)
        case .literal(let v): return v
        case .function(let name): return try Self.call(name, [])
        case .group(let p, let fields): return try Self.field(try pipeline(p, dot), fields)
        }
    }

    func describe(_ o: TemplateOperand) -> String {
        switch o {
        case .dot(let f): return "." + f.joined(separator: ".")
        case .variable(let n, let f): return ([n] + f).joined(separator: ".")
        case .literal(let v): return v.printed
        case .function(let n): return n
        case .group: return "(...)"
        }
    }

    static let headerIdentity: Set<String> = ["json", "split", "join", "title", "lower", "upper", "truncate"]

    static func field(_ value: TemplateValue, _ fields: [String]) throws -> TemplateValue {
        var v = value
        for (i, f) in fields.enumerated() {
            let path = "." + fields[...i].joined(separator: ".")
            switch v {
            case .object(let o):
                guard let x = o[f] else {
                    throw TemplateError("can't evaluate field \(path): no field \(f) (fields: \(o.keys.sorted().map { "." + $0 }.joined(separator: " ")))")
                }
                v = x
            case .map(let m): v = m[f] ?? .missing
            case .null, .missing: throw TemplateError("nil pointer evaluating \(path)")
            default: throw TemplateError("can't evaluate field \(f) in \(path): not an object")
            }
        }
        return v
    }

    static func string(_ v: TemplateValue, _ fn: String) throws -> String {
        guard case .string(let s) = v else { throw TemplateError("\(fn): wrong type for value; expected string; got \(v.printed)") }
        return s
    }

    static func int(_ v: TemplateValue, _ fn: String) throws -> Int {
        guard case .int(let i) = v, let n = Int(exactly: i) else { throw TemplateError("\(fn): expected an integer; got \(v.printed)") }
        return n
    }

    static func call(_ name: String, _ a: [TemplateValue]) throws -> TemplateValue {
        func arity(_ n: Int) throws {
            guard a.count == n else { throw TemplateError("wrong number of args for \(name): want \(n) got \(a.count)") }
        }
        switch name {
        case "json": try arity(1); return .string(a[0].json)
        case "join":
            try arity(2)
            guard case .array(let items) = a[0] else { throw TemplateError("join: expected an array; got \(a[0].printed)") }
            return .string(items.map(\.printed).joined(separator: try string(a[1], name)))
        case "split":
            try arity(2)
            let s = try string(a[0], name), sep = try string(a[1], name)
            return .array(sep.isEmpty ? s.map { .string(String($0)) } : s.components(separatedBy: sep).map { .string($0) })
        case "upper": try arity(1); return .string(try string(a[0], name).uppercased())
        case "lower": try arity(1); return .string(try string(a[0], name).lowercased())
        case "title": try arity(1); return .string(try string(a[0], name).capitalized)
        case "truncate":
            try arity(2)
            let s = try string(a[0], name), n = try int(a[1], name)
            return .string(s.count > n ? String(s.prefix(max(0, n))) : s)
        case "pad":
            try arity(3)
            let s = try string(a[0], name), before = try int(a[1], name), after = try int(a[2], name)
            guard (0...4096).contains(before), (0...4096).contains(after) else { throw TemplateError("pad: 0 to 4096 spaces, not \(before) and \(after)") }
            return .string(s.isEmpty ? "" : String(repeating: " ", count: before) + s + String(repeating: " ", count: after))
        case "len":
            try arity(1)
            switch a[0] {
            case .string(let s): return .int(Int64(s.utf8.count))
            case .array(let x): return .int(Int64(x.count))
            case .object(let o), .map(let o): return .int(Int64(o.count))
            default: throw TemplateError("len of \(a[0].printed)")
            }
        case "index":
            guard var v = a.first else { try arity(1); return .null }
            for k in a.dropFirst() {
                switch (v, k) {
                case (.array(let x), .int(let i)):
                    guard i >= 0, i < x.count else { throw TemplateError("index out of range: \(i)") }
                    v = x[Int(i)]
                case (.object(let o), .string(let s)), (.map(let o), .string(let s)): v = o[s] ?? .string("")
                case (.null, _), (.missing, _): v = .string("")
                default: throw TemplateError("can't index \(v.printed) with \(k.printed)")
                }
            }
            return v
        case "print": return .string(sprint(a))
        case "println": return .string(a.map(\.printed).joined(separator: " ") + "\n")
        case "printf":
            guard let f = a.first else { try arity(1); return .null }
            return .string(try printf(try string(f, name), Array(a.dropFirst())))
        case "eq", "ne":
            guard a.count >= 2 else { try arity(2); return .null }
            let eq = a.dropFirst().contains(a[0])
            return .bool(name == "eq" ? eq : !eq)
        case "not": try arity(1); return .bool(!a[0].truth)
        case "and": guard !a.isEmpty else { try arity(1); return .null }; return a.first { !$0.truth } ?? a[a.count - 1]
        case "or": guard !a.isEmpty else { try arity(1); return .null }; return a.first { $0.truth } ?? a[a.count - 1]
        default:
            throw TemplateError("function \"\(name)\" not defined (the functions are \(GoTemplate.functions.joined(separator: ", ")))")
        }
    }

    /// `fmt.Sprint`: a space between operands when neither is a string.
    static func sprint(_ a: [TemplateValue]) -> String {
        var out = ""
        for (i, v) in a.enumerated() {
            if i > 0, case .string = a[i - 1] {} else if i > 0, case .string = v {} else if i > 0 { out += " " }
            out += v.printed
        }
        return out
    }

    /// `fmt.Sprintf` for `%s`, `%v`, `%d`, `%q` and `%%`.
    static func printf(_ format: String, _ args: [TemplateValue]) throws -> String {
        var out = "", next = 0, pending = false
        for c in format {
            guard pending else { if c == "%" { pending = true } else { out.append(c) }; continue }
            pending = false
            if c == "%" { out += "%"; continue }
            guard "svdq".contains(c) else { throw TemplateError("printf: verb %\(c) is not supported (%s, %v, %d, %q, %%)") }
            guard next < args.count else { out += "%!\(c)(MISSING)"; continue }
            let v = args[next]
            next += 1
            out += c == "q" ? TemplateValue.jsonQuote(v.printed) : v.printed
        }
        return out
    }
}
