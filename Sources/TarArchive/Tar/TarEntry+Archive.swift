import CArchive
import Foundation

extension TarEntry {
    /// The largest uid or gid an entry may carry: `uid_t` and `gid_t` are 32 bits, and
    /// 4294967295 is `(uid_t)-1`, which `chown` takes as "leave unchanged", not an owner.
    public static let maxOwnerID: Int64 = Int64(UInt32.max) - 1

    /// Reads libarchive's entry `e`, checking every numeric field against the type it
    /// becomes, so that no command converts a value that does not fit (every reader of
    /// a tar goes through here: import, load, verify, unpack, diff, commit, squash).
    ///
    /// - uid and gid: 0...`maxOwnerID` (a PAX `uid` of 2^40 or -1, a base-256 field).
    /// - Device numbers of block and character devices: 0...4294967295 (`UInt32`, what
    ///   `makedev` takes; PAX `SCHILY.devmajor`/`SCHILY.devminor`, base-256 fields). Other
    ///   entry types carry none: whatever their header says is read as 0 (`TarWriter`
    ///   never writes them either).
    /// - size: not negative (libarchive itself refuses a negative size as damage).
    /// - mtime: seconds, negative ones (before 1970) included, but not a value past 64 bits
    ///   (a PAX `mtime` of 10^20): libarchive clamps those to ±(2^63 - 1), so both limits
    ///   (and -2^63) are refused.
    /// - Parameter source: the archive's name, for errors.
    /// - Throws: `ArchiveError` `.refusedEntry`, `<source>: entry <path>: <field> <value> is
    ///   out of range (<low> to <high>)`, with the value as written (a negative one too).
    init(archiveEntry e: OpaquePointer, source: String) throws {
        let rawPath = archive_entry_pathname(e) ?? archive_entry_pathname_utf8(e)
        let path = rawPath.map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) } ?? []
        let type = archive_entry_filetype(e) & modeTypeMask
        var kind: Kind
        switch type {
        case modeDirectory: kind = .directory
        case modeSymlink: kind = .symlink
        case modeCharacter: kind = .characterDevice
        case modeBlock: kind = .blockDevice
        case modeFIFO: kind = .fifo
        case modeSocket: kind = .socket
        default: kind = .regular
        }
        var link: [UInt8]?
        if let h = archive_entry_hardlink(e) {
            kind = .hardlink
            link = Array(UnsafeBufferPointer(start: UnsafeRawPointer(h).assumingMemoryBound(to: UInt8.self), count: strlen(h)))
        } else if kind == .symlink, let s = archive_entry_symlink(e) ?? archive_entry_symlink_utf8(e) {
            link = Array(UnsafeBufferPointer(start: UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self), count: strlen(s)))
        }
        self.init(path: "", kind: kind)
        self.pathBytes = path
        self.linkBytes = link

        func refuse(_ field: String, _ value: Int64, _ range: ClosedRange<Int64>) -> ArchiveError {
            ArchiveError(.refusedEntry, "\(source): entry \(self.path): \(field) \(value) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        let owners: ClosedRange<Int64> = 0...Self.maxOwnerID
        let uid = archive_entry_uid(e), gid = archive_entry_gid(e)
        guard owners.contains(uid) else { throw refuse("uid", uid, owners) }
        guard owners.contains(gid) else { throw refuse("gid", gid, owners) }
        self.uid = uid
        self.gid = gid
        let size = archive_entry_size_is_set(e) != 0 ? archive_entry_size(e) : 0
        guard size >= 0 else { throw refuse("size", size, 0...Int64.max) }
        self.size = size
        if kind == .characterDevice || kind == .blockDevice {
            // dev_t is unsigned: a negative value written in the archive comes back as
            // its two's complement, shown as written.
            let devices: ClosedRange<Int64> = 0...Int64(UInt32.max)
            let major = Int64(bitPattern: UInt64(archive_entry_rdevmajor(e)))
            let minor = Int64(bitPattern: UInt64(archive_entry_rdevminor(e)))
            guard devices.contains(major) else { throw refuse("device major", major, devices) }
            guard devices.contains(minor) else { throw refuse("device minor", minor, devices) }
            self.deviceMajor = UInt32(major)
            self.deviceMinor = UInt32(minor)
        }
        self.permissions = UInt32(archive_entry_perm(e)) & 0o7777
        self.uname = archive_entry_uname(e).map { String(cString: $0) }
        self.gname = archive_entry_gname(e).map { String(cString: $0) }
        let mtime = archive_entry_mtime_is_set(e) != 0 ? Int64(archive_entry_mtime(e)) : 0
        // libarchive clamps a time past 64 bits to the limit: the limits mean "did not fit".
        let times: ClosedRange<Int64> = (-Int64.max + 1)...(Int64.max - 1)
        guard times.contains(mtime) else { throw refuse("mtime", mtime, times) }
        self.mtime = mtime
        self.mtimeNanoseconds = archive_entry_mtime_is_set(e) != 0 ? Int64(archive_entry_mtime_nsec(e)) : 0
        self.isSparse = archive_entry_sparse_count(e) > 0
        var attrs: [(name: String, value: [UInt8])] = []
        if archive_entry_xattr_reset(e) > 0 {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK {
                guard let name else { continue }
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                attrs.append((String(cString: name), bytes))
            }
        }
        self.xattrs = attrs
    }
}
