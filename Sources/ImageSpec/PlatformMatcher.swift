/// Which platforms an operation accepts, and in what order of preference
/// (containerd/platforms `MatchComparer`; FORMATS.md §9).
///
/// Matching compares normalized OS, architecture and variant for equality; OS version
/// and features are not compared (as in containerd/platforms v0.2.1 on Linux).
public struct PlatformMatcher: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case ordered([Platform])
        case any([Platform])
        case all
        case allPreferring([Platform])
    }
    let kind: Kind

    /// containerd's `Only(p)`: `p` and what it can run, best first.
    ///
    /// `amd64/vN` accepts vN, vN-1 … v1 (plain amd64), then `386`; `arm/vN` accepts vN
    /// down to v5; `arm64` accepts arm64 then `arm/v8`, v7, v6, v5 (`arm64/v8.x` also
    /// v8.x-1 … v8, and `v9.x` v9.x-1 … v9 then v8.x+5 … v8). A plain amd64 host accepts
    /// amd64 and 386 but not amd64/v2.
    public static func only(_ p: Platform) -> PlatformMatcher {
        PlatformMatcher(kind: .ordered(preferenceVector(p.normalized).map(\.normalized)))
    }

    /// containerd's `OnlyStrict(p)`: exactly the normalized `p`.
    public static func onlyStrict(_ p: Platform) -> PlatformMatcher {
        PlatformMatcher(kind: .ordered([p.normalized]))
    }

    /// containerd's `Ordered`: any of `platforms`, earlier ones preferred.
    public static func ordered(_ platforms: [Platform]) -> PlatformMatcher {
        PlatformMatcher(kind: .ordered(platforms.map(\.normalized)))
    }

    /// containerd's `Any`: any of `platforms`, matches before non-matches, no order among matches.
    public static func any(_ platforms: [Platform]) -> PlatformMatcher {
        PlatformMatcher(kind: .any(platforms.map(\.normalized)))
    }

    /// containerd's `All`: everything, in no order.
    public static let all = PlatformMatcher(kind: .all)

    /// moby's `matchAllWithPreference(Only(p))`: everything, ordered as `only(p)` orders
    /// (used by `docker save`, `history`, `inspect`).
    public static func allPreferring(_ p: Platform) -> PlatformMatcher {
        PlatformMatcher(kind: .allPreferring(preferenceVector(p.normalized).map(\.normalized)))
    }

    /// containerd's `Default()`: `only(Platform.host)`.
    public static var host: PlatformMatcher { only(.host) }

    /// The accepted platforms in order of preference; empty for `all`.
    public var preferences: [Platform] {
        switch kind {
        case .ordered(let v), .any(let v), .allPreferring(let v): return v
        case .all: return []
        }
    }

    public var description: String {
        switch kind {
        case .ordered(let v): return "ordered(\(v.map(\.description).joined(separator: ", ")))"
        case .any(let v): return "any(\(v.map(\.description).joined(separator: ", ")))"
        case .all: return "all"
        case .allPreferring(let v): return "all preferring(\(v.map(\.description).joined(separator: ", ")))"
        }
    }

    /// Whether `platform` is acceptable.
    public func matches(_ platform: Platform) -> Bool {
        switch kind {
        case .ordered(let v), .any(let v): return v.contains { Self.same($0, platform) }
        case .all, .allPreferring: return true
        }
    }

    /// Whether `a` is preferred to `b` (containerd's `Less`).
    public func prefers(_ a: Platform, over b: Platform) -> Bool {
        switch kind {
        case .ordered(let v), .allPreferring(let v):
            for m in v {
                let am = Self.same(m, a), bm = Self.same(m, b)
                if am && !bm { return true }
                if am || bm { return false }
            }
            return false
        case .any(let v):
            let am = v.contains { Self.same($0, a) }, bm = v.contains { Self.same($0, b) }
            return am && !bm
        case .all:
            return false
        }
    }

    /// `NewMatcher(m).Match(p)`: equal normalized OS, architecture and variant.
    static func same(_ m: Platform, _ p: Platform) -> Bool {
        let n = p.normalized
        return m.os == n.os && m.architecture == n.architecture && (m.variant ?? "") == (n.variant ?? "")
    }

    /// containerd's `platformVector` for a normalized platform, except that the count
    /// down starts at the highest level that exists (amd64 v4, arm v8): containerd
    /// counts down from any number, and `arm/v761111111111111` would take all memory.
    static func preferenceVector(_ p: Platform) -> [Platform] {
        var out = [p]
        func with(_ arch: String, _ variant: String?) -> Platform {
            var q = p
            q.architecture = arch
            q.variant = variant
            return q
        }
        switch p.architecture {
        case "amd64":
            if let n = Int((p.variant ?? "").dropFirstIf("v")), n > 1 {
                for k in stride(from: min(n - 1, 4), through: 1, by: -1) { out.append(with("amd64", "v\(k)")) }
            }
            out.append(with("386", nil))
        case "arm":
            if let n = Int((p.variant ?? "").dropFirstIf("v")), n > 5 {
                for k in stride(from: min(n - 1, 8), through: 5, by: -1) { out.append(with("arm", "v\(k)")) }
            }
        case "arm64":
            var variant = p.variant ?? ""
            if variant.isEmpty { variant = "v8" }
            let pieces = variant.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            if var major = Int(String(pieces[0]).dropFirstIf("v")), major >= 8 {
                var minor = 0
                if variant.count == 4, pieces.count == 2, let m = Int(pieces[1]) { minor = m }
                if major == 9 {
                    for k in stride(from: minor - 1, through: 0, by: -1) { out.append(with("arm64", k == 0 ? "v9" : "v9.\(k)")) }
                    minor += 5
                    major = 8
                    out.append(with("arm64", "v8.\(minor)"))
                }
                for k in stride(from: minor - 1, through: 0, by: -1) {
                    out.append(with("arm64", k == 0 ? "v\(major)" : "v\(major).\(k)"))
                }
            }
            if variant.hasPrefix("v8.") || variant.hasPrefix("v9.") { variant = "v8" }
            out += preferenceVector(with("arm", variant))
        default:
            break
        }
        return out
    }
}

extension String {
    fileprivate func dropFirstIf(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
