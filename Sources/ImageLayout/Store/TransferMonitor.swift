import Foundation

/// Progress and cooperative cancellation for a long operation (load, save, copy,
/// verify): the operation reports the bytes it moves through `advance(_:)`, which calls
/// the progress handler and throws `CancellationError` once `cancel()` was called.
/// Operations check between writes and between blobs, never inside a rename or an
/// `index.json` write, so a cancelled operation fails as any failed one does: what it
/// wrote so far is removed and the store is left as it was.
///
/// Thread-safe: `cancel()` may be called from any thread while the operation runs.
public final class TransferMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var total: Int64 = 0
    private let progress: (@Sendable (Int64) -> Void)?

    /// - Parameter progress: called with the bytes processed so far (bytes written into
    ///   the store or the archive, or hashed by verify), from the thread doing the work.
    public init(progress: (@Sendable (_ bytes: Int64) -> Void)? = nil) {
        self.progress = progress
    }

    /// Asks the operation to stop at its next check; it then throws `CancellationError`.
    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// The bytes reported so far.
    public var bytes: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return total
    }

    /// Counts `n` more bytes, reports the total, and throws `CancellationError` when
    /// cancelled.
    public func advance(_ n: Int) throws {
        lock.lock()
        total += Int64(n)
        let now = total, stop = cancelled
        lock.unlock()
        if n > 0 { progress?(now) }
        if stop { throw CancellationError() }
    }

    /// Throws `CancellationError` when cancelled (a check between blobs).
    public func check() throws {
        if isCancelled { throw CancellationError() }
    }
}
