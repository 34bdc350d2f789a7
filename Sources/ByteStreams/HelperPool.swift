import Foundation

/// The threads that work behind a stream (hashing, compressing what a reader hands
/// over): one fewer than the CPUs the process may run on, at least one. Work comes in
/// `HelperLane`s, each a serial queue of jobs; the pool's threads take ready lanes in
/// turn, one job at a time. However many streams a command hashes at once (a blob's
/// digest, a split set's parts, a layer's diff ID), the thread that reads never competes
/// with more helpers than there are other cores: on 2 CPUs every helper job runs on one
/// thread beside the reader.
///
/// Jobs must not wait for the reader. A job that waits on another lane (a compressor
/// whose output is hashed, its lane full) runs that lane's jobs itself
/// (`HelperLane.runOrWait`), so a pool of one thread never waits on itself.
public final class HelperPool: @unchecked Sendable {
    /// The process's pool: `max(1, CPUs - 1)` threads, started as lanes need them.
    public static let shared = HelperPool(threads: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    public let threads: Int
    private let condition = NSCondition()
    private var ready: [HelperLane] = []
    private var head = 0
    /// Threads started, threads waiting for a lane, and those of them already signalled.
    private var started = 0, idle = 0, woken = 0

    public init(threads: Int) { self.threads = max(1, threads) }

    /// Puts a lane that has jobs and no thread on it in line (under no lane lock).
    func schedule(_ lane: HelperLane) {
        condition.lock()
        ready.append(lane)
        if idle > woken {
            woken += 1
            condition.signal()
        } else if started < threads {
            started += 1
            let t = Thread { [self] in loop() }
            t.stackSize = 1 << 20
            t.start()
        }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == ready.count {
                idle += 1
                condition.wait()
                idle -= 1
                if woken > 0 { woken -= 1 }
            }
            let lane = next()
            condition.unlock()
            // One job, then the lane goes to the back of the line if it has more: lanes
            // that a reader fills in turn advance in turn.
            if lane.runOne() { schedule(lane) }
        }
    }

    /// The lane first in line (under `condition`, the line not empty).
    private func next() -> HelperLane {
        let lane = ready[head]
        head += 1
        if head > 64 && head * 2 > ready.count { ready.removeFirst(head); head = 0 }
        return lane
    }

    /// For a thread that would wait on a lane whose job runs elsewhere: one job of the
    /// lane first in line, run here as a pool thread would. Whether there was one.
    func runReady() -> Bool {
        condition.lock()
        guard head < ready.count else { condition.unlock(); return false }
        let lane = next()
        condition.unlock()
        if lane.runOne() { schedule(lane) }
        return true
    }
}

/// A serial queue of jobs on a `HelperPool`: jobs run one at a time, in the order
/// submitted, on whichever pool thread is free, or on the thread that waits for them
/// (`runOrWait`): an owner that would sleep until its jobs are done does them itself,
/// beside the pool. Holds no thread of its own: a lane with nothing queued costs nothing.
public final class HelperLane: @unchecked Sendable {
    private let pool: HelperPool
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var head = 0
    /// In the pool's line; a job running (on a pool thread or an owner's).
    private var scheduled = false, running = false

    public init(pool: HelperPool = .shared) { self.pool = pool }

    /// Queues `job` behind the lane's others. Never waits.
    public func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        let wake = !scheduled && !running
        if wake { scheduled = true }
        condition.unlock()
        if wake { pool.schedule(self) }
    }

    /// Takes the next job (under `condition`, none running).
    private func take() -> () -> Void {
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        }
        running = true
        return job
    }

    /// For the owner waiting on its jobs: runs the next one on the calling thread, or, while
    /// one runs elsewhere, a job of another lane in the pool's line, or else waits for it
    /// to end. Returns false when nothing is queued or running (the wait is over, or was
    /// for something else).
    @discardableResult
    public func runOrWait() -> Bool {
        condition.lock()
        if running {
            // Its job runs elsewhere: another lane's, meanwhile, rather than sleep.
            condition.unlock()
            if pool.runReady() { return true }
            condition.lock()
            while running { condition.wait() }
            condition.unlock()
            return true
        }
        guard head < jobs.count else { condition.unlock(); return false }
        runTaken()
        return true
    }

    /// Runs the next job here (entered under `condition`, none running; returns unlocked).
    private func runTaken() {
        let job = take()
        condition.unlock()
        job()
        condition.lock()
        running = false
        condition.broadcast()
        // Jobs queued behind it go to the pool, unless the lane is in line already.
        let wake = head < jobs.count && !scheduled
        if wake { scheduled = true }
        condition.unlock()
        if wake { pool.schedule(self) }
    }

    /// For an owner with work of its own whose lane falls behind: when at least `count`
    /// jobs wait, runs the next one here (or, while one runs elsewhere, a job of another
    /// lane in the pool's line), so the reader and the pool share the hashing when the
    /// pool alone cannot keep up. Never waits; whether it ran a job.
    @discardableResult
    public func help(whenQueued count: Int) -> Bool {
        condition.lock()
        guard jobs.count - head >= count else { condition.unlock(); return false }
        guard !running else { condition.unlock(); return pool.runReady() }
        runTaken()
        return true
    }

    /// Runs every queued job, here or where they run already, until the lane is idle.
    public func drain() {
        while runOrWait() {}
    }

    /// A pool thread's turn: the next job, if no other thread runs one; whether the lane
    /// has more (it is then put back in line).
    fileprivate func runOne() -> Bool {
        condition.lock()
        scheduled = false
        guard !running, head < jobs.count else { condition.unlock(); return false }
        let job = take()
        condition.unlock()
        job()
        condition.lock()
        defer { condition.unlock() }
        running = false
        condition.broadcast()
        if head < jobs.count {
            scheduled = true
            return true
        }
        return false
    }
}
