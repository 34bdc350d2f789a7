import Foundation

/// A `ByteSink` that hands its bytes to another thread, which writes them to
/// `downstream`: decompression and hashing on one core, compression on the other.
///
/// The queue holds at most `depth` chunks (each at most the writer's chunk size), so
/// memory stays flat. An error on the worker is thrown by the next `write` or by `finish`.
public final class ThreadedSink: ByteSink, @unchecked Sendable {
    private let downstream: ByteSink
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    /// Buffers the worker is done with, kept for the next writes: a fresh allocation per
    /// chunk costs page faults and zeroing on every chunk.
    private var spare: [[UInt8]] = []
    private var closed = false
    private var done = false
    private var failure: Error?
    private let depth: Int

    public init(_ downstream: ByteSink, depth: Int = 8) {
        self.downstream = downstream
        self.depth = depth
        let t = Thread { [self] in work() }
        t.stackSize = 1 << 20
        t.start()
    }

    private func work() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty && closed {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let chunk = queue.removeFirst()
            condition.broadcast()
            let failed = failure != nil
            condition.unlock()
            if failed { continue }
            var error: Error?
            do {
                try chunk.withUnsafeBytes { try downstream.write($0) }
            } catch let e {
                error = e
            }
            condition.lock()
            if let error { failure = error }
            if spare.count < depth { spare.append(chunk) }
            condition.unlock()
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        condition.lock()
        var copy = spare.popLast() ?? []
        condition.unlock()
        copy.removeAll(keepingCapacity: true)
        copy.append(contentsOf: bytes)
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(copy)
        condition.broadcast()
    }

    /// Waits until the worker has written everything; rethrows its error.
    public func finish() throws {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        let f = failure
        condition.unlock()
        if let f { throw f }
    }

    deinit {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }
}
