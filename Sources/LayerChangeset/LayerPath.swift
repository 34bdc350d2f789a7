/// A cleaned path inside a layer or tree: its components, raw bytes, never empty
/// strings, `.` or `..`. The root is the path with no components.
///
/// Ordering is component by component (byte order within a component), so a directory
/// sorts right before its descendants: `a`, `a/b`, `a-b`.
public struct LayerPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var components: [[UInt8]]

    public init(components: [[UInt8]]) { self.components = components }

    /// Parses a `/`-separated path such as `etc/passwd` or `/etc/passwd` (the leading `/`
    /// is ignored); `..` must not climb above the root.
    public init?(_ text: String) {
        guard let p = try? LayerPath.clean(Array(text.utf8)) else { return nil }
        self = p
    }

    public static let root = LayerPath(components: [])

    public var isRoot: Bool { components.isEmpty }
    /// The last component (empty for the root).
    public var name: [UInt8] { components.last ?? [] }
    public var parent: LayerPath { LayerPath(components: Array(components.dropLast())) }
    public func appending(_ name: [UInt8]) -> LayerPath { LayerPath(components: components + [name]) }

    /// True when `self` is `other` or lies below it.
    public func hasPrefix(_ other: LayerPath) -> Bool {
        components.count >= other.components.count && Array(components.prefix(other.components.count)) == other.components
    }

    /// The relative path's raw bytes, `a/b/c` (empty for the root).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for (i, c) in components.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "/")) }
            out.append(contentsOf: c)
        }
        return out
    }

    /// The absolute form `/a/b/c` as raw bytes (`/` for the root).
    public var absoluteBytes: [UInt8] { [UInt8(ascii: "/")] + bytes }

    /// `/a/b/c`, escaped with `LayerPath.escape` when it holds unusual bytes.
    public var description: String { LayerPath.escape(absoluteBytes) }

    public static func < (a: LayerPath, b: LayerPath) -> Bool {
        for (x, y) in zip(a.components, b.components) where x != y {
            return x.lexicographicallyPrecedes(y)
        }
        return a.components.count < b.components.count
    }

    /// The error a name that climbs out of the root raises.
    public struct Escape: Error {}

    /// Cleans a raw entry name lexically: a leading `/` is dropped (absolute names are
    /// confined to the root, as moby and containerd do), empty and `.` components are
    /// dropped, `..` removes the previous component.
    /// - Throws: `Escape` when `..` would climb above the root.
    public static func clean(_ raw: [UInt8]) throws -> LayerPath {
        var out: [[UInt8]] = []
        for c in raw.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if c.count == 1 && c[c.startIndex] == UInt8(ascii: ".") { continue }
            if c.count == 2 && c.allSatisfy({ $0 == UInt8(ascii: ".") }) {
                if out.isEmpty { throw Escape() }
                out.removeLast()
                continue
            }
            out.append(Array(c))
        }
        return LayerPath(components: out)
    }

    /// Renders raw name bytes unambiguously.
    ///
    /// Names made only of printable ASCII (other than `"` and `\`) or valid printable
    /// UTF-8, with no spaces, are returned as they are. Anything else is returned in
    /// double quotes with C escapes (an empty name is `""`): `\"`, `\\`, `\n`, `\t`, `\r` and `\xNN` for other
    /// control bytes and bytes that are not UTF-8 (git's quoting of paths).
    /// `escape(bytes)`, cut to its first `limit` characters and `…` when longer.
    public static func shortened(_ bytes: [UInt8], limit: Int = 100) -> String {
        let s = escape(bytes)
        return s.count > limit ? String(s.prefix(limit)) + "…" : s
    }

    public static func escape(_ bytes: [UInt8]) -> String {
        let plain = String(validating: bytes, as: UTF8.self)
        if let s = plain, !s.isEmpty, !s.unicodeScalars.contains(where: needsQuote) { return s }
        var out = "\""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x80, let (scalar, len) = decodeScalar(bytes, i), !needsQuote(scalar) {
                out.unicodeScalars.append(scalar)
                i += len
                continue
            }
            switch b {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "\\x" + String(b, radix: 16).leftPadded(2)
            }
            i += 1
        }
        return out + "\""
    }

    static func needsQuote(_ s: Unicode.Scalar) -> Bool {
        if s == "\"" || s == "\\" || s == " " { return true }
        if s.value < 0x20 || s.value == 0x7F { return true }
        if s.value >= 0x80 && s.value < 0xA0 { return true }
        switch s.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse: return true
        default: return false
        }
    }

    static func decodeScalar(_ bytes: [UInt8], _ i: Int) -> (Unicode.Scalar, Int)? {
        let b = bytes[i]
        let len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
        guard len > 0, i + len <= bytes.count else { return nil }
        guard let s = String(validating: bytes[i..<i + len], as: UTF8.self), let u = s.unicodeScalars.first,
              s.unicodeScalars.count == 1 else { return nil }
        return (u, len)
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
