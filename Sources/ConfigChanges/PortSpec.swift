/// EXPOSE's port specs, read as docker/go-connections `nat.ParsePortSpecs` (v0.5, used
/// by moby v27): `[ip:][hostPort:]containerPort[-end][/proto]`.
enum PortSpec {
    /// The `ExposedPorts` keys (`80/tcp`) one spec stands for.
    /// - Throws: `GoError` with go-connections' message (`invalid proto: icmp`,
    ///   `invalid containerPort: 80x`, `invalid IP address: 1.2.3`, …).
    static func keys(_ raw: String) throws -> [String] {
        let parts = raw.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var ip = "", hostPort = "", containerPort = ""
        switch parts.count {
        case 1: containerPort = parts[0]
        case 2: (hostPort, containerPort) = (parts[0], parts[1])
        case 3: (ip, hostPort, containerPort) = (parts[0], parts[1], parts[2])
        default:
            ip = parts[..<(parts.count - 2)].joined(separator: ":")
            (hostPort, containerPort) = (parts[parts.count - 2], parts[parts.count - 1])
        }
        var proto: String
        (proto, containerPort) = splitProtoPort(containerPort)
        if ip.hasPrefix("[") {
            guard ip.hasSuffix("]"), ip.count >= 2 else {
                throw GoError("invalid IP address \(ip): address \(ip): missing ']' in address")
            }
            ip = String(ip.dropFirst().dropLast())
        }
        if !ip.isEmpty && !IPAddress.isValid(ip) { throw GoError("invalid IP address: " + ip) }
        if containerPort.isEmpty { throw GoError("no port specified: \(raw)<empty>") }
        guard let (start, end) = portRange(containerPort) else { throw GoError("invalid containerPort: " + containerPort) }
        if !hostPort.isEmpty {
            guard let (hs, he) = portRange(hostPort) else { throw GoError("invalid hostPort: " + hostPort) }
            if end - start != he - hs && end != start {
                throw GoError("invalid ranges specified for container and host Ports: \(containerPort) and \(hostPort)")
            }
        }
        proto = proto.lowercased()
        guard ["tcp", "udp", "sctp"].contains(proto) else { throw GoError("invalid proto: " + proto) }
        return (start...end).map { "\($0)/\(proto)" }
    }

    /// `nat.SplitProtoPort`: protocol defaults to `tcp`; text after a second `/` is ignored.
    static func splitProtoPort(_ raw: String) -> (String, String) {
        let parts = raw.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if raw.isEmpty || parts[0].isEmpty { return ("", "") }
        if parts.count == 1 { return ("tcp", raw) }
        if parts[1].isEmpty { return ("tcp", parts[0]) }
        return (parts[1], parts[0])
    }

    /// `nat.ParsePortRange`: `80` or `8000-8002`, 16-bit, start ≤ end.
    static func portRange(_ s: String) -> (UInt64, UInt64)? {
        if s.isEmpty { return nil }
        if !s.contains("-") {
            guard let v = GoText.parseUint(s, bits: 16) else { return nil }
            return (v, v)
        }
        let parts = s.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let a = GoText.parseUint(parts[0], bits: 16), let b = GoText.parseUint(parts[1], bits: 16), b >= a else { return nil }
        return (a, b)
    }
}

/// Go's `net.ParseIP` acceptance: dotted-quad IPv4 (no leading zeros) or IPv6.
enum IPAddress {
    static func isValid(_ s: String) -> Bool { isIPv4(Substring(s)) || isIPv6(s) }

    static func isIPv4(_ s: Substring) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            if p.count > 1 && p.first == "0" { return false }
            return Int(p)! <= 255
        }
    }

    static func isIPv6(_ s: String) -> Bool {
        guard s.contains(":") else { return false }
        var groups = 0
        var sawDouble = false
        var rest = Substring(s)
        if rest.hasPrefix("::") {
            sawDouble = true
            rest = rest.dropFirst(2)
            if rest.isEmpty { return true }
        }
        while !rest.isEmpty {
            // An embedded IPv4 address may end the text.
            if let dot = rest.firstIndex(of: "."), rest[..<dot].firstIndex(of: ":") == nil {
                guard isIPv4(rest) else { return false }
                groups += 2
                rest = rest[rest.endIndex...]
                break
            }
            var n = 0
            while let c = rest.first, c.isHexDigit, c.isASCII, n < 5 { rest = rest.dropFirst(); n += 1 }
            guard n >= 1, n <= 4 else { return false }
            groups += 1
            if rest.isEmpty { break }
            guard rest.first == ":" else { return false }
            rest = rest.dropFirst()
            if rest.first == ":" {
                if sawDouble { return false }
                sawDouble = true
                rest = rest.dropFirst()
                if rest.isEmpty { break }
            } else if rest.isEmpty {
                return false
            }
        }
        return sawDouble ? groups < 8 : groups == 8
    }
}
