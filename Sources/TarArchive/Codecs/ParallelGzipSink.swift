import CDeflate
import Foundation

/// A `ByteSink` that gzip-compresses the bytes written to it on several threads and
/// writes them to a downstream sink as a series of gzip members (RFC 1952 §2.2: a gzip
/// file is a series of members; every gzip reader, Go's `compress/gzip` among them,
/// reads them back as one stream, as it does eStargz layers).
///
/// The input is cut into blocks of `blockSize` bytes at fixed stream offsets; each block
/// becomes one member, compressed by libdeflate (header: no name, mtime 0). Blocks are
/// independent, so workers never wait for each other; the price is that back-references
/// do not cross block boundaries, about 0.15% of output at 1 MiB blocks.
///
/// Output depends only on the input bytes, the level and the block size: neither the
/// thread count, nor timing, nor how the input is split across `write` calls changes
/// a byte of it. Empty input gives one empty member.
///
/// Memory is bounded: at most `2 × threads + 1` blocks exist (each about
/// `2 × blockSize`); `write` waits while they are all busy. A compressor error or a
/// downstream error is thrown by the next `write` or by `finish()`.
///
/// Not for use by several threads at once: one producer calls `write` and `finish`.
/// The downstream sink is written from a worker thread until `finish()` returns.
public final class ParallelGzipSink: ByteSink {
    /// 1 MiB: large enough that cutting the stream costs little ratio, small enough
    /// that two cores stay busy on a producer writing 1 MiB at a time.
    public static let defaultBlockSize = 1 << 20
    /// Levels libdeflate accepts: 0 stores, 1 is fastest, 6 the usual default, 12 smallest.
    public static let levels = 0...12

    private let engine: GzipEngine
    private var current: GzipBlock
    private var nextIndex = 0
    private var finished = false

    /// Starts the worker threads.
    /// - Parameters:
    ///   - downstream: receives the gzip stream.
    ///   - level: compression level, 0 (store) to 12; 1 to 9 mean what they mean to gzip.
    ///   - blockSize: bytes of input per member, 32 KiB to 64 MiB.
    ///   - threads: compressing threads; 0 uses one per active processor.
    ///   - name: used in error messages.
    /// - Throws: `ArchiveError` `.io` for a level or block size out of range.
    public init(downstream: ByteSink, level: Int = 6, blockSize: Int = ParallelGzipSink.defaultBlockSize,
                threads: Int = 0, name: String = "gzip stream") throws {
        guard Self.levels.contains(level) else {
            throw ArchiveError(.io, "\(name): gzip level \(level) is not between 0 and 12")
        }
        guard ((32 << 10)...(64 << 20)).contains(blockSize) else {
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
    /// - Throws: the first error of a worker (compressor or the downstream sink), or
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

    /// Compresses what is left and stops the workers.
    ///
    /// Calling it again does nothing (or throws the same error).
    /// - Throws: the first error of a worker (compressor or the downstream sink).
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

/// One block of input and, once compressed, its gzip member.
final class GzipBlock: @unchecked Sendable {
    let data: UnsafeMutableRawPointer
    let capacity: Int
    var length = 0
    var index = 0
    var last = false
    var output: UnsafeMutableRawPointer?
    var outputCapacity = 0
    var outputLength = 0

    init(capacity: Int) {
        self.capacity = capacity
        data = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
    }

    func reset() {
        length = 0
        last = false
        outputLength = 0
    }

    func deallocate() {
        data.deallocate()
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
        guard let compressor = libdeflate_alloc_compressor(level) else {
            return fail(ArchiveError(.write, "\(name): cannot start the compressor at level \(level)"))
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, blockSize)
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
                try compress(block, compressor, bound: bound)
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

    /// Makes `b`'s member; an empty last block after others makes none.
    private func compress(_ b: GzipBlock, _ compressor: OpaquePointer, bound: Int) throws {
        b.outputLength = 0
        if b.length == 0 && b.index > 0 { return }
        if b.output == nil {
            b.output = UnsafeMutableRawPointer.allocate(byteCount: bound, alignment: 16)
            b.outputCapacity = bound
        }
        let n = libdeflate_gzip_compress(compressor, b.data, b.length, b.output, b.outputCapacity)
        // The bound is libdeflate's own worst case for blockSize bytes; 0 means it did not fit.
        guard n > 0 else {
            throw ArchiveError(.write, "\(name): block \(b.index) did not fit the compressor's bound")
        }
        b.outputLength = n
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
                if block.outputLength > 0 {
                    try downstream.write(UnsafeRawBufferPointer(start: block.output, count: block.outputLength))
                }
            } catch {
                block.deallocate()
                return fail(error)
            }
            let last = block.last
            condition.lock()
            free.append(block)
            condition.broadcast()
            condition.unlock()
            if last { break }
        }
    }
}
