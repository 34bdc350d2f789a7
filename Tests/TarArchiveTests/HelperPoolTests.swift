import ByteStreams
import Foundation
import Testing

/// Collects what it is given; fails at write number `failAt` if set.
private final class Collect: ByteSink, @unchecked Sendable {
    let lock = NSLock()
    var bytes: [UInt8] = []
    var writes = 0
    let failAt: Int?
    struct Failed: Error, Equatable { let at: Int }
    init(failAt: Int? = nil) { self.failAt = failAt }
    func write(_ b: UnsafeRawBufferPointer) throws {
        lock.lock()
        defer { lock.unlock() }
        writes += 1
        if writes == failAt { throw Failed(at: writes) }
        bytes.append(contentsOf: b)
    }
}

/// `HelperPool` and `HelperLane`: the helpers that hash and compress behind a reader.
@Suite(.timeLimit(.minutes(1))) struct HelperPoolTests {
    @Test func aLaneRunsItsJobsOneAtATimeInOrder() {
        let pool = HelperPool(threads: 4)
        let lanes = (0..<8).map { _ in HelperLane(pool: pool) }
        let lock = NSLock()
        var seen = [[Int]](repeating: [], count: 8)
        var inside = [Int](repeating: 0, count: 8), overlaps = 0
        for i in 0..<4000 {
            let l = i % 8
            lanes[l].submit {
                lock.lock(); inside[l] += 1; if inside[l] > 1 { overlaps += 1 }; lock.unlock()
                usleep(UInt32(i % 3))
                lock.lock(); inside[l] -= 1; seen[l].append(i); lock.unlock()
            }
        }
        for lane in lanes { lane.drain() }
        #expect(overlaps == 0)
        for l in 0..<8 { #expect(seen[l] == Array(stride(from: l, to: 4000, by: 8))) }
    }

    /// A pool of one thread, held by a job of `blocker` until `release` is signalled, and a
    /// second lane on it.
    static func heldPool() -> (blocker: HelperLane, mine: HelperLane, release: DispatchSemaphore) {
        let pool = HelperPool(threads: 1)
        let blocker = HelperLane(pool: pool), mine = HelperLane(pool: pool)
        let held = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        blocker.submit { held.signal(); release.wait() }
        held.wait()
        return (blocker, mine, release)
    }

    /// The pool's one thread is held by a job of another lane: the owner that drains its
    /// lane runs its jobs itself, on its own thread, instead of waiting for the pool.
    @Test func anOwnerThatWaitsRunsItsJobsItself() {
        let (blocker, mine, release) = Self.heldPool()
        let me = pthread_self()
        let lock = NSLock()
        var ranHere = 0
        for _ in 0..<5 { mine.submit { lock.lock(); if pthread_equal(pthread_self(), me) != 0 { ranHere += 1 }; lock.unlock() } }
        mine.drain()
        #expect(ranHere == 5)
        release.signal()
        blocker.drain()
    }

    /// `help(whenQueued:)` runs a job here only when the lane is that far behind, and never
    /// waits: while the lane's job runs elsewhere it returns at once.
    @Test func helpRunsAJobOnlyWhenTheLaneIsBehind() {
        let (blocker, mine, release) = Self.heldPool()
        let lock = NSLock()
        var ran: [Int] = []
        for i in 0..<3 { mine.submit { lock.lock(); ran.append(i); lock.unlock() } }
        #expect(!mine.help(whenQueued: 4))
        #expect(ran.isEmpty)
        #expect(mine.help(whenQueued: 3))
        #expect(ran == [0])
        // The blocker's lane: its one job runs on the pool's thread, so help does not wait.
        blocker.submit {}
        #expect(blocker.help(whenQueued: 1) == true)  // ran the next lane in line (mine)
        #expect(ran == [0, 1])
        release.signal()
        blocker.drain()
        mine.drain()
        #expect(ran == [0, 1, 2])
    }

    /// A sink feeding another on a pool of one thread (a compressor whose output is
    /// hashed): the pool's job that finds the second lane full writes it itself.
    @Test func sinksInASinkOnOneThreadDoNotWaitOnThemselves() throws {
        let pool = HelperPool(threads: 1)
        let end = Collect()
        let inner = ThreadedSink(end, depth: 2, pool: pool)
        let outer = ThreadedSink(inner, depth: 2, pool: pool)
        var expected: [UInt8] = []
        for i in 0..<500 {
            let chunk = [UInt8](repeating: UInt8(i % 251), count: 1 + i % 700)
            expected += chunk
            try chunk.withUnsafeBytes { try outer.write($0) }
        }
        try outer.finish()
        try inner.finish()
        #expect(end.bytes == expected)
    }

    @Test func anErrorDownstreamIsThrownByALaterWriteOrByFinish() throws {
        let sink = ThreadedSink(Collect(failAt: 3), depth: 2, pool: HelperPool(threads: 1))
        var thrown: Error?
        do {
            for _ in 0..<100 { try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try sink.write($0) } }
            try sink.finish()
        } catch { thrown = error }
        #expect(thrown as? Collect.Failed == Collect.Failed(at: 3))
        #expect(throws: Collect.Failed(at: 3)) { try sink.finish() }
    }
}
