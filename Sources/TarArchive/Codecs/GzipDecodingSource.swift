import CIsal
import Foundation

/// A `ChunkSource` that passes its upstream through, gzip-decoded when the stream starts
/// with the gzip magic (RFC 1952): the decoder is ISA-L's igzip, which takes about half
/// the CPU of zlib's inflate. Every member of a multi-member stream is decoded and its
/// CRC-32 checked; anything after the last member that is not a member is ignored, as
/// libarchive's gzip filter ignores it. Input that is not gzip passes through untouched.
///
/// Memory: one 1 MiB output buffer and ISA-L's state (about 200 KiB).
final class GzipDecodingSource: ChunkSource {
    private let upstream: ChunkSource
    private let name: String
    private var first: UnsafeRawBufferPointer?
    private var decoding: Bool?
    private var state: UnsafeMutablePointer<inflate_state>?
    private var input = UnsafeRawBufferPointer(start: nil, count: 0)
    private var inputEnded = false
    private var memberDone = false
    private var finished = false
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    /// A byte of input kept across an upstream call (its buffer is only valid until then).
    private let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 16)
    private var queued: UnsafeRawBufferPointer?

    /// - Parameter name: names the stream in error messages.
    init(_ upstream: ChunkSource, name: String) {
        self.upstream = upstream
        self.name = name
    }

    deinit {
        output.deallocate()
        small.deallocate()
        state?.deallocate()
    }

    /// Whether `bytes` start a gzip member as libarchive's gzip bidder sees one: the magic,
    /// method 8 (deflate) and no reserved flag bits (RFC 1952 §2.3.1).
    static func isGzipHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 10 && bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[2] == 8 && bytes[3] & 0xE0 == 0
    }

    /// Whether the stream is gzip (known after the first `nextChunk`).
    var isGzip: Bool { decoding == true }

    func nextChunk() throws -> UnsafeRawBufferPointer {
        if decoding == nil {
            let chunk = try upstream.nextChunk()
            decoding = Self.isGzipHeader(chunk)
            guard decoding == true else { return chunk }
            input = chunk
            let s = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
            isal_inflate_init(s)
            s.pointee.crc_flag = UInt32(ISAL_GZIP)
            state = s
        }
        guard decoding == true else { return try upstream.nextChunk() }
        return try decode()
    }

    private func decode() throws -> UnsafeRawBufferPointer {
        guard let s = state, !finished else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        while true {
            if memberDone {
                // Another member follows, or the stream ends (a tail that is not a
                // member is ignored).
                if input.isEmpty {
                    if inputEnded { return end() }
                    input = try nextUpstream()
                    continue
                }
                if input.count == 1 {
                    // The magic may straddle two chunks: keep the byte, look at the next.
                    small[0] = input[0]
                    let next = try nextUpstream()
                    input = UnsafeRawBufferPointer(rebasing: small[0..<1])
                    guard !next.isEmpty, small[0] == 0x1F, next[0] == 0x8B else { return end() }
                    queued = next
                } else if input[0] != 0x1F || input[1] != 0x8B {
                    return end()
                }
                isal_inflate_reset(s)
                s.pointee.crc_flag = UInt32(ISAL_GZIP)
                memberDone = false
            }
            if input.isEmpty && !inputEnded { input = try nextUpstream() }
            s.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            s.pointee.avail_in = UInt32(input.count)
            s.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
            s.pointee.avail_out = UInt32(output.count)
            let rc = isal_inflate(s)
            let used = input.count - Int(s.pointee.avail_in)
            input = used == input.count ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(rebasing: input[used...])
            let produced = output.count - Int(s.pointee.avail_out)
            if rc < 0 { throw failure(rc) }
            if s.pointee.block_state == ISAL_BLOCK_FINISH { memberDone = true }
            if produced > 0 { return UnsafeRawBufferPointer(rebasing: output[0..<produced]) }
            if !memberDone && input.isEmpty && inputEnded {
                throw ArchiveError(.corrupt, "\(name): damaged or truncated gzip data", cause: "truncated gzip input")
            }
        }
    }

    private func end() -> UnsafeRawBufferPointer {
        finished = true
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// The chunk looked at early, if any, else the upstream's next.
    private func nextUpstream() throws -> UnsafeRawBufferPointer {
        if let q = queued {
            queued = nil
            return q
        }
        let c = try upstream.nextChunk()
        if c.isEmpty { inputEnded = true }
        return c
    }

    private func failure(_ rc: Int32) -> ArchiveError {
        let what: String
        switch rc {
        case ISAL_INCORRECT_CHECKSUM: what = "gzip CRC-32 does not match the data"
        case ISAL_INVALID_WRAPPER, ISAL_UNSUPPORTED_METHOD: what = "not a valid gzip header"
        default: what = "damaged gzip data (igzip error \(rc))"
        }
        return ArchiveError(.corrupt, "\(name): damaged or truncated gzip data", cause: what)
    }
}
