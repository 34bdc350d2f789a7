/// Platform normalization and parsing as containerd/platforms v0.2.1 does them
/// (`database.go`, `platforms.go`; FORMATS.md §9).
extension Platform {
    /// containerd's `Normalize`: OS and architecture lowercased and given their
    /// canonical names; OS version and features kept as they are.
    ///
    /// `i386` → `386` (no variant); `x86_64`/`x86-64` → `amd64` (`v1` → none);
    /// `aarch64` → `arm64` (`8`/`v8` → none); `armhf` → `arm/v7`; `armel` → `arm/v6`;
    /// `arm` with no variant or `7` → `v7`, `5`/`6`/`8` → `v5`/`v6`/`v8`; `macos` → `darwin`;
    /// an empty OS → `hostOS`.
    public func normalized(hostOS: String) -> Platform {
        var p = self
        p.os = Platform.normalizeOS(os, hostOS: hostOS)
        (p.architecture, p.variant) = Platform.normalizeArch(architecture, variant ?? "")
        if p.variant == "" { p.variant = nil }
        return p
    }

    /// `normalized(hostOS: "linux")`.
    public var normalized: Platform { normalized(hostOS: "linux") }

    static func normalizeOS(_ os: String, hostOS: String) -> String {
        if os.isEmpty { return hostOS }
        let l = os.lowercased()
        return l == "macos" ? "darwin" : l
    }

    static func normalizeArch(_ arch: String, _ variant: String) -> (String, String) {
        var a = arch.lowercased(), v = variant.lowercased()
        switch a {
        case "i386": a = "386"; v = ""
        case "x86_64", "x86-64", "amd64": a = "amd64"; if v == "v1" { v = "" }
        case "aarch64", "arm64": a = "arm64"; if v == "8" || v == "v8" { v = "" }
        case "armhf": a = "arm"; v = "v7"
        case "armel": a = "arm"; v = "v6"
        case "arm":
            switch v {
            case "", "7": v = "v7"
            case "5", "6", "8": v = "v" + v
            default: break
            }
        default: break
        }
        return (a, v)
    }

    static let knownOS: Set<String> = [
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl",
        "netbsd", "openbsd", "plan9", "solaris", "windows", "zos",
    ]
    static let knownArch: Set<String> = [
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips",
        "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x",
        "sparc", "sparc64", "wasm",
    ]

    /// Parses a specifier `os`, `arch`, `os/arch` or `os/arch/variant` (containerd's
    /// `platforms.Parse`), filling what is missing from `host`.
    ///
    /// A single known OS gets the host's architecture (and its variant when the host is
    /// arm with a variant other than v7); a single known architecture gets the host's
    /// OS. With one or two parts `arm/v7` is reported without a variant; with three
    /// parts `arm64` without a variant becomes `arm64/v8`.
    /// - Throws: `SpecError.invalidPlatform` naming the specifier: a `*` wildcard, a
    ///   component outside `[A-Za-z0-9_-]+`, an unknown single word, or more than three
    ///   parts.
    public static func parse(_ specifier: String, host: Platform) throws -> Platform {
        func bad(_ why: String) -> SpecError { SpecError(.invalidPlatform, why + ": invalid argument") }
        let q = quoted(specifier)
        if specifier.contains("*") { throw bad("\(q): wildcards not yet supported") }
        let parts = specifier.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts where part.isEmpty || !part.unicodeScalars.allSatisfy({ c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
        }) {
            throw bad("\(quoted(part)) is an invalid component of \(q): platform specifier component must match \"^[A-Za-z0-9_-]+$\"")
        }
        var p = Platform(os: "", architecture: "")
        switch parts.count {
        case 1:
            p.os = normalizeOS(parts[0], hostOS: host.os)
            if knownOS.contains(p.os) {
                p.architecture = host.architecture
                if host.architecture == "arm", let v = host.variant, v != "v7", !v.isEmpty { p.variant = v }
                return p
            }
            var v: String
            (p.architecture, v) = normalizeArch(parts[0], "")
            if p.architecture == "arm" && v == "v7" { v = "" }
            if knownArch.contains(p.architecture) {
                p.os = host.os
                p.variant = v.isEmpty ? nil : v
                return p
            }
            throw bad("\(q): unknown operating system or architecture")
        case 2:
            p.os = normalizeOS(parts[0], hostOS: host.os)
            var v: String
            (p.architecture, v) = normalizeArch(parts[1], "")
            if p.architecture == "arm" && v == "v7" { v = "" }
            p.variant = v.isEmpty ? nil : v
            return p
        case 3:
            p.os = normalizeOS(parts[0], hostOS: host.os)
            var v: String
            (p.architecture, v) = normalizeArch(parts[1], parts[2])
            if p.architecture == "arm64" && v.isEmpty { v = "v8" }
            p.variant = v.isEmpty ? nil : v
            return p
        default:
            throw bad("\(q): cannot parse platform specifier")
        }
    }

    /// containerd's `Format`: `os/arch[/variant]`, or `unknown` with no OS.
    public var specifier: String { description }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            if c == "\"" || c == "\\" { out += "\\" }
            out.unicodeScalars.append(c)
        }
        return out + "\""
    }
}
