/// STOPSIGNAL validation: moby/sys/signal `ParseSignal` with the Linux signal table.
enum Signals {
    /// Accepts a non-zero decimal number (any sign, as `strconv.Atoi` reads it) or a
    /// name from the Linux table, case-insensitive, with or without `SIG`.
    /// - Throws: `GoError("invalid signal: <raw>")`.
    static func validate(_ raw: String) throws {
        if case .success(let n) = GoText.parseInt(raw, bits: 64, function: "Atoi") {
            if n == 0 { throw GoError("invalid signal: \(raw)") }
            return
        }
        var name = raw.uppercased()
        if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
        guard names.contains(name) else { throw GoError("invalid signal: \(raw)") }
    }

    static let names: Set<String> = {
        var s: Set<String> = [
            "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
            "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
            "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
        ]
        for i in 1...15 { s.insert("RTMIN+\(i)") }
        for i in 1...14 { s.insert("RTMAX-\(i)") }
        return s
    }()
}

/// Slash-separated path handling as Go's `path.Clean` / `filepath.Join` on Linux.
enum GoPath {
    static func clean(_ p: String) -> String {
        if p.isEmpty { return "." }
        let rooted = p.hasPrefix("/")
        var out: [Substring] = []
        for part in p.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = out.last, last != ".." { out.removeLast() } else if !rooted { out.append(part) }
                continue
            }
            out.append(part)
        }
        let body = out.joined(separator: "/")
        if rooted { return "/" + body }
        return body.isEmpty ? "." : body
    }

    static func join(_ elems: [String]) -> String {
        let nonEmpty = elems.filter { !$0.isEmpty }
        return nonEmpty.isEmpty ? "" : clean(nonEmpty.joined(separator: "/"))
    }
}
