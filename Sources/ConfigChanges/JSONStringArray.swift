/// Recognises the exec form: text that Go's `json.Unmarshal` accepts as an array,
/// after leading whitespace, starting with `[`.
enum JSONStringArray {
    enum Outcome: Equatable {
        /// A valid array whose elements are all strings.
        case strings([String])
        /// A valid array with a non-string element: an error in buildkit.
        case notStrings
        /// Not a JSON array: shell form.
        case notJSON
    }

    static func parse(_ text: String) -> Outcome {
        let trimmed = GoText.trimLeftSpace(text)
        guard trimmed.unicodeScalars.first == "[" else { return .notJSON }
        var p = Parser(bytes: Array(trimmed.utf8))
        guard let v = p.document() else { return .notJSON }
        guard case .array(let items) = v else { return .notJSON }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { return .notStrings }
            out.append(s)
        }
        return .strings(out)
    }

    indirect enum Value { case string(String), array([Value]), other }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func document() -> Value? {
            skipWS()
            guard let v = value() else { return nil }
            skipWS()
            return i == bytes.count ? v : nil
        }

        mutating func skipWS() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func value(depth: Int = 0) -> Value? {
            guard depth < 10_000, i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "["):
                i += 1
                var items: [Value] = []
                skipWS()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipWS()
                    guard let v = value(depth: depth + 1) else { return nil }
                    items.append(v)
                    skipWS()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    return nil
                }
            case UInt8(ascii: "{"):
                i += 1
                skipWS()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .other }
                while true {
                    skipWS()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), string() != nil else { return nil }
                    skipWS()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    skipWS()
                    guard value(depth: depth + 1) != nil else { return nil }
                    skipWS()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .other }
                    return nil
                }
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: String) -> Value? {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return nil }
            i += w.count
            return .other
        }

        mutating func number() -> Value? {
            func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, digit(bytes[i]) else { return nil }
            if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while i < bytes.count, digit(bytes[i]) { i += 1 } }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard i < bytes.count, digit(bytes[i]) else { return nil }
                while i < bytes.count, digit(bytes[i]) { i += 1 }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard i < bytes.count, digit(bytes[i]) else { return nil }
                while i < bytes.count, digit(bytes[i]) { i += 1 }
            }
            return .other
        }

        /// A JSON string, decoded as Go decodes it (a lone surrogate becomes U+FFFD).
        mutating func string() -> String? {
            i += 1
            var out = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() {
                out.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run = []
            }
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; flush(); return String(out) }
                if c < 0x20 { return nil }
                if c != UInt8(ascii: "\\") { run.append(c); i += 1; continue }
                flush()
                i += 1
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append("\"")
                case UInt8(ascii: "\\"): out.append("\\")
                case UInt8(ascii: "/"): out.append("/")
                case UInt8(ascii: "b"): out.append("\u{08}")
                case UInt8(ascii: "f"): out.append("\u{0C}")
                case UInt8(ascii: "n"): out.append("\n")
                case UInt8(ascii: "r"): out.append("\r")
                case UInt8(ascii: "t"): out.append("\t")
                case UInt8(ascii: "u"):
                    guard let hi = hex4() else { return nil }
                    if hi >= 0xD800 && hi < 0xDC00 {
                        let save = i
                        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            if let lo = hex4(), lo >= 0xDC00 && lo < 0xE000 {
                                out.append(Unicode.Scalar(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))!)
                                continue
                            }
                        }
                        i = save
                        out.append("\u{FFFD}")
                    } else {
                        out.append(Unicode.Scalar(hi) ?? "\u{FFFD}")
                    }
                default: return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: return nil
                }
                v = v * 16 + d
                i += 1
            }
            return v
        }
    }
}
