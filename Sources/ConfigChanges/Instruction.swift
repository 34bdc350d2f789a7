import ImageSpec

/// One accepted `--change` instruction, checked as buildkit's `instructions.ParseCommand`
/// checks it, before any variable is expanded.
struct Instruction: Sendable {
    enum Kind: Sendable {
        /// Key, value pairs, still to be expanded.
        case env([(String, String)])
        case label([(String, String)])
        /// The command line; `prependShell` for the shell form.
        case cmd([String], prependShell: Bool)
        /// nil for `ENTRYPOINT []` or an empty ENTRYPOINT.
        case entrypoint([String]?, prependShell: Bool)
        /// Port words, sorted, still to be expanded and split.
        case expose([String])
        case healthcheck(Healthcheck)
        case onbuild(String)
        case stopSignal(String)
        case user(String)
        case volume([String])
        case workdir(String)
    }

    /// The instruction word as written.
    var name: String
    var kind: Kind

    static let allowed: Set<String> = [
        "cmd", "entrypoint", "env", "expose", "healthcheck", "label", "onbuild", "stopsignal", "user", "volume", "workdir",
    ]

    /// `instructions.ParseCommand` for the allowed instructions.
    init(_ node: ParsedNode) throws {
        name = node.value
        var flags = BuilderFlags(node.flags)
        func fail(_ m: String) -> ChangeError { ChangeError(.invalidArgument, m, instruction: node.value) }
        func parseFlags() throws {
            if let e = flags.parse() { throw fail(e) }
        }
        let args = node.args
        switch node.lowered {
        case "env", "label":
            try parseFlags()
            let upper = node.lowered.uppercased()
            if args.isEmpty { throw fail("\(upper) requires at least one argument") }
            if args.count % 2 != 0 { throw fail("Bad input to \(upper), too many arguments") }
            var pairs: [(String, String)] = []
            for j in stride(from: 0, to: args.count, by: 2) {
                if args[j].isEmpty { throw fail("\(upper) names can not be blank") }
                pairs.append((args[j], args[j + 1]))
            }
            kind = node.lowered == "env" ? .env(pairs) : .label(pairs)
        case "cmd":
            try parseFlags()
            kind = .cmd(Self.jsonArgs(args, json: node.json), prependShell: !node.json)
        case "entrypoint":
            try parseFlags()
            let line = Self.jsonArgs(args, json: node.json)
            kind = .entrypoint(line.isEmpty ? nil : line, prependShell: !node.json)
        case "expose":
            if args.isEmpty { throw fail("EXPOSE requires at least one argument") }
            try parseFlags()
            kind = .expose(args.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        case "user":
            if args.count != 1 { throw fail("USER requires exactly one argument") }
            try parseFlags()
            kind = .user(args[0])
        case "workdir":
            if args.count != 1 { throw fail("WORKDIR requires exactly one argument") }
            try parseFlags()
            kind = .workdir(args[0])
        case "volume":
            if args.isEmpty { throw fail("VOLUME requires at least one argument") }
            try parseFlags()
            var vols: [String] = []
            for v in args {
                let t = GoText.trimSpace(v)
                if t.isEmpty { throw fail("VOLUME specified can not be an empty string") }
                vols.append(t)
            }
            kind = .volume(vols)
        case "stopsignal":
            if args.count != 1 { throw fail("STOPSIGNAL requires exactly one argument") }
            kind = .stopSignal(args[0])
        case "onbuild":
            if args.isEmpty { throw fail("ONBUILD requires at least one argument") }
            try parseFlags()
            let trigger = GoText.trimSpace(args[0]).uppercased()
            if trigger == "ONBUILD" { throw fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed") }
            if trigger == "MAINTAINER" || trigger == "FROM" { throw fail("\(trigger) isn't allowed as an ONBUILD trigger") }
            kind = .onbuild(Self.stripOnbuild(node.original))
        case "healthcheck":
            kind = .healthcheck(try Self.healthcheck(args, json: node.json, flags: &flags, fail: fail))
        default:
            throw ChangeError(.notAllowed, "\(node.value) is not a valid change command", instruction: node.value)
        }
    }

    /// `handleJSONArgs`: the exec array as is, or the shell-form words joined by spaces.
    static func jsonArgs(_ args: [String], json: Bool) -> [String] {
        if args.isEmpty { return [] }
        return json ? args : [args.joined(separator: " ")]
    }

    /// `(?i)^\s*ONBUILD\s*` removed from the original line.
    static func stripOnbuild(_ original: String) -> String {
        var u = Array(original.unicodeScalars)[...]
        func ws(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\u{0C}" || c == "\r" }
        while let c = u.first, ws(c) { u = u.dropFirst() }
        let word = GoText.string(u.prefix(7))
        guard word.lowercased() == "onbuild" else { return original }
        u = u.dropFirst(7)
        while let c = u.first, ws(c) { u = u.dropFirst() }
        return GoText.string(u)
    }

    static func healthcheck(_ args: [String], json: Bool, flags: inout BuilderFlags,
                            fail: (String) -> ChangeError) throws -> Healthcheck {
        guard let first = args.first else { throw fail("HEALTHCHECK requires at least one argument") }
        var typ = first.uppercased()
        let rest = Array(args.dropFirst())
        var h = Healthcheck()
        if typ == "NONE" {
            if !rest.isEmpty { throw fail("HEALTHCHECK NONE takes no arguments") }
            h.test = ["NONE"]
            return h
        }
        for f in ["interval", "timeout", "start-period", "start-interval", "retries"] { flags.declare(f) }
        if let e = flags.parse() { throw fail(e) }
        guard typ == "CMD" else { throw fail("Unknown type \(GoText.quote(typ)) in HEALTHCHECK (try CMD)") }
        let line = jsonArgs(rest, json: json)
        if line.isEmpty { throw fail("Missing command after HEALTHCHECK CMD") }
        if !json { typ = "CMD-SHELL" }
        h.test = [typ] + line
        func interval(_ name: String) throws -> Int64? {
            let s = flags.value(name)
            if s.isEmpty { return nil }
            switch GoText.parseDuration(s) {
            case .failure(let e): throw fail(e.message)
            case .success(let d):
                if d == 0 { return nil }
                if d < 1_000_000 { throw fail("Interval \(GoText.quote(name)) cannot be less than 1ms") }
                return d
            }
        }
        h.interval = try interval("interval")
        h.timeout = try interval("timeout")
        h.startPeriod = try interval("start-period")
        h.startInterval = try interval("start-interval")
        let r = flags.value("retries")
        if !r.isEmpty {
            switch GoText.parseInt(r, bits: 32) {
            case .failure(let e): throw fail(e.message)
            case .success(let n):
                if n < 0 { throw fail("--retries cannot be negative (\(n))") }
                h.retries = n == 0 ? nil : Int(n)
            }
        }
        return h
    }
}

/// buildkit's `BFlags` for string flags: `--name=value`, each at most once.
struct BuilderFlags: Sendable {
    var args: [String]
    var declared: Set<String> = []
    var values: [String: String] = [:]

    init(_ args: [String]) { self.args = args }

    mutating func declare(_ name: String) { declared.insert(name) }
    func value(_ name: String) -> String { values[name] ?? "" }

    /// Reads the flags; returns buildkit's error text, or nil.
    mutating func parse() -> String? {
        for raw in args {
            guard raw.hasPrefix("--") else { return "Arg should start with -- : \(raw)" }
            if raw == "--" { return nil }
            var arg = String(raw.dropFirst(2))
            var value: String?
            if let eq = arg.firstIndex(of: "=") {
                value = String(arg[arg.index(after: eq)...])
                arg = String(arg[..<eq])
            }
            guard declared.contains(arg) else { return "Unknown flag: \(arg)" }
            if values[arg] != nil { return "Duplicate flag specified: \(arg)" }
            guard let v = value else { return "Missing a value on flag: \(arg)" }
            values[arg] = v
        }
        return nil
    }
}
