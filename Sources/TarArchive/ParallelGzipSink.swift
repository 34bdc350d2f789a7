import CZlib
import Foundation

/// A `ByteSink` that gzip-compresses the bytes written to it on several threads and
/// writes one gzip member to a downstream sink, in the manner of pigz.
///
/// The input is cut into blocks of `blockSize` bytes at fixed stream offsets. Each
/// block is compressed as raw deflate, primed with the last 32 KiB of the block before
/// it (so back-references reach across block boundaries and the ratio stays close to
/// single-stream gzip), and ended with a sync flush; the last block ends the deflate
/// stream. The blocks are written in order between a fixed header (no name, mtime 0,
/// OS unknown) and the CRC-32 / length trailer.
///
/// Output depends only on the input bytes, the level and the block size: neither the
/// thread count, nor timing, nor how the input is split across `write` calls changes
/// a byte of it.
///
/// Memory is bounded: at most `2 × threads + 1` blocks exist (each about
/// `2 × blockSize + 32 KiB`); `write` waits while they are all busy. A zlib error or a
/// downstream error is thrown by the next `write` or by `finish()`.
///
/// Not for use by several threads at once: one producer calls `write` and `finish`.
/// The downstream sink is written from a worker thread until `finish()` returns.
public final class ParallelGzipSink: ByteSink {
    /// 512 KiB. pigz uses 128 KiB; with producers that write 1 MiB at a time (as
    /// `import` does) and `2 × threads + 1` blocks, 128 KiB blocks starve the workers
    /// while the producer decodes, and measured about 15% slower on two cores; 512 KiB
    /// and 1 MiB were within noise of each other, and 512 KiB needs less memory.
    public static let defaultBlockSize = 512 * 1024
    /// The deflate window: how much of the previous block primes the next.
    static let dictionarySize = 32 * 1024

    private let engine: GzipEngine
    private var current: GzipBlock
    private var nextIndex = 0
    private var finished = false

    /// Starts the worker threads.
    /// - Parameters:
    ///   - downstream: receives the gzip stream.
    ///   - level: zlib compression level, 0 (store) to 9.
    ///   - blockSize: bytes of input per block, 32 KiB to 64 MiB.
    ///   - threads: compressing threads; 0 uses one per active processor.
    ///   - name: used in error messages.
    /// - Throws: `ArchiveError` `.io` for a level or block size out of range.
    public init(downstream: ByteSink, level: Int = 6, blockSize: Int = ParallelGzipSink.defaultBlockSize,
                threads: Int = 0, name: String = "gzip stream") throws {
        guard (0...9).contains(level) else {
            throw ArchiveError(.io, "\(name): gzip level \(level) is not between 0 and 9")
        }
        guard (Self.dictionarySize...(64 << 20)).contains(blockSize) else {
            throw ArchiveError(.io, "\(name): gzip block size \(blockSize) is not between 32 KiB and 64 MiB")
        }
        let n = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
        engine = GzipEngine(downstream: downstream, level: Int32(level), blockSize: blockSize,
                            threads: n, name: name)
        current = engine.makeBlock()
        engine.start()
    }

    deinit {
        engine.abandon()
        current.deallocate()
    }

    /// Queues `bytes` for compression; waits while every block is busy.
    /// - Throws: the first error of a worker (zlib or the downstream sink), or
    ///   `ArchiveError` `.write` after `finish()`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if finished { throw ArchiveError(.write, "\(engine.name): write after finish") }
        try engine.check()
        guard var src = bytes.baseAddress, bytes.count > 0 else { return }
        var left = bytes.count
        let size = engine.blockSize
        while left > 0 {
            if current.length == size {
                // Full and more input follows: this block is not the last.
                let next = try engine.acquireBlock()
                current.copyDictionary(to: next)
                current.index = nextIndex
                current.last = false
                nextIndex += 1
                engine.submit(current)
                current = next
            }
            let n = min(left, size - current.length)
            (current.data + current.length).copyMemory(from: src, byteCount: n)
            current.length += n
            src += n
            left -= n
        }
    }

    /// Compresses what is left, writes the trailer and stops the workers.
    ///
    /// Calling it again does nothing (or throws the same error).
    /// - Throws: the first error of a worker (zlib or the downstream sink).
    public func finish() throws {
        if !finished {
            finished = true
            current.index = nextIndex
            current.last = true
            nextIndex += 1
            let last = current
            current = engine.makeBlock(capacity: 0)
            engine.submit(last)
        }
        try engine.join()
    }
}

