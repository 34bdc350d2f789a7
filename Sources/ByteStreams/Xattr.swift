import Foundation

/// Calls `body` with `bytes` as a NUL-terminated C string (a file name, which need not be
/// UTF-8).
public func withCName<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
    var b = bytes
    b.append(0)
    return try b.withUnsafeBufferPointer { try $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count, body) }
}

/// The `<sys/xattr.h>` calls, which the Glibc module does not import, looked up once in
/// the C library by name (all have fixed, non-variadic signatures). Paths are bytes or
/// strings; a final symlink is never followed.
public enum Xattr {
    typealias FSet = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias LSet = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias LGet = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias LList = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>?, Int) -> Int

    nonisolated(unsafe) static let handle = dlopen(nil, RTLD_NOW)

    static func symbol<T>(_ name: String, as: T.Type) -> T? {
        guard let p = dlsym(handle, name) else { return nil }
        return unsafeBitCast(p, to: T.self)
    }

    nonisolated(unsafe) static let fset = symbol("fsetxattr", as: FSet.self)
    nonisolated(unsafe) static let lset = symbol("lsetxattr", as: LSet.self)
    nonisolated(unsafe) static let lget = symbol("lgetxattr", as: LGet.self)
    nonisolated(unsafe) static let llist = symbol("llistxattr", as: LList.self)

    /// `fsetxattr(fd, name, value, 0)`; -1 with `errno` on failure.
    public static func set(fd: Int32, _ name: String, _ value: [UInt8]) -> Int32 {
        guard let f = fset else { errno = ENOTSUP; return -1 }
        return value.withUnsafeBytes { v in f(fd, name, v.baseAddress, v.count, 0) }
    }

    /// `lsetxattr(path, name, value, 0)` (the last component is not followed).
    public static func set(path: [UInt8], _ name: String, _ value: [UInt8]) -> Int32 {
        guard let f = lset else { errno = ENOTSUP; return -1 }
        return withCName(path) { p in value.withUnsafeBytes { v in f(p, name, v.baseAddress, v.count, 0) } }
    }

    /// All xattrs of `path` (not following a final symlink), by name; empty when unsupported.
    public static func list(path: [UInt8]) -> [String: [UInt8]] {
        guard let list = llist, let get = lget else { return [:] }
        return withCName(path) { p -> [String: [UInt8]] in
            let n = list(p, nil, 0)
            guard n > 0 else { return [:] }
            var names = [CChar](repeating: 0, count: n)
            let m = list(p, &names, n)
            guard m > 0 else { return [:] }
            var out: [String: [UInt8]] = [:]
            for raw in names[0..<m].split(separator: 0) {
                let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let size = get(p, name, nil, 0)
                guard size >= 0 else { continue }
                var value = [UInt8](repeating: 0, count: size)
                let got = value.withUnsafeMutableBytes { get(p, name, $0.baseAddress, size) }
                if got >= 0 { out[name] = Array(value.prefix(got)) }
            }
            return out
        }
    }

    /// `lgetxattr(path, name)`: the value, or nil when the file has none (or the file system
    /// keeps no extended attributes). Values longer than `limit` bytes read as nil.
    public static func get(path: String, _ name: String, limit: Int = 256) -> [UInt8]? {
        guard let get = lget else { return nil }
        var value = [UInt8](repeating: 0, count: limit)
        let n = value.withUnsafeMutableBytes { v in get(path, name, v.baseAddress, limit) }
        return n >= 0 ? Array(value.prefix(n)) : nil
    }
}
