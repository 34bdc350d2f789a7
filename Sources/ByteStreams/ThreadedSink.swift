import Foundation

/// A `ByteSink` that hands its bytes to a `HelperLane`, whose jobs write them to
/// `downstream` in order: decompression and hashing on one core, compression on another.
///
/// At most `depth` chunks (each at most the writer's chunk size) wait in the lane, so
/// memory stays flat. An error downstream is thrown by the next `write` or by `finish`.
/// A writer that finds the lane full, or calls `finish`, writes the queued chunks itself
/// (`HelperLane.runOrWait`) rather than sleep.
public final class ThreadedSink: ByteSink, @unchecked Sendable {
    private let downstream: ByteSink
    private let lane: HelperLane
    private let condition = NSCondition()
    /// Chunks submitted and not yet written.
    private var pending = 0
    /// Buffers the lane is done with, kept for the next writes: a fresh allocation per
    /// chunk costs page faults and zeroing on every chunk.
    private var spare: [[UInt8]] = []
    private var failure: Error?
    private let depth: Int

    public init(_ downstream: ByteSink, depth: Int = 8, pool: HelperPool = .shared) {
        self.downstream = downstream
        self.depth = depth
        lane = HelperLane(pool: pool)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        condition.lock()
        // Full: the writer hashes (or compresses) a chunk itself rather than wait.
        while pending >= depth && failure == nil {
            condition.unlock()
            lane.runOrWait()
            condition.lock()
        }
        if let failure { condition.unlock(); throw failure }
        var copy = spare.popLast() ?? []
        pending += 1
        condition.unlock()
        copy.removeAll(keepingCapacity: true)
        copy.append(contentsOf: bytes)
        lane.submit { [self] in written(copy) }
    }

    /// The lane's job for one chunk.
    private func written(_ chunk: [UInt8]) {
        condition.lock()
        let failed = failure != nil
        condition.unlock()
        var error: Error?
        if !failed {
            do { try chunk.withUnsafeBytes { try downstream.write($0) } } catch let e { error = e }
        }
        condition.lock()
        if let error, failure == nil { failure = error }
        if spare.count < depth { spare.append(chunk) }
        pending -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Runs what is queued here (or waits for the job running elsewhere) until all is written.
    private func waitForPending() throws {
        lane.drain()
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
    }

    /// Waits until every chunk is written; rethrows the first error downstream.
    public func finish() throws {
        try waitForPending()
    }
}
