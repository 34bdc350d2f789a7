import Foundation
import ImageLayout

/// A one-line progress report on standard error for long commands, drawn only when
/// standard error is a terminal: `Loading  45.2MB / 194MB  23%`, redrawn every 0.2 s from
/// half a second on (`LADING_PROGRESS_AFTER` seconds), and cleared when the command ends. Pipes and files get
/// nothing, so scripts see only the command's output.
///
/// Progress is the bytes the process has read since the display started (`rchar` of
/// `/proc/self/io`), which for these commands is their input: an archive, layer blobs, a
/// root file system tarball. A command that reads something twice may reach the total
/// early; the percentage stops at 99 until the end.
///
/// The line is cut to the terminal's width (`TIOCGWINSZ`, else `$COLUMNS`) less one
/// column, so it never wraps and each redraw (`\r`, erase line) leaves nothing behind; a
/// signal that stops the command (Ctrl-C) ends the line first.
final class ProgressDisplay: @unchecked Sendable {
    private let label: String
    private let total: Int64?
    private let baseline: Int64
    private let condition = NSCondition()
    private var stopped = false
    private var running = true

    /// Starts a display, or returns nil when `quiet` or standard error is not a terminal.
    /// - Parameters:
    ///   - label: the verb shown first (`Loading`, `Unpacking`).
    ///   - total: the bytes the command will read, when known.
    static func start(_ label: String, total: () -> Int64?, quiet: Bool = false) -> ProgressDisplay? {
        guard !quiet, isatty(2) != 0, ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
        return ProgressDisplay(label, total: total())
    }

    private init(_ label: String, total: Int64?) {
        self.label = label
        self.total = total.flatMap { $0 > 0 ? $0 : nil }
        self.baseline = Self.bytesRead() ?? 0
        let t = Thread { [self] in loop() }
        t.name = "progress"
        t.start()
    }

    /// Stops drawing and clears the line. Call before printing the command's output.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        // First drawn after LADING_PROGRESS_AFTER seconds (default 0.5), so quick
        // commands draw nothing; then every 0.2 s.
        let after = ProcessInfo.processInfo.environment["LADING_PROGRESS_AFTER"].flatMap(Double.init) ?? 0.5
        var next = Date().addingTimeInterval(max(0, after))
        var drawn = false
        if after <= 0 {
            draw(line())
            drawn = true
            next = Date().addingTimeInterval(0.2)
        }
        condition.lock()
        while !stopped {
            if Date() < next {
                _ = condition.wait(until: next)
                continue
            }
            condition.unlock()
            draw(line())
            drawn = true
            next = Date().addingTimeInterval(0.2)
            condition.lock()
        }
        condition.unlock()
        if drawn { draw("") }
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }

    private func line() -> String {
        Self.line(label, done: max(0, (Self.bytesRead() ?? baseline) - baseline), total: total, width: Self.terminalWidth())
    }

    /// The progress line: `Loading  45.2MB / 194MB  23%` (the percentage at most 99),
    /// `Loading  45.2MB` without a total. Within `width` columns it takes the first form
    /// that fits in `width - 1` (the full one; `Loading 45.2MB/194MB 23%`;
    /// `45.2MB/194MB 23%`; `23%`), else the last cut to `width - 1`.
    static func line(_ label: String, done: Int64, total: Int64?, width: Int?) -> String {
        let forms: [String]
        if let total, total > 0 {
            let pct = min(99, Int(Double(done) * 100 / Double(total)))
            let (d, t) = (Human.size(min(done, total)), Human.size(total))
            forms = ["\(label)  \(d) / \(t)  \(pct)%", "\(label) \(d)/\(t) \(pct)%", "\(d)/\(t) \(pct)%", "\(pct)%"]
        } else {
            let d = Human.size(done)
            forms = ["\(label)  \(d)", "\(label) \(d)", d]
        }
        guard let width else { return forms[0] }
        let room = max(0, width - 1)
        return forms.first { $0.count <= room } ?? String(forms[forms.count - 1].prefix(room))
    }

    /// Columns of the terminal on standard error (`TIOCGWINSZ`), else `$COLUMNS`, else nil.
    static func terminalWidth() -> Int? {
        var ws = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    private func draw(_ text: String) {
        // While a line is shown, a signal that stops the command ends it first.
        SignalCleanup.setStopText(text.isEmpty ? "" : "\n")
        let s = "\r\u{1B}[2K" + text
        s.utf8CString.withUnsafeBufferPointer { p in _ = write(2, p.baseAddress, p.count - 1) }
    }

    /// The process's `rchar` (bytes read by any read-like call), or nil off Linux.
    static func bytesRead() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
            return Int64(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

/// Runs `body` with a progress display (see `ProgressDisplay`), stopped before returning.
/// `total` is evaluated only when a display starts (on a terminal).
func withProgress<T>(_ label: String, total: @autoclosure () -> Int64?, quiet: Bool = false, _ body: () throws -> T) rethrows -> T {
    let p = ProgressDisplay.start(label, total: total, quiet: quiet)
    defer { p?.stop() }
    return try body()
}

/// The size of a regular file (nil for anything else: a directory, a pipe, `-`).
func regularFileSize(_ path: String) -> Int64? {
    var st = stat()
    guard path != "-", stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
    return Int64(st.st_size)
}