/// One block of input and, once compressed, its deflate bytes.
final class GzipBlock: @unchecked Sendable {
    /// `dictionarySize` bytes of priming, then up to `blockSize` bytes of input.
    let buffer: UnsafeMutableRawPointer
    let capacity: Int
    var dictionaryLength = 0
    var length = 0
    var index = 0
    var last = false
    var output: UnsafeMutableRawPointer?
    var outputCapacity = 0
    var outputLength = 0
    var crc: UInt32 = 0

    init(capacity: Int) {
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: ParallelGzipSink.dictionarySize + capacity, alignment: 16)
    }

    var data: UnsafeMutableRawPointer { buffer + ParallelGzipSink.dictionarySize }

    func copyDictionary(to next: GzipBlock) {
        let n = min(length, ParallelGzipSink.dictionarySize)
        (next.buffer + ParallelGzipSink.dictionarySize - n).copyMemory(from: data + length - n, byteCount: n)
        next.dictionaryLength = n
    }

    func reset() {
        dictionaryLength = 0
        length = 0
        last = false
        outputLength = 0
        crc = 0
    }

    func deallocate() {
        buffer.deallocate()
        output?.deallocate()
        output = nil
    }
}

/// The state the producer and the threads share, all of it guarded by `condition`.
final class GzipEngine: @unchecked Sendable {
    let name: String
    let blockSize: Int
    let level: Int32
    private let threads: Int
    /// Dropped as soon as the threads have stopped: a thread object may keep the engine
    /// alive a moment longer, the downstream sink (a temporary file, say) must not.
    private var downstream: ByteSink?
    private let condition = NSCondition()
    /// Blocks handed out at most (the producer's, queued, compressing, waiting to be written).
    private let maxBlocks: Int
    private var allocated = 1
    private var free: [GzipBlock] = []
    private var pending: [GzipBlock] = []
    private var pendingHead = 0
    private var compressed: [Int: GzipBlock] = [:]
    private var failure: Error?
    private var stopping = false
    private var running = 0
    private var started = false

    init(downstream: ByteSink, level: Int32, blockSize: Int, threads: Int, name: String) {
        self.downstream = downstream
        self.level = level
        self.blockSize = blockSize
        self.threads = threads
        self.name = name
        self.maxBlocks = 2 * threads + 1
    }

    deinit {
        for b in free { b.deallocate() }
        for b in pending[pendingHead...] { b.deallocate() }
        for b in compressed.values { b.deallocate() }
    }

    func makeBlock(capacity: Int? = nil) -> GzipBlock { GzipBlock(capacity: capacity ?? blockSize) }

    func start() {
        condition.lock()
        running = threads + 1
        started = true
        condition.unlock()
        for i in 0..<threads {
            let t = Thread { [self] in compressLoop() }
            t.name = "gzip \(i)"
            t.stackSize = 1 << 20
            t.start()
        }
        let w = Thread { [self] in writeLoop() }
        w.name = "gzip writer"
        w.stackSize = 1 << 20
        w.start()
    }

    /// Throws the first failure, if any.
    func check() throws {
        condition.lock()
        let f = failure
        condition.unlock()
        if let f { throw f }
    }

