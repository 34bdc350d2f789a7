/// Small re-implementations of the Go standard library pieces whose exact behaviour
/// the Dockerfile parser depends on: `unicode.IsSpace`, `strings.TrimSpace`,
/// `strconv.Quote`, `strconv.Atoi`/`ParseInt`, and `time.ParseDuration`.
/// Everything works on Unicode scalars, as Go works on runes.
enum GoText {
    typealias Scalars = [Unicode.Scalar]

    /// Go's `unicode.IsSpace`.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Go's `unicode.IsDigit` (category Nd).
    static func isDigit(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x30 && c.value <= 0x39 }
        return c.properties.generalCategory == .decimalNumber
    }

    /// Go's `unicode.IsLetter` (categories Lu, Ll, Lt, Lm, Lo).
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 {
            return (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
        }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func scalars(_ s: String) -> Scalars { Array(s.unicodeScalars) }
    static func string<S: Sequence>(_ s: S) -> String where S.Element == Unicode.Scalar {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }

    /// `strings.TrimSpace`.
    static func trimSpace(_ s: String) -> String {
        let u = scalars(s)
        var a = 0, b = u.count
        while a < b, isSpace(u[a]) { a += 1 }
        while b > a, isSpace(u[b - 1]) { b -= 1 }
        return string(u[a..<b])
    }

    /// `strings.TrimLeftFunc(s, unicode.IsSpace)`.
    static func trimLeftSpace(_ s: String) -> String {
        let u = scalars(s)
        var a = 0
        while a < u.count, isSpace(u[a]) { a += 1 }
        return string(u[a...])
    }

    /// Dockerfile's `[\t\v\f\r ]`.
    static func isTokenSpace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\u{0B}" || c == "\u{0C}" || c == "\r" || c == " "
    }

    /// `regexp.MustCompile("[\t\v\f\r ]+").Split(s, n)` for n = 2 or -1.
    static func splitTokenSpace(_ s: String, limit: Int = -1) -> [String] {
        let u = scalars(s)
        var out: [String] = []
        var start = 0, i = 0
        while i < u.count {
            if limit > 0, out.count == limit - 1 { break }
            if isTokenSpace(u[i]) {
                var j = i
                while j < u.count, isTokenSpace(u[j]) { j += 1 }
                out.append(string(u[start..<i]))
                start = j
                i = j
                continue
            }
            i += 1
        }
        out.append(string(u[start...]))
        return out
    }

    /// `strconv.Quote`, as `%q` and `%#v` print a string.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\x" + hex(c.value, 2)
                } else if c.value >= 0x80 && !isPrintable(c) {
                    out += c.value > 0xFFFF ? "\\U" + hex(c.value, 8) : "\\u" + hex(c.value, 4)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
        case .spaceSeparator: return c == " "
        default: return true
        }
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// The quoting `time.ParseDuration` uses in its errors: non-ASCII and control
    /// bytes as `\xNN`.
    static func timeQuote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            if c.value >= 0x80 || c.value < 0x20 {
                for b in String(c).utf8 { out += "\\x" + hex(UInt32(b), 2) }
            } else {
                if c == "\"" || c == "\\" { out += "\\" }
                out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// `strconv.ParseInt(s, 10, bits)`; the error text is Go's.
    static func parseInt(_ s: String, bits: Int, function: String = "ParseInt") -> Result<Int64, GoError> {
        let u = Array(s.utf8)
        var i = 0
        var neg = false
        if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            neg = u[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < u.count else { return .failure(GoError("strconv.\(function): parsing \(quote(s)): invalid syntax")) }
        let limit: UInt64 = bits >= 64 ? 1 << 63 : 1 << UInt64(bits - 1)
        var v: UInt64 = 0
        var overflow = false
        while i < u.count {
            let c = u[i]
            guard c >= 0x30, c <= 0x39 else { return .failure(GoError("strconv.\(function): parsing \(quote(s)): invalid syntax")) }
            if !overflow {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
                if o1 || o2 || a > limit { overflow = true } else { v = a }
            }
            i += 1
        }
        if overflow || (!neg && v >= limit) || (neg && v > limit) {
            return .failure(GoError("strconv.\(function): parsing \(quote(s)): value out of range"))
        }
        if neg { return .success(v == 1 << 63 ? Int64.min : -Int64(v)) }
        return .success(Int64(v))
    }

    /// `strconv.ParseUint(s, 10, bits)`.
    static func parseUint(_ s: String, bits: Int) -> UInt64? {
        let u = Array(s.utf8)
        guard !u.isEmpty else { return nil }
        var v: UInt64 = 0
        for c in u {
            guard c >= 0x30, c <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            if o1 || o2 { return nil }
            v = a
        }
        if bits < 64, v >= (1 << UInt64(bits)) { return nil }
        return v
    }

    /// `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, in nanoseconds.
    static func parseDuration(_ orig: String) -> Result<Int64, GoError> {
        let invalid = GoError("time: invalid duration " + timeQuote(orig))
        var s = Array(orig.utf8)[...]
        var neg = false
        if let c = s.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            neg = c == UInt8(ascii: "-")
            s = s.dropFirst()
        }
        if s.elementsEqual("0".utf8) { return .success(0) }
        if s.isEmpty { return .failure(invalid) }
        let big: UInt64 = 1 << 63
        var d: UInt64 = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        while let first = s.first {
            guard first == UInt8(ascii: ".") || isDigit(first) else { return .failure(invalid) }
            // leadingInt
            var v: UInt64 = 0
            let pl = s.count
            while let c = s.first, isDigit(c) {
                if v > big / 10 { return .failure(invalid) }
                v = v * 10 + UInt64(c - 0x30)
                if v > big { return .failure(invalid) }
                s = s.dropFirst()
            }
            let pre = pl != s.count
            var f: UInt64 = 0
            var scale = 1.0
            var post = false
            if s.first == UInt8(ascii: ".") {
                s = s.dropFirst()
                let pl2 = s.count
                var overflow = false
                while let c = s.first, isDigit(c) {
                    s = s.dropFirst()
                    if overflow { continue }
                    if f > (big - 1) / 10 { overflow = true; continue }
                    let y = f * 10 + UInt64(c - 0x30)
                    if y > big { overflow = true; continue }
                    f = y
                    scale *= 10
                }
                post = pl2 != s.count
            }
            if !pre && !post { return .failure(invalid) }
            var unitEnd = s.startIndex
            while unitEnd < s.endIndex, s[unitEnd] != UInt8(ascii: "."), !isDigit(s[unitEnd]) { unitEnd += 1 }
            if unitEnd == s.startIndex { return .failure(GoError("time: missing unit in duration " + timeQuote(orig))) }
            let unitBytes = Array(s[s.startIndex..<unitEnd])
            s = s[unitEnd...]
            let unitText = String(decoding: unitBytes, as: UTF8.self)
            guard let unit = durationUnits[unitText] else {
                return .failure(GoError("time: unknown unit " + timeQuote(unitText) + " in duration " + timeQuote(orig)))
            }
            if v > big / unit { return .failure(invalid) }
            v *= unit
            if f > 0 {
                v += UInt64(Double(f) * (Double(unit) / scale))
                if v > big { return .failure(invalid) }
            }
            d += v
            if d > big { return .failure(invalid) }
        }
        if neg { return .success(d == big ? Int64.min : -Int64(d)) }
        if d > big - 1 { return .failure(invalid) }
        return .success(Int64(d))
    }

    static let durationUnits: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{B5}s": 1_000, "\u{3BC}s": 1_000,
        "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]
}

/// An error carrying a Go error's text.
struct GoError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
