import Foundation
import LadingFuzz
import Testing

/// Replays every input kept in `Fuzz/regressions/TARGET/` (inputs the fuzzers once
/// crashed on or found a violation with) through the entry point the fuzzer calls.
@Suite struct FuzzRegressionTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fuzz/regressions"
    }()

    /// Inputs known to crash, for a fix in progress: replaying them would stop the
    /// whole test process, so they are listed (one `TARGET/NAME` a line, `#` comments)
    /// in `Fuzz/regressions/pending` and skipped until the fix lands.
    static let pending: Set<String> = {
        let text = (try? String(contentsOfFile: root + "/pending", encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }()

    @Test(arguments: FuzzTarget.allCases)
    func regressionsStayFixed(_ target: FuzzTarget) throws {
        let dir = "\(Self.root)/\(target.rawValue)"
        #expect(FileManager.default.fileExists(atPath: dir), "no \(dir)")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names where !Self.pending.contains("\(target.rawValue)/\(name)") {
            let input = Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)")))
            do { try target.run(input) } catch { Issue.record("\(target.rawValue)/\(name): \(error)") }
        }
    }
}