    /// A free block, waiting for one when all are in use.
    func acquireBlock() throws -> GzipBlock {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let f = failure { throw f }
            if let b = free.popLast() {
                b.reset()
                return b
            }
            if allocated < maxBlocks {
                allocated += 1
                return makeBlock()
            }
            condition.wait()
        }
    }

    func submit(_ block: GzipBlock) {
        condition.lock()
        pending.append(block)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the threads to end (after the last block, or a failure); rethrows a failure.
    func join() throws {
        condition.lock()
        while running > 0 { condition.wait() }
        downstream = nil
        let f = failure
        condition.unlock()
        if let f { throw f }
    }

    /// Stops the threads without finishing the stream (the sink was dropped).
    func abandon() {
        condition.lock()
        if started && running > 0 {
            stopping = true
            if failure == nil { failure = ArchiveError(.write, "\(name): abandoned before finish") }
            condition.broadcast()
            while running > 0 { condition.wait() }
        }
        downstream = nil
        condition.unlock()
    }

    private func fail(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error }
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func exitThread() {
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    // MARK: compression

    private func compressLoop() {
        defer { exitThread() }
        let strm = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        strm.initialize(to: z_stream())
        defer { strm.deallocate() }
        let rc = deflateInit2_(strm, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if rc != Z_OK { return fail(zlibError("cannot start deflate", rc, strm)) }
        defer { deflateEnd(strm) }
        let bound = Int(deflateBound(strm, uLong(blockSize))) + 64
        while true {
            condition.lock()
            while pendingHead == pending.count && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            let block = pending[pendingHead]
            pendingHead += 1
            if pendingHead == pending.count {
                pending.removeAll(keepingCapacity: true)
                pendingHead = 0
            }
            let isLast = block.last
            condition.unlock()
            do {
                try compress(block, strm, bound: bound)
            } catch {
                block.deallocate()
                return fail(error)
            }
            condition.lock()
            compressed[block.index] = block
            condition.broadcast()
            condition.unlock()
            if isLast {
                // Nothing follows the last block; let the other workers go too.
                condition.lock()
                stopping = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    private func compress(_ b: GzipBlock, _ strm: UnsafeMutablePointer<z_stream>, bound: Int) throws {
        b.crc = UInt32(crc32(0, b.data.assumingMemoryBound(to: Bytef.self), uInt(b.length)))
        if b.output == nil {
            b.output = UnsafeMutableRawPointer.allocate(byteCount: bound, alignment: 16)
            b.outputCapacity = bound
        }
        var rc = deflateReset(strm)
        if rc != Z_OK { throw zlibError("cannot reset deflate", rc, strm) }
        if b.dictionaryLength > 0 {
            let dict = b.data - b.dictionaryLength
            rc = deflateSetDictionary(strm, dict.assumingMemoryBound(to: Bytef.self), uInt(b.dictionaryLength))
            if rc != Z_OK { throw zlibError("cannot prime deflate", rc, strm) }
        }
        strm.pointee.next_in = b.data.assumingMemoryBound(to: Bytef.self)
        strm.pointee.avail_in = uInt(b.length)
        let flush = b.last ? Z_FINISH : Z_SYNC_FLUSH
        b.outputLength = 0
        while true {
            if b.outputLength == b.outputCapacity {
                // Only when deflateBound was not enough; never expected.
                let bigger = b.outputCapacity * 2
                let p = UnsafeMutableRawPointer.allocate(byteCount: bigger, alignment: 16)
                p.copyMemory(from: b.output!, byteCount: b.outputLength)
                b.output!.deallocate()
                b.output = p
                b.outputCapacity = bigger
            }
            let room = b.outputCapacity - b.outputLength
            strm.pointee.next_out = (b.output! + b.outputLength).assumingMemoryBound(to: Bytef.self)
            strm.pointee.avail_out = uInt(room)
            rc = deflate(strm, flush)
            b.outputLength += room - Int(strm.pointee.avail_out)
            if rc == Z_STREAM_END { return }
            if rc != Z_OK && rc != Z_BUF_ERROR { throw zlibError("cannot deflate", rc, strm) }
            if !b.last && strm.pointee.avail_out != 0 && strm.pointee.avail_in == 0 { return }
            if rc == Z_BUF_ERROR && strm.pointee.avail_out != 0 {
                throw zlibError("deflate made no progress", rc, strm)
            }
        }
    }

    private func zlibError(_ what: String, _ rc: Int32, _ strm: UnsafeMutablePointer<z_stream>) -> ArchiveError {
        let msg = strm.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
        return ArchiveError(.write, "\(name): \(what)", cause: msg)
    }

    // MARK: output

    private func writeLoop() {
        // The stream is written in a function of its own, so that its reference to the
        // downstream sink is gone before the thread counts itself out.
        writeStream()
        exitThread()
    }

    private func writeStream() {
        condition.lock()
        let downstream = self.downstream!
        condition.unlock()
        let xfl: UInt8 = level == 9 ? 2 : (level == 1 ? 4 : 0)
        let header: [UInt8] = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, xfl, 0xFF]
        do {
            try header.withUnsafeBytes { try downstream.write($0) }
        } catch {
            return fail(error)
        }
        var crc: uLong = 0
        var total: UInt64 = 0
        var index = 0
        while true {
            condition.lock()
            while compressed[index] == nil && failure == nil { condition.wait() }
            if failure != nil {
                condition.unlock()
                return
            }
            let block = compressed.removeValue(forKey: index)!
            condition.unlock()
            index += 1
            do {
                try downstream.write(UnsafeRawBufferPointer(start: block.output, count: block.outputLength))
            } catch {
                block.deallocate()
                return fail(error)
            }
            crc = crc32_combine(crc, uLong(block.crc), off_t(block.length))
            total &+= UInt64(block.length)
            let last = block.last
            condition.lock()
            free.append(block)
            condition.broadcast()
            condition.unlock()
            if last { break }
        }
        let c = UInt32(truncatingIfNeeded: crc)
        let n = UInt32(truncatingIfNeeded: total)
        var trailer = [UInt8](repeating: 0, count: 8)
        for i in 0..<4 {
            trailer[i] = UInt8(truncatingIfNeeded: c >> (8 * UInt32(i)))
            trailer[4 + i] = UInt8(truncatingIfNeeded: n >> (8 * UInt32(i)))
        }
        do {
            try trailer.withUnsafeBytes { try downstream.write($0) }
        } catch {
            fail(error)
        }
    }
}
