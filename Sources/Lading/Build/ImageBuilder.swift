import Foundation
import ImageLayout
import ImageSpec

/// Builds a new image from a base config: appends or replaces layers, edits history
/// and execution parameters, and writes config and OCI manifest blobs. The base
/// config's other keys are kept as they were (the new config is a document lading
/// creates, so it is encoded canonically).
struct ImageBuilder {
    var config: [String: Any]
    var layers: [Descriptor]
    /// The manifest's annotations (none unless set: a new image does not inherit them).
    var annotations: [String: String]?

    /// Starts from an image's manifest and raw config.
    init(manifest: ImageManifest, rawConfig: [UInt8]) throws {
        guard let obj = try JSONSerialization.jsonObject(with: Data(rawConfig)) as? [String: Any] else {
            throw SpecError(.invalidDocument, "config \(manifest.config.digest) is not a JSON object")
        }
        config = obj
        layers = manifest.layers
    }

    /// The empty image (`scratch`) for this platform.
    init(platform: Platform) {
        config = ["architecture": platform.architecture, "os": platform.os, "rootfs": ["type": "layers", "diff_ids": [String]()]]
        if let v = platform.variant, !v.isEmpty { config["variant"] = v }
        layers = []
    }

    var diffIDs: [String] {
        get { ((config["rootfs"] as? [String: Any])?["diff_ids"] as? [String]) ?? [] }
        set { config["rootfs"] = ["type": "layers", "diff_ids": newValue] }
    }

    var history: [[String: Any]] {
        get { (config["history"] as? [[String: Any]]) ?? [] }
        set { config["history"] = newValue }
    }

    /// The execution parameters, decoded (`config.config`).
    var containerConfig: ContainerConfig {
        get throws {
            guard let c = config["config"] else { return ContainerConfig() }
            let data = try JSONSerialization.data(withJSONObject: c)
            return try JSONDecoder().decode(ContainerConfig.self, from: data)
        }
    }

    mutating func setContainerConfig(_ c: ContainerConfig) throws {
        let data = try JSONEncoder().encode(c)
        config["config"] = try JSONSerialization.jsonObject(with: data)
    }

    mutating func append(layer: Descriptor, diffID: Digest) {
        layers.append(layer)
        diffIDs = diffIDs + [diffID.description]
    }

    /// Writes config and manifest; returns the manifest's descriptor (with platform).
    func write(to layout: OCILayout) throws -> Descriptor {
        let cfg = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes])
        let cfgBytes = Array(cfg)
        let cd = try layout.putBlob(cfgBytes)
        let manifest = ImageManifest(mediaType: MediaType.ociManifest,
                                     config: Descriptor(mediaType: MediaType.ociConfig, digest: cd, size: Int64(cfgBytes.count)),
                                     layers: layers, annotations: annotations)
        let mb = try JSON.encode(manifest)
        let md = try layout.putBlob(mb)
        var d = Descriptor(mediaType: MediaType.ociManifest, digest: md, size: Int64(mb.count))
        let os = config["os"] as? String ?? "", arch = config["architecture"] as? String ?? ""
        if !os.isEmpty && !arch.isEmpty {
            d.platform = Platform(os: os, architecture: arch, variant: (config["variant"] as? String).flatMap { $0.isEmpty ? nil : $0 })
        }
        return d
    }

    /// `SOURCE_DATE_EPOCH` (reproducible-builds.org: seconds since the epoch, a decimal
    /// integer); nil when unset or empty.
    /// - Throws: `LadingError.invalidArgument` for any other value, or one past
    ///   9999-12-31T23:59:59Z (RFC 3339 has four-digit years): a build that asked to be
    ///   reproducible must not quietly fall back to the clock.
    static func sourceDateEpoch() throws -> Int64? {
        guard let v = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !v.isEmpty else { return nil }
        guard v.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int64(v), n <= 253_402_300_799 else {
            throw LadingError(.invalidArgument, "SOURCE_DATE_EPOCH=\(v) is not a number of seconds since 1970 (0 to 253402300799)")
        }
        return n
    }

    /// RFC 3339 time for `created`: `SOURCE_DATE_EPOCH` when set, else now (UTC).
    /// - Throws: `LadingError.invalidArgument` for a `SOURCE_DATE_EPOCH` that is no
    ///   number of seconds.
    static func timestamp() throws -> String {
        let date = try sourceDateEpoch().map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date()
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
