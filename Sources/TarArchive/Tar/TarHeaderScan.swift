/// Reads a decoded stream to its end through sinks (hashing it, say) while a tar reader
/// walks its entry headers: how commands that only hash layers (`load`, `verify`) refuse
/// the entries every other command refuses (`TarReader.next()`: a uid or a device number
/// out of range), in the same pass.
public enum TarHeaderScan {
    /// Pulls every byte of `content` exactly once into `sinks`, in order, whatever the
    /// headers say (bytes after the end-of-archive blocks included), while the headers are
    /// read; content is skipped, never copied out.
    /// - Parameter name: the stream's name in the refusal (a layer's digest or file).
    /// - Returns: the refusal of the first entry `TarReader.next()` refuses (`ArchiveError`
    ///   `.refusedEntry`: `<name>: entry <path>: <field> <value> is out of range …`); nil
    ///   when there is none, and when the stream is not a tar or is damaged (a blob that is
    ///   not a layer is not refused here).
    /// - Throws: what `content` or a sink throws.
    public static func run(_ content: ChunkSource, sinks: [ByteSink], name: String) throws -> ArchiveError? {
        let tee = TeeChunks(content, sinks: sinks)
        var refusal: ArchiveError?
        do {
            let reader = try TarReader(.chunks(tee), name: name, decompress: false)
            while try reader.next() != nil {}
        } catch let e as ArchiveError where tee.sourceError == nil {
            if e.code == .refusedEntry { refusal = e }
        } catch where tee.sourceError == nil {
            // Anything else the reader says about a stream that is not a tar: not ours.
        }
        if let e = tee.sourceError { throw e }
        try tee.drain()
        return refusal
    }
}
