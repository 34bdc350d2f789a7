import CArchive

extension TarReader {
    /// The next block of the current entry's content as libarchive decoded it, in place:
    /// valid until the next call (no copy). For a `.raw` stream, where blocks are
    /// contiguous.
    /// - Returns: an empty buffer at the end.
    /// - Throws: `ArchiveError` `.corrupt` when the content is truncated, fails to decode
    ///   or has holes (a sparse tar entry: use `forEachChunk`).
    public func nextBlock() throws -> UnsafeRawBufferPointer {
        guard let a = handle else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        while true {
            var buf: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let rc = archive_read_data_block(a, &buf, &size, &offset)
            if rc == ARCHIVE_EOF { return UnsafeRawBufferPointer(start: nil, count: 0) }
            if rc < ARCHIVE_WARN {
                if let err = context.error { throw err }
                throw ArchiveError(.corrupt, "\(name): cannot read entry \(entryName)", cause: errorString())
            }
            if offset != blockPosition {
                throw ArchiveError(.corrupt, "\(name): entry \(entryName) has a hole at \(blockPosition)")
            }
            blockPosition += Int64(size)
            if size > 0 { return UnsafeRawBufferPointer(start: buf, count: size) }
        }
    }
}
