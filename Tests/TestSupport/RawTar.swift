import Foundation

/// Hand-made tar blocks, for archives `TarWriter` will not produce: a PAX `path` record
/// that overrides a harmless ustar name, say.
public enum RawTar {
    /// One 512-byte ustar header. `type` is the typeflag character ("0", "x", "5", "3",
    /// ...). Numeric fields that octal cannot hold (negative, or too large for the field)
    /// are written in base-256, as GNU tar and Go do: the first byte's high bit set, then
    /// the value big-endian in two's complement.
    public static func header(name: String, type: Character, size: Int = 0, mode: Int = 0o644, link: String = "",
                              uid: Int64 = 0, gid: Int64 = 0, mtime: Int64 = 0, devMajor: Int64 = 0, devMinor: Int64 = 0) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, _ off: Int, _ len: Int) {
            for (i, b) in s.utf8.prefix(len).enumerated() { h[off + i] = b }
        }
        func number(_ v: Int64, _ off: Int, _ len: Int) {
            let s = String(v, radix: 8)
            if v >= 0 && s.count < len {
                put(String(repeating: "0", count: len - 1 - s.count) + s, off, len - 1)
                return
            }
            var x = UInt64(bitPattern: v)
            for i in stride(from: off + len - 1, through: off, by: -1) {
                h[i] = i >= off + len - 8 ? UInt8(x & 0xFF) : (v < 0 ? 0xFF : 0)
                if i >= off + len - 8 { x >>= 8 }
            }
            h[off] |= 0x80
        }
        put(name, 0, 100)
        number(Int64(mode), 100, 8)
        number(uid, 108, 8)
        number(gid, 116, 8)
        number(Int64(size), 124, 12)
        number(mtime, 136, 12)
        put(String(repeating: " ", count: 8), 148, 8)
        h[156] = type.asciiValue!
        put(link, 157, 100)
        put("ustar", 257, 6)
        put("00", 263, 2)
        // Left empty unless given, as before these fields were settable.
        if devMajor != 0 || devMinor != 0 {
            number(devMajor, 329, 8)
            number(devMinor, 337, 8)
        }
        let sum = h.reduce(0) { $0 + Int($1) }
        let s = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - s.count) + s, 148, 6)
        h[154] = 0
        h[155] = 0x20
        return h
    }

    /// `bytes` padded with zeros to a multiple of 512.
    public static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
    }

    /// A PAX extended header (typeflag `x`) holding `records` (`key=value`).
    public static func pax(_ records: [(String, String)]) -> [UInt8] {
        var body: [UInt8] = []
        for (k, v) in records {
            let core = " \(k)=\(v)\n"
            var n = core.utf8.count + 1
            while String(n).count + core.utf8.count != n { n += 1 }
            body += Array("\(n)\(core)".utf8)
        }
        return header(name: "PaxHeaders/x", type: "x", size: body.count) + padded(body)
    }

    /// A regular file entry with content.
    public static func file(_ name: String, _ content: String) -> [UInt8] {
        header(name: name, type: "0", size: content.utf8.count) + padded(Array(content.utf8))
    }

    /// Two zero blocks.
    public static let end = [UInt8](repeating: 0, count: 1024)
}
