import TarArchive

/// The type of a file in a tree.
public enum FileKind: String, Sendable, Codable, CaseIterable {
    case regular, directory, symlink, characterDevice, blockDevice, fifo, socket

    init(_ kind: TarEntry.Kind) {
        switch kind {
        case .regular, .hardlink: self = .regular
        case .directory: self = .directory
        case .symlink: self = .symlink
        case .characterDevice: self = .characterDevice
        case .blockDevice: self = .blockDevice
        case .fifo: self = .fifo
        case .socket: self = .socket
        }
    }

    var tarKind: TarEntry.Kind {
        switch self {
        case .regular: return .regular
        case .directory: return .directory
        case .symlink: return .symlink
        case .characterDevice: return .characterDevice
        case .blockDevice: return .blockDevice
        case .fifo: return .fifo
        case .socket: return .socket
        }
    }
}

/// What a tree knows about one path: everything a layer can carry except the content,
/// which is represented by its SHA-256.
public struct FileMetadata: Equatable, Sendable {
    public var kind: FileKind
    /// Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000).
    public var mode: UInt32
    public var uid: Int64
    public var gid: Int64
    /// Content size in bytes; 0 for all but regular files.
    public var size: Int64
    /// Modification time in seconds and nanoseconds since the epoch.
    public var mtime: Int64
    public var mtimeNanoseconds: Int64
    /// A symlink's target, raw bytes.
    public var linkTarget: [UInt8]?
    /// Extended attributes by name.
    public var xattrs: [String: [UInt8]]
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// Lowercase hex SHA-256 of a regular file's content, when known.
    public var contentDigest: String?
    /// Names sharing one inode (hardlinks) share a group number; nil for a single name.
    public var hardlinkGroup: Int?

    public init(kind: FileKind, mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0, size: Int64 = 0,
                mtime: Int64 = 0, mtimeNanoseconds: Int64 = 0, linkTarget: [UInt8]? = nil,
                xattrs: [String: [UInt8]] = [:], deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0,
                contentDigest: String? = nil, hardlinkGroup: Int? = nil) {
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.mtime = mtime
        self.mtimeNanoseconds = mtimeNanoseconds
        self.linkTarget = linkTarget
        self.xattrs = xattrs
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.contentDigest = contentDigest
        self.hardlinkGroup = hardlinkGroup
    }

    /// The metadata a tar header describes (no digest, no hardlink group). Symlinks get
    /// mode 0777, as Linux gives them whatever the header says.
    public init(entry e: TarEntry) {
        var x: [String: [UInt8]] = [:]
        for a in e.xattrs { x[a.name] = a.value }
        self.init(kind: FileKind(e.kind), mode: e.kind == .symlink ? 0o777 : e.permissions & 0o7777, uid: e.uid, gid: e.gid,
                  size: e.kind == .regular ? e.size : 0, mtime: e.mtime, mtimeNanoseconds: e.mtimeNanoseconds,
                  linkTarget: e.kind == .symlink ? (e.linkBytes ?? []) : nil, xattrs: x,
                  deviceMajor: e.deviceMajor, deviceMinor: e.deviceMinor)
    }

    /// A tar header for this metadata at `path` (content not included; mtime in whole seconds,
    /// no user or group names, xattrs sorted by name).
    public func tarEntry(path: LayerPath) -> TarEntry {
        var e = TarEntry(path: "", kind: kind.tarKind, size: kind == .regular ? size : 0, permissions: mode,
                         uid: uid, gid: gid, mtime: mtime)
        e.pathBytes = path.bytes
        e.linkBytes = kind == .symlink ? linkTarget : nil
        e.deviceMajor = deviceMajor
        e.deviceMinor = deviceMinor
        e.uname = ""
        e.gname = ""
        e.xattrs = xattrs.keys.sorted().map { ($0, xattrs[$0]!) }
        return e
    }
}
