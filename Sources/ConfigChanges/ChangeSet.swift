import ImageSpec

/// Dockerfile instructions applied to an image's container config: the offline twin
/// of `docker commit --change` and `docker import --change` (moby v27.5.1
/// `builder/dockerfile.BuildFromConfig`, buildkit v0.18 parser; FORMATS.md §4).
///
/// The list is joined with `\n` and read as a Dockerfile, so a change may hold several
/// lines, `#` comment lines, and a trailing escape token continues into the next change.
/// Instruction names are case-insensitive. Only CMD, ENTRYPOINT, ENV, EXPOSE,
/// HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME and WORKDIR are accepted.
///
/// ```swift
/// let changes = try ChangeSet(parsing: ["ENV PATH=/app/bin:$PATH", "CMD [\"serve\"]"])
/// let config = try changes.apply(to: image.config ?? ContainerConfig())
/// ```
///
/// Results are Linux results: the shell form becomes `["/bin/sh", "-c", text]` (or the
/// config's own `Shell` followed by the text); `ArgsEscaped` is cleared by CMD and
/// ENTRYPOINT. Fields docker encodes with `omitempty` may come back empty (`CMD []`
/// gives `cmd == []`); `ContainerConfig.omittingEmptyFields()` gives what the
/// containerd image store writes.
public struct ChangeSet: Sendable {
    /// The instructions, in order.
    let instructions: [Instruction]
    /// The escape token in force (`\`, or `` ` `` after `# escape=``).
    let escape: Unicode.Scalar

    /// Reads and checks the changes; nothing is expanded yet.
    ///
    /// An empty list is a valid, empty change set (moby returns the config untouched).
    /// A non-empty list with no instruction in it (`[""]`, only comments) is refused.
    /// - Throws: `ChangeError`: `.syntax` for text the parser refuses (`file with no
    ///   instructions`, `ENV must have two arguments`, non-string JSON arrays),
    ///   `.notAllowed` for `<X> is not a valid change command` (X as written),
    ///   `.invalidArgument` for argument and flag errors (`HEALTHCHECK NONE takes no
    ///   arguments`, `Unknown flag: foo`, `time: invalid duration "x"`).
    public init(parsing changes: [String]) throws {
        guard !changes.isEmpty else {
            instructions = []
            escape = "\\"
            return
        }
        let (nodes, escape) = try DockerfileParser.parse(changes.joined(separator: "\n"))
        for n in nodes where !Instruction.allowed.contains(n.lowered) {
            throw ChangeError(.notAllowed, "\(n.value) is not a valid change command", instruction: n.value)
        }
        self.instructions = try nodes.map(Instruction.init)
        self.escape = escape
    }

    /// True when there is nothing to apply.
    public var isEmpty: Bool { instructions.isEmpty }

    /// The instruction words as written, in order (`["ENV", "cmd"]`).
    public var instructionNames: [String] { instructions.map(\.name) }

    /// Applies the changes in order to a copy of `config` and returns it.
    ///
    /// Variables in ENV, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL and EXPOSE expand
    /// against the `Env` built so far (an ENV sees the values from before itself);
    /// CMD, ENTRYPOINT, HEALTHCHECK and ONBUILD are taken literally.
    /// - Throws: `ChangeError.invalidArgument`: expansion errors (`failed to process
    ///   "${A": syntax error: missing '}'`), `invalid proto: icmp`, `invalid signal:
    ///   FOO`, `cannot normalize nothing`, `VOLUME specified can not be an empty string`.
    public func apply(to config: ContainerConfig) throws -> ContainerConfig {
        var c = config
        try apply(to: &c)
        return c
    }

    /// Applies the changes in place; on error `config` is left unchanged.
    public func apply(to config: inout ContainerConfig) throws {
        var state = DispatchState(config: config, lex: ShellLex(escape: escape))
        for ins in instructions { try state.dispatch(ins) }
        config = state.config
    }
}

/// `dispatchState` for one change set: the config so far and whether a CMD was given.
struct DispatchState {
    var config: ContainerConfig
    let lex: ShellLex
    var cmdSet = false

    init(config: ContainerConfig, lex: ShellLex) {
        self.config = config
        self.lex = lex
    }

    /// The env map expansion sees: later duplicates win, `K` alone is `K=""`.
    var envMap: [String: String] {
        var m: [String: String] = [:]
        for e in config.env ?? [] {
            if let eq = e.firstIndex(of: "=") { m[String(e[..<eq])] = String(e[e.index(after: eq)...]) } else { m[e] = "" }
        }
        return m
    }

