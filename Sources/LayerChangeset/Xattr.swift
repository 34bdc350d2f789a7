import Foundation

/// The `<sys/xattr.h>` calls, which the Glibc module does not import, looked up once in
/// the C library by name (all have fixed, non-variadic signatures).
enum Xattr {
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
    static func set(fd: Int32, _ name: String, _ value: [UInt8]) -> Int32 {
        guard let f = fset else { errno = ENOTSUP; return -1 }
        return value.withUnsafeBytes { v in f(fd, name, v.baseAddress, v.count, 0) }
    }

    /// `lsetxattr(path, name, value, 0)` (the last component is not followed).
    static func set(path: [UInt8], _ name: String, _ value: [UInt8]) -> Int32 {
        guard let f = lset else { errno = ENOTSUP; return -1 }
        return withCName(path) { p in value.withUnsafeBytes { v in f(p, name, v.baseAddress, v.count, 0) } }
    }

    /// All xattrs of `path` (not following a final symlink), by name; empty when unsupported.
    static func list(path: [UInt8]) -> [String: [UInt8]] {
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
}
