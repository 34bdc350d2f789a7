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
    /// - Parameter policy: CI requirements (`--require`, `--max-size`, `--deny-root`).
    public static func verify(target: String, storePath: String, policy: VerifyPolicy = VerifyPolicy()) -> VerifyReport {
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
                if name.isEmpty || name == "store" { return verify(layout: service.layout, target: target, isStore: true, policy: policy) }
                return verify(layout: service.layout, roots: [try service.resolve(name).descriptor], target: target, isStore: true, policy: policy)
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
                guard let ref else { return verify(layout: layout, target: target, policy: policy) }
                let roots = try layout.readIndex().manifests.filter {
                    $0.annotations?[AnnotationKey.refName] == ref || $0.annotations?[AnnotationKey.imageName] == ref
                }
                guard !roots.isEmpty else { throw LadingError(.notFound, "\(dir): no image named \(ref)") }
                return verify(layout: layout, roots: roots, target: target, policy: policy)
            case .ociArchive(let p, let ref):
                return try verifyArchivedLayout(p, reference: ref, target: target, storePath: storePath, policy: policy)
            case .dockerArchive(let p, let ref) where ArchiveLayout.isLayoutArchive(p):
                return try verifyArchivedLayout(p, reference: ref, target: target, storePath: storePath, policy: policy)
            case .dockerArchive(let p, _):
                let tmp = FileManager.default.temporaryDirectory.path + "/lading-verify-\(UUID().uuidString.prefix(8))"
                defer { try? FileManager.default.removeItem(atPath: tmp) }
                let layout = try OCILayout(root: tmp, create: true)
                var options = ImageLoader.Options()
                options.keepOtherEntries = true
                let plan = try ImageLoader.read(path: p, into: layout, options: options)
                try plan.install(into: layout)
                var report = verify(layout: layout, roots: plan.images.map(\.descriptor), target: target, policy: policy)
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
            r.findings = [Finding(severity: .error, blob: nil, path: target, message: "\(error)", rule: Rules.named(in: "\(error)"))]
            return r
        }
    }

    /// An oci-archive's layout unpacked as it is and verified as a directory: one verdict
    /// for one layout, whatever carries it. Paths in findings name the archive.
    static func verifyArchivedLayout(_ p: String, reference ref: String?, target: String, storePath: String,
                                     policy: VerifyPolicy) throws -> VerifyReport {
        // The layout inside, checked as a directory: one verdict for one layout.
        let tmp = FileManager.default.temporaryDirectory.path + "/lading-verify-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let skipped = try ArchiveLayout.unpack(p, into: tmp)
        var report = verify(target: "oci:" + tmp + (ref.map { ":" + $0 } ?? ""), storePath: storePath, policy: policy)
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
