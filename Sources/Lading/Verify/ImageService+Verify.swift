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
    /// - Returns: the report; problems (a target that cannot be read included) are
    ///   findings, never thrown. `clean` is false when there is an error.
    public static func verify(target: String, storePath: String, monitor: TransferMonitor? = nil) -> VerifyReport {
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
                if name.isEmpty || name == "store" { return verify(layout: service.layout, target: target, isStore: true, monitor: monitor) }
                return verify(layout: service.layout, roots: [try service.resolve(name).descriptor], target: target, isStore: true, monitor: monitor)
            case .ociLayout(let dir, let ref):
                let layout = try OCILayout(root: dir, create: false)
                guard let ref else { return verify(layout: layout, target: target, monitor: monitor) }
                let roots = try layout.readIndex().manifests.filter {
                    $0.annotations?[AnnotationKey.refName] == ref || $0.annotations?[AnnotationKey.imageName] == ref
                }
                guard !roots.isEmpty else { throw LadingError(.notFound, "\(dir): no image named \(ref)") }
                return verify(layout: layout, roots: roots, target: target, monitor: monitor)
            case .dockerArchive(let p, _), .ociArchive(let p, _):
                let tmp = FileManager.default.temporaryDirectory.path + "/lading-verify-\(UUID().uuidString.prefix(8))"
                defer { try? FileManager.default.removeItem(atPath: tmp) }
                let layout = try OCILayout(root: tmp, create: true)
                layout.monitor = monitor
                var options = ImageLoader.Options()
                options.keepOtherEntries = true
                options.excludedBlobs = .expected
                let plan = try ImageLoader.read(path: p, into: layout, options: options)
                try plan.install(into: layout)
                var report = verify(layout: layout, roots: plan.images.map(\.descriptor), target: target, monitor: monitor, expected: plan.external)
                // The loader's own note on configs without rootfs is the verifier's too.
                report.findings += plan.warnings.filter { !$0.contains("config has no rootfs") }
                    .map { Finding(severity: .warning, blob: nil, path: p, message: $0) }
                return report
            }
        } catch {
            var r = VerifyReport(target: target)
            r.findings = [Finding(severity: .error, blob: nil, path: target, message: error is CancellationError ? "cancelled" : "\(error)")]
            return r
        }
    }
}
