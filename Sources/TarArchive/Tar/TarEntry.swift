import Foundation

/// One header of a tar archive: a path and its metadata, without the content.
///
/// Paths are kept as raw bytes (`pathBytes`) since tar names need not be UTF-8;
/// `path` is a lossy rendering for messages and for names known to be ASCII.
public struct TarEntry: Sendable, Equatable {
    /// The kind of file an entry describes (POSIX ustar typeflags).
    public enum Kind: Sendable, Equatable {
        case regular, directory, symlink, hardlink, characterDevice, blockDevice, fifo, socket
    }

    public var pathBytes: [UInt8]
    public var kind: Kind
    /// Content size in bytes (0 for everything but regular files).
    public var size: Int64
    /// Permission bits including setuid, setgid and sticky (no type bits).
    public var permissions: UInt32
    /// Owner IDs; read by `TarReader`, 0...`TarEntry.maxOwnerID` (others are refused).
    public var uid: Int64
    public var gid: Int64
    public var uname: String?
    public var gname: String?
    /// Modification time, seconds and nanoseconds since the epoch.
    public var mtime: Int64
    public var mtimeNanoseconds: Int64
    /// The target of a symlink or hardlink, raw bytes.
    public var linkBytes: [UInt8]?
    /// A block or character device's numbers (what `makedev` takes); read by `TarReader`,
    /// 0 for other kinds, and a value past 32 bits or negative is refused.
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// Extended attributes (from `SCHILY.xattr.*` and `LIBARCHIVE.xattr.*` records), in archive order.
    public var xattrs: [(name: String, value: [UInt8])]
    /// True when the entry is a sparse file.
    public var isSparse: Bool

    public init(path: String, kind: Kind, size: Int64 = 0, permissions: UInt32 = 0o644,
                uid: Int64 = 0, gid: Int64 = 0, mtime: Int64 = 0, link: String? = nil) {
        self.pathBytes = Array(path.utf8)
        self.kind = kind
        self.size = size
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.mtime = mtime
        self.mtimeNanoseconds = 0
        self.linkBytes = link.map { Array($0.utf8) }
        self.deviceMajor = 0
        self.deviceMinor = 0
        self.xattrs = []
        self.isSparse = false
    }

    public var path: String { String(decoding: pathBytes, as: UTF8.self) }
    public var link: String? { linkBytes.map { String(decoding: $0, as: UTF8.self) } }

    public static func == (a: TarEntry, b: TarEntry) -> Bool {
        a.pathBytes == b.pathBytes && a.kind == b.kind && a.size == b.size
            && a.permissions == b.permissions && a.uid == b.uid && a.gid == b.gid
            && a.mtime == b.mtime && a.mtimeNanoseconds == b.mtimeNanoseconds
            && a.linkBytes == b.linkBytes && a.deviceMajor == b.deviceMajor
            && a.deviceMinor == b.deviceMinor && a.isSparse == b.isSparse
            && a.xattrs.map(\.name) == b.xattrs.map(\.name)
            && a.xattrs.map(\.value) == b.xattrs.map(\.value)
    }
}

// File type bits (libarchive's AE_IF* macros do not import into Swift).
let modeTypeMask: UInt32 = 0o170000
let modeRegular: UInt32 = 0o100000
let modeSymlink: UInt32 = 0o120000
let modeSocket: UInt32 = 0o140000
let modeCharacter: UInt32 = 0o020000
let modeBlock: UInt32 = 0o060000
let modeDirectory: UInt32 = 0o040000
let modeFIFO: UInt32 = 0o010000
