import CArchive

/// A stream compression, as found by its magic bytes or named by a media type.
public enum Compression: String, Sendable, CaseIterable, Codable {
    case none
    case gzip
    case zstd
    case xz
    case bzip2

    /// Recognises a compression from the first bytes of a stream.
    ///
    /// Tests bzip2, gzip, xz and zstd in that order, as docker's import does.
    /// Anything else (a plain tar included) is `.none`.
    /// - Parameter magic: at least the first 6 bytes of the stream, when the stream has them.
    public static func detect<C: Collection>(magic: C) -> Compression where C.Element == UInt8 {
        let b = Array(magic.prefix(6))
        func starts(_ p: [UInt8]) -> Bool { b.count >= p.count && Array(b.prefix(p.count)) == p }
        if starts([0x42, 0x5A, 0x68]) { return .bzip2 }
        if starts([0x1F, 0x8B, 0x08]) { return .gzip }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        // zstd skippable frames 0x184D2A50..5F (little endian), accepted by moby.
        if b.count >= 4, b[1] == 0x2A, b[2] == 0x4D, b[3] == 0x18, b[0] & 0xF0 == 0x50 { return .zstd }
        return .none
    }

    init(filterCode: Int32) {
        switch filterCode {
        case ARCHIVE_FILTER_GZIP: self = .gzip
        case ARCHIVE_FILTER_ZSTD: self = .zstd
        case ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_LZMA: self = .xz
        case ARCHIVE_FILTER_BZIP2: self = .bzip2
        default: self = .none
        }
    }
}
