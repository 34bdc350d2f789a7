import Foundation
import ImageSpec
import ByteStreams

/// The store's record that a blob file was hashed and matched its name: the extended
/// attribute `user.lading.checked` on `blobs/<alg>/<hex>`, holding the digest's raw bytes
/// (32 for SHA-256) and then the file's size, modification time (seconds) and its
/// nanoseconds as they were when the hash was taken: three little-endian Int64, 56 bytes
/// in all for SHA-256.
///
/// A write to the file moves its modification time, and a file put in its place (a
/// rename, a copy without attributes) carries no record or another digest's, so a record
/// that still matches the file stands for a hash of its current content — the quick check
/// `git status` and `rsync` make of size and time. What it cannot see is a change made
/// beneath the file system (a failing disk) or a time set back by hand: `lading verify`
/// hashes every blob whatever the records say, and the delta load takes `--rehash-base`.
///
/// File times are kept in coarse ticks (a few milliseconds), so a write in the same tick
/// as the record would leave the time as it was. A record is therefore only taken of a
/// time at least a second old: a blob lading has just written has its modification time
/// set one second back first (blobs are content-addressed; their times mean nothing
/// else), and a blob hashed in place that changed within the last second is not recorded.
///
/// Only blobs of at least `minimumSize` bytes get one (hashing a smaller one costs less
/// than the attribute). File systems without user extended attributes keep none, and
/// every check then hashes.
public enum CheckRecord {
    static let name = "user.lading.checked"
    /// Blobs smaller than this (bytes) are hashed on every check.
    static let minimumSize: Int64 = 1 << 20

    /// The current time, as `unchangedSince` takes it: take it before reading a file to
    /// hash it.
    public static func now() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now
    }

    /// Records that the file at `path` (not following a symlink) has content `digest`;
    /// nothing when the file is small, changed within the second before `unchangedSince`
    /// or after it, or the file system keeps no such attributes.
    /// - Parameters:
    ///   - unchangedSince: when the hash began reading the file (`now()`); a write while
    ///     it was being read would leave a time after this. Nil: now (a file just written).
    ///   - setTime: first set the file's modification time one second back (a file lading
    ///     has just written, not yet in `blobs/`).
    static func write(path: String, digest: Digest, unchangedSince: timespec? = nil, setTime: Bool = false) {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, Int64(st.st_size) >= minimumSize else { return }
        let since = unchangedSince ?? Self.now()
        let settled = timespec(tv_sec: since.tv_sec - 1, tv_nsec: since.tv_nsec)
        if setTime {
            // Access time as it is (UTIME_OMIT, which the Glibc module does not import).
            let times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), settled]
            guard utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) == 0, lstat(path, &st) == 0 else { return }
        }
        guard (st.st_mtim.tv_sec, st.st_mtim.tv_nsec) <= (settled.tv_sec, settled.tv_nsec),
              let value = value(digest, st) else { return }
        _ = Xattr.set(path: Array(path.utf8), name, value)
    }

    /// Whether the file at `path` carries a record of content `digest` that still matches
    /// it, and is `size` bytes long.
    static func matches(path: String, digest: Digest, size: Int64) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, Int64(st.st_size) == size,
              let expected = value(digest, st), let found = Xattr.get(path: path, name) else { return false }
        return found == expected
    }

    /// The record's bytes for `digest` and the file status `st`; nil for a digest whose
    /// encoded part is not hex.
    static func value(_ digest: Digest, _ st: stat) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(digest.encoded.utf8.count / 2 + 24)
        var high: UInt8?
        for c in digest.encoded.utf8 {
            guard let v = hexValue(c) else { return nil }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        guard high == nil else { return nil }
        for n in [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec)] {
            withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
