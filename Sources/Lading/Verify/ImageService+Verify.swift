import Foundation
import ImageLayout
import ImageSpec
import ImageTransport

extension Verifier {
    /// Verifies a target: the store (`store:` or `store`, whatever the current directory
    /// holds), a name in it, an `oci:` layout,
    /// or a tarball (`docker-archive:`, `oci-archive:`, or a path). Tarballs are read
    /// into a temporary layout first (reading verifies digests, sizes and diff IDs);
    /// the first problem found there is reported as the finding.
    /// - Parameters:
    ///   - storePath: the store, for `store` and names; opened read-only, never created.
    ///   - monitor: progress (bytes read or hashed so far) and cooperative cancellation:
    ///     a cancelled verify stops between blobs and reports a "cancelled" error.
    ///   - policy: CI requirements (`--require`, `--max-size`, `--deny-root`).
    /// - Returns: the report; problems (a target that cannot be read included) are
    ///   findings, never thrown. `clean` is false when there is an error.
    public static func verify(target: String, storePath: String, monitor: TransferMonitor? = nil,
                              policy: VerifyPolicy = VerifyPolicy()) -> VerifyReport {
        do {
            var address = try TransportAddress(parsing: target)
            var isDir: ObjCBool = false
            // The word `store` always means the store; a directory of that name is `./store`.
            if case .store(let n) = address, n != "store", FileManager.default.fileExists(atPath: n, isDirectory: &isDir) {
                address = isDir.boolValue ? .ociLayout(directory: n, reference: nil) : .dockerArchive(path: n, reference: nil)
            }
            switch address {
            case .store(let name):
                let service = try ImageService(storePath: storePath, create: false)
                if name.isEmpty || name == "store" { return verify(layout: service.layout, target: target, isStore: true, monitor: monitor, policy: policy) }
                return verify(layout: service.layout, roots: [try service.resolve(name).descriptor], target: target, isStore: true, monitor: monitor, policy: policy)
            case .ociLayout(let dir, let ref):
                // image-layout.md "oci-layout file": its schema, before the layout is opened.
                if let bytes = readCapped("\(dir)/oci-layout") {
                    let found = SpecValidator.validate(bytes, as: .layoutHeader)
                    if found.contains(where: \.isError) {
                        var r = VerifyReport(target: target)
                        r.findings = found.map { Finding($0.rule, blob: nil, path: "oci-layout", message: $0.description) }
                        return r
                    }
                }
                let layout = try OCILayout(root: dir, create: false)
                guard let ref else { return verify(layout: layout, target: target, monitor: monitor, policy: policy) }
                let roots = try layout.readIndex().manifests.filter {
                    $0.annotations?[AnnotationKey.refName] == ref || $0.annotations?[AnnotationKey.imageName] == ref
                }
                guard !roots.isEmpty else { throw LadingError(.notFound, "\(dir): no image named \(ref)") }
                return verify(layout: layout, roots: roots, target: target, monitor: monitor, policy: policy)
            case .ociArchive(let p, let ref):
                return try verifyArchivedLayout(p, reference: ref, target: target, storePath: storePath, monitor: monitor, policy: policy)
            case .dockerArchive(let p, let ref) where ArchiveLayout.isLayoutArchive(p):
                return try verifyArchivedLayout(p, reference: ref, target: target, storePath: storePath, monitor: monitor, policy: policy)
            case .dockerArchive(let p, _):
                let tmp = FileManager.default.temporaryDirectory.path + "/lading-verify-\(UUID().uuidString.prefix(8))"
                defer { try? FileManager.default.removeItem(atPath: tmp) }
                let layout = try OCILayout(root: tmp, create: true)
                layout.monitor = monitor
                var options = ImageLoader.Options()
                options.keepOtherEntries = true
                options.excludedBlobs = .expected
                let plan = try ImageLoader.read(path: p, into: layout, options: options)
                try plan.install(into: layout)
                var report = verify(layout: layout, roots: plan.images.map(\.descriptor), target: target, monitor: monitor,
                                    expected: plan.external, policy: policy)
                // The loader's own note on configs without rootfs is the verifier's too.
                report.findings += plan.warnings.filter { !$0.contains("config has no rootfs") }
                    .map { Finding(severity: .warning, blob: nil, path: p, message: $0, rule: Rules.named(in: $0)) }
                return report
            }
        } catch let e as LayoutError where e.code == .notALayout || e.code == .unsupported {
            var r = VerifyReport(target: target)
            r.findings = [Finding(Rules.layoutFile, blob: nil, path: target, message: "\(e)")]
            return r
        } catch {
            var r = VerifyReport(target: target)
            r.findings = [Finding(severity: .error, blob: nil, path: target, message: error is CancellationError ? "cancelled" : "\(error)",
                                  rule: Rules.named(in: "\(error)"))]
            return r
        }
    }

    /// An oci-archive's layout unpacked as it is and verified as a directory: one verdict
    /// for one layout, whatever carries it. Paths in findings name the archive.
    static func verifyArchivedLayout(_ p: String, reference ref: String?, target: String, storePath: String,
                                     monitor: TransferMonitor?, policy: VerifyPolicy) throws -> VerifyReport {
        // The layout inside, checked as a directory: one verdict for one layout.
        let tmp = FileManager.default.temporaryDirectory.path + "/lading-verify-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let skipped = try ArchiveLayout.unpack(p, into: tmp)
        var report = verify(target: "oci:" + tmp + (ref.map { ":" + $0 } ?? ""), storePath: storePath, monitor: monitor, policy: policy)
        report.target = target
        report.findings = report.findings.map { f in
            var f = f
            f.path = f.path.replacingOccurrences(of: "oci:" + tmp, with: target).replacingOccurrences(of: tmp, with: p)
            f.message = f.message.replacingOccurrences(of: tmp, with: p)
            return f
        }
        report.findings += skipped.map { Finding(Rules.layoutBlobName, blob: nil, path: $0.path, message: "archive entry not unpacked: \($0.why)") }
        return report
    }
}
