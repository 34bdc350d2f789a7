import ArgumentParser
import Foundation
import Lading

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check images, layouts and archives: digests, sizes, schemas, diff IDs, history, names.",
        discussion: "TARGET: store (the whole store; a directory named store is ./store), a name in the store, oci:DIR[:REF], docker-archive:PATH, oci-archive:PATH, or a path. Exit 0 when clean, 1 when anything is wrong, 2 on usage errors.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var format: FormatOption<ReportFormats>
    @Option(help: "Also write a JUnit XML report to this file.", completion: .file()) var junit: String?
    @Argument(help: "What to verify.", completion: .imageOrPath) var targets: [String]

    func validate() throws {
        if targets.isEmpty { throw ValidationError("verify needs at least one target") }
    }

    func run() throws {
        let store = StoreLocation.resolve(explicit: storeOptions.store)
        let reports = withProgress("Verifying", total: ProgressTotals.verify(targets, store: store)) { targets.map { Verifier.verify(target: $0, storePath: store) } }
        if case .json = try format.parsed() {
            print(jsonLine(reports.map { r in
                ["target": r.target, "clean": r.clean, "blobsChecked": r.blobsChecked,
                 "expectedAtDestination": r.expectedAtDestination, "expectedBytes": r.expectedBytes,
                 "findings": r.findings.map { f in
                     ["severity": f.severity.rawValue, "blob": f.blob?.description ?? NSNull(), "path": f.path, "message": f.message] as [String: Any]
                 }] as [String: Any]
            }))
        } else {
            for r in reports {
                for f in r.findings { print(f.description) }
                if r.expectedAtDestination > 0 {
                    print("\(r.target): delta archive: \(r.expectedAtDestination) layer blob\(r.expectedAtDestination == 1 ? "" : "s") (\(Human.size(r.expectedBytes))) left out, expected at the destination (load checks them there)")
                }
                let errors = r.findings.filter { $0.severity == .error }.count
                let warnings = r.findings.count - errors
                print(r.clean ? "\(r.target): OK (\(r.blobsChecked) blobs checked\(warnings > 0 ? ", \(warnings) warnings" : ""))"
                              : "\(r.target): \(errors) errors, \(warnings) warnings (\(r.blobsChecked) blobs checked)")
            }
        }
        if let junit {
            // Not a finding: a report that cannot be written is an error of its own (exit 2).
            let bytes = Array(junitXML(reports).utf8)
            let fd = open(junit, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            let written = fd >= 0 ? bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } : -1
            let why = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            if written != bytes.count {
                FileHandle.standardError.write(Data("Error: cannot write the JUnit report \(junit): \(why)\n".utf8))
                throw ExitCode(2)
            }
        }
        if reports.contains(where: { !$0.clean }) { throw ExitCode(1) }
    }

    func junitXML(_ reports: [VerifyReport]) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failures = reports.filter { !$0.clean }.count
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"lading verify\" tests=\"\(reports.count)\" failures=\"\(failures)\">\n"
        for r in reports {
            x += "  <testcase classname=\"verify\" name=\"\(esc(r.target))\">\n"
            for f in r.findings where f.severity == .error { x += "    <failure message=\"\(esc(f.description))\"/>\n" }
            let warnings = r.findings.filter { $0.severity == .warning }.map(\.description)
            if !warnings.isEmpty { x += "    <system-out>\(esc(warnings.joined(separator: "\n")))</system-out>\n" }
            x += "  </testcase>\n"
        }
        return x + "</testsuite>\n"
    }
}