    /// The shell the shell form runs under: the config's `Shell`, else `/bin/sh -c`.
    var shell: [String] {
        if let s = config.shell, !s.isEmpty { return s }
        return ["/bin/sh", "-c"]
    }

    mutating func dispatch(_ ins: Instruction) throws {
        let env = envMap
        func fail(_ m: String) -> ChangeError { ChangeError(.invalidArgument, m, instruction: ins.name) }
        func word(_ w: String) throws -> String {
            do { return try lex.processWord(w, env: env) } catch let e as GoError { throw fail(e.message) }
        }
        switch ins.kind {
        case .env(let pairs):
            let expanded = try pairs.map { (try word($0.0), try word($0.1)) }
            var list = config.env ?? []
            for (k, v) in expanded {
                let entry = k + "=" + v
                if let i = list.firstIndex(where: { Self.key($0) == k }) {
                    list[i] = entry
                } else {
                    list.append(entry)
                }
            }
            config.env = list
        case .label(let pairs):
            let expanded = try pairs.map { (try word($0.0), try word($0.1)) }
            var labels = config.labels ?? [:]
            for (k, v) in expanded { labels[k] = v }
            config.labels = labels
        case .cmd(let line, let prependShell):
            config.cmd = prependShell ? shell + line : line
            config.argsEscaped = nil
            if !line.isEmpty { cmdSet = true }
        case .entrypoint(let line, let prependShell):
            if let line { config.entrypoint = prependShell ? shell + line : line } else { config.entrypoint = nil }
            config.argsEscaped = nil
            if !cmdSet { config.cmd = nil }
        case .expose(let words):
            var ports: [String] = []
            for w in words {
                do { ports += try lex.processWords(w, env: env) } catch let e as GoError { throw fail(e.message) }
            }
            var set = config.exposedPorts ?? [:]
            for p in ports {
                do {
                    for k in try PortSpec.keys(p) { set[k] = EmptyObject() }
                } catch let e as GoError { throw fail(e.message) }
            }
            config.exposedPorts = set
        case .healthcheck(let h):
            config.healthcheck = h
        case .onbuild(let expression):
            config.onBuild = (config.onBuild ?? []) + [expression]
        case .stopSignal(let raw):
            let s = try word(raw)
            do { try Signals.validate(s) } catch let e as GoError { throw fail(e.message) }
            config.stopSignal = s
        case .user(let raw):
            config.user = try word(raw)
        case .volume(let raw):
            var vols = config.volumes ?? [:]
            for v in raw {
                let e = try word(v)
                if e.isEmpty { throw fail("VOLUME specified can not be an empty string") }
                vols[e] = EmptyObject()
            }
            config.volumes = vols
        case .workdir(let raw):
            let requested = try word(raw)
            if requested.isEmpty { throw fail("cannot normalize nothing") }
            if requested.hasPrefix("/") {
                config.workingDir = GoPath.clean(requested)
            } else {
                config.workingDir = GoPath.join(["/", config.workingDir ?? "", requested])
            }
        }
    }

    static func key(_ entry: String) -> String {
        guard let eq = entry.firstIndex(of: "=") else { return entry }
        return String(entry[..<eq])
    }
}

extension ContainerConfig {
    /// This config as the containerd image store writes it: Go's `omitempty` drops
    /// empty strings, lists and maps (`CMD []` leaves no `Cmd`), and a false
    /// `ArgsEscaped`. The healthcheck's zero durations are already absent.
    public func omittingEmptyFields() -> ContainerConfig {
        var c = self
        if c.user?.isEmpty == true { c.user = nil }
        if c.exposedPorts?.isEmpty == true { c.exposedPorts = nil }
        if c.env?.isEmpty == true { c.env = nil }
        if c.entrypoint?.isEmpty == true { c.entrypoint = nil }
        if c.cmd?.isEmpty == true { c.cmd = nil }
        if c.volumes?.isEmpty == true { c.volumes = nil }
        if c.workingDir?.isEmpty == true { c.workingDir = nil }
        if c.labels?.isEmpty == true { c.labels = nil }
        if c.stopSignal?.isEmpty == true { c.stopSignal = nil }
        if c.argsEscaped == false { c.argsEscaped = nil }
        if c.onBuild?.isEmpty == true { c.onBuild = nil }
        if c.shell?.isEmpty == true { c.shell = nil }
        return c
    }
}
