#if canImport(Glibc)
import Glibc
#endif

/// The host platform, as containerd's `DefaultSpec` computes it on Linux.
extension Platform {
    /// The compiled architecture in Go's naming (`amd64`, `arm64`, `arm`, `386`, …).
    public static var hostArchitecture: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #elseif arch(arm)
        return "arm"
        #elseif arch(i386)
        return "386"
        #elseif arch(powerpc64le)
        return "ppc64le"
        #elseif arch(s390x)
        return "s390x"
        #elseif arch(riscv64)
        return "riscv64"
        #else
        return "unknown"
        #endif
    }

    /// `linux` plus `hostArchitecture`, with a variant only on arm and arm64 read from
    /// `/proc/cpuinfo` (the only I/O in this module, and only on those machines).
    public static var host: Platform {
        let arch = hostArchitecture
        var cpuinfo: String?
        if arch == "arm" || arch == "arm64" { cpuinfo = readCPUInfo() }
        return host(architecture: arch, cpuinfo: cpuinfo)
    }

    /// containerd's `DefaultSpec` as a pure function: `os`, `architecture`, and for arm
    /// and arm64 the variant from the text of `/proc/cpuinfo` (`Cpu architecture: 8` →
    /// `v8`, `7` → `v7`, a Raspberry Pi's ARMv6 reporting 7 → `v6`, unknown →
    /// `unknown`). With no cpuinfo, `aarch64` hosts get `v8` and arm hosts no variant.
    public static func host(os: String = "linux", architecture: String, cpuinfo: String?) -> Platform {
        var p = Platform(os: os, architecture: architecture)
        guard architecture == "arm" || architecture == "arm64" else { return p }
        func field(_ name: String) -> String? {
            for line in (cpuinfo ?? "").split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count > 1, parts[0].trimmingSpaces.lowercased() == name.lowercased() {
                    return parts[1].trimmingSpaces
                }
            }
            return nil
        }
        guard var v = field("Cpu architecture") else {
            p.variant = architecture == "arm64" ? "v8" : nil
            return p
        }
        if architecture == "arm", v == "7", let model = field("model name"), model.lowercased().hasPrefix("armv6-compatible") {
            v = "6"
        }
        switch v.lowercased() {
        case "8", "aarch64": p.variant = "v8"
        case "7", "7m", "?(12)", "?(13)", "?(14)", "?(15)", "?(16)", "?(17)": p.variant = "v7"
        case "6", "6tej": p.variant = "v6"
        case "5", "5t", "5te", "5tej": p.variant = "v5"
        case "4", "4t": p.variant = "v4"
        case "3": p.variant = "v3"
        default: p.variant = "unknown"
        }
        return p
    }

    static func readCPUInfo() -> String? {
        #if canImport(Glibc)
        guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out += buf[0..<n]
            if out.count > 1 << 20 { break }
        }
        return String(decoding: out, as: UTF8.self)
        #else
        return nil
        #endif
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
