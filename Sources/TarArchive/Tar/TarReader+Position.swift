import CArchive

extension TarReader {
    /// Bytes of the (decompressed) stream the archive reader has consumed: once `next()`
    /// returned nil, where the archive ended, its end-of-archive blocks included. Bytes
    /// read ahead from the source and not yet consumed are not counted.
    public var consumed: Int64 {
        guard let a = handle else { return 0 }
        return archive_filter_bytes(a, 0)
    }
}
