import ArgumentParser
import Foundation
import ImageSpec
import Lading

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check images, layouts and archives: digests, sizes, schemas, diff IDs, history, names.",
        discussion: "TARGET: store (the whole store; a directory named store is ./store), a name in the store, oci:DIR[:REF], docker-archive:PATH, oci-archive:PATH, or a path. Each finding names the image-spec rule (MUST: error, SHOULD: warning) or CI policy it breaks. Exit 0 when clean, 1 when anything is wrong, 2 on usage errors and when the --junit file cannot be written (checked before any work).")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var format: FormatOption<ReportFormats>
    @Option(help: "Also write a JUnit XML report to this file (- for standard output; the text or JSON report then goes to standard error).",
            completion: .file()) var junit: String?
    @Option(name: .customLong("require"), help: ArgumentHelp("CI policy: platform=OS/ARCH[/VARIANT][,...] (each present), attestations (each platform image attested), label=KEY (on each image's config). Repeatable.", valueName: "requirement"))
    var requirements: [String] = []
    @Option(name: .customLong("max-size"), help: ArgumentHelp("CI policy: largest compressed size of one platform image, config and layers (bytes; K, M, G, T suffixes).", valueName: "size"))
    var maxSize: String?
    @Flag(name: .customLong("deny-root"), help: "CI policy: an image whose config User is empty, 0 or root is a finding.") var denyRoot = false
    @Argument(help: "What to verify.", completion: .imageOrPath) var targets: [String]

    func validate() throws {
        if targets.isEmpty { throw ValidationError("verify needs at least one target") }
        _ = try policy()
    }

    /// The CI policy the options ask for.
    func policy() throws -> VerifyPolicy {
        var p = VerifyPolicy()
        for r in requirements {
            let (key, value) = r.firstIndex(of: "=").map { (String(r[..<$0]), String(r[r.index(after: $0)...])) } ?? (r, "")
            switch key {
            case "platform" where !value.isEmpty:
                for spec in value.split(separator: ",") {
                    do { p.platforms.append(try Platform.parse(String(spec), host: Platform.host)) } catch {
                        throw ValidationError("--require platform: \(error)")
                    }
                }
            case "attestations" where value.isEmpty: p.attestations = true
            case "label" where !value.isEmpty: p.labels.append(value)
            default: throw ValidationError("--require: \"\(r)\" is not platform=OS/ARCH[,...], attestations or label=KEY")
            }
        }
        if let maxSize {
            do { p.maxSize = try parseByteCount(maxSize) } catch { throw ValidationError("--max-size: \(error)") }
        }
        p.denyRoot = denyRoot
        return p
    }

    func run() throws {
        let store = StoreLocation.resolve(explicit: storeOptions.store)
        // The JUnit file is opened before any work: an unwritable path fails at once (exit 2).
        var junitFD: Int32 = -1
        if let junit, junit != "-" {
            junitFD = open(junit, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            if junitFD < 0 {
                FileHandle.standardError.write(Data("Error: cannot write the JUnit report \(junit): \(String(cString: strerror(errno)))\n".utf8))
                throw ExitCode(2)
            }
        }
        defer { if junitFD >= 0 { close(junitFD) } }
        let policy = try self.policy()
        let reports = withProgress("Verifying", total: ProgressTotals.verify(targets, store: store)) {
            targets.map { Verifier.verify(target: $0, storePath: store, policy: policy) }
        }
        // With `--junit -` standard output carries the XML alone.
        let emit: (String) -> Void = junit == "-" ? { FileHandle.standardError.write(Data((visible($0) + "\n").utf8)) } : { print(visible($0)) }
        if case .json = try format.parsed() {
            emit(jsonLine(reports.map { r in
                ["target": r.target, "clean": r.clean, "blobsChecked": r.blobsChecked,
                 "expectedAtDestination": r.expectedAtDestination, "expectedBytes": r.expectedBytes,
                 "findings": r.findings.map { f in
                     ["severity": f.severity.rawValue, "blob": f.blob?.description ?? NSNull(), "path": f.path, "message": f.message,
                      "rule": f.rule?.id ?? NSNull(), "spec": f.rule.map { "\($0.file) \($0.section)" } ?? NSNull()] as [String: Any]
                 }] as [String: Any]
            }))
        } else {
            for r in reports {
                for f in r.findings { emit(f.description) }
                if r.expectedAtDestination > 0 {
                    emit("\(r.target): delta archive: \(r.expectedAtDestination) layer blob\(r.expectedAtDestination == 1 ? "" : "s") (\(Human.size(r.expectedBytes))) left out, expected at the destination (load checks them there)")
                }
                let errors = r.findings.filter { $0.severity == .error }.count
                let warnings = r.findings.count - errors
                func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }
                emit(r.clean ? "\(r.target): OK (\(count(r.blobsChecked, "blob")) checked\(warnings > 0 ? ", \(count(warnings, "warning"))" : ""))"
                             : "\(r.target): \(count(errors, "error")), \(count(warnings, "warning")) (\(count(r.blobsChecked, "blob")) checked)")
            }
        }
        if junit == "-" {
            FileHandle.standardOutput.write(Data(junitXML(reports).utf8))
        } else if let junit {
            let bytes = Array(junitXML(reports).utf8)
            let written = ftruncate(junitFD, 0) == 0 ? bytes.withUnsafeBytes { write(junitFD, $0.baseAddress, $0.count) } : -1
            if written != bytes.count {
                FileHandle.standardError.write(Data("Error: cannot write the JUnit report \(junit): \(String(cString: strerror(errno)))\n".utf8))
                throw ExitCode(2)
            }
        }
        if reports.contains(where: { !$0.clean }) { throw ExitCode(1) }
    }

    func junitXML(_ reports: [VerifyReport]) -> String {
        func esc(_ s: String) -> String {
            // XML 1.0 has no form for most control characters: they are shown as \u{…}.
            String(s.unicodeScalars.map { c -> String in
                c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" || (0xFFFE...0xFFFF).contains(c.value)
                    ? "\\u{\(String(c.value, radix: 16))}" : String(c)
            }.joined()).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failures = reports.filter { !$0.clean }.count
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"lading verify\" tests=\"\(reports.count)\" failures=\"\(failures)\">\n"
        for r in reports {
            x += "  <testcase classname=\"verify\" name=\"\(esc(r.target))\">\n"
            for f in r.findings where f.severity == .error {
                x += "    <failure type=\"\(esc(f.rule?.id ?? "verify"))\" message=\"\(esc(f.description))\"/>\n"
            }
            let warnings = r.findings.filter { $0.severity == .warning }.map(\.description)
            if !warnings.isEmpty { x += "    <system-out>\(esc(warnings.joined(separator: "\n")))</system-out>\n" }
            x += "  </testcase>\n"
        }
        return x + "</testsuite>\n"
    }
}
