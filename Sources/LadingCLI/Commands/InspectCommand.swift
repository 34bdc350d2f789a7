import ArgumentParser
import Foundation
import ImageLayout
import ImageSpec
import Lading

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show images as JSON, in the shape of docker image inspect.",
        discussion: "A template runs once per image over docker's keys: .Id, .RepoTags, .RepoDigests, .Created, .Author, .Config (.Config.Env, .Config.Cmd, .Config.Labels, ...), .Architecture, .Os, .Size (bytes), .RootFS.Layers, ...")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var format: FormatOption<InspectFormats>
    @Argument(help: "Image names or IDs, or addresses: docker-archive:FILE[:REF], oci:DIR[:REF], oci-archive:FILE[:REF] (read, not loaded; every image of the source without REF).",
              completion: .imageName)
    var images: [String]

    /// As docker: the images found are printed (`[]` when none is), then one
    /// `Error: …` line on standard error per name that failed, and exit status 1.
    func run() throws {
        // A store that cannot be opened fails the command, as before.
        if images.contains(where: { if case .store = (try? TransportAddress(parsing: $0)) ?? .store(name: "") { return true }; return false }) {
            do { _ = try platformOptions.service(storeOptions, create: false) } catch { fail(error) }
        }
        let platform: Platform?
        do { platform = try platformOptions.parsed() } catch { fail(error) }
        var out: [Any] = []
        var errors: [String] = []
        for name in images {
            do {
                let view = try ImageAddress.open(name, store: storeOptions)
                let reader = view.reader(platform: platform)
                let relations = view.images.contains { reader.isPseudoImage($0) } ? try ImageTreeBuilder(view: view) : nil
                // One image that cannot be shown does not hide the others of the source.
                for image in view.images {
                    do { out.append(try inspect(image, reader, relations)) } catch {
                        if case .store = view.address { errors.append("Error: \(error)") } else { errors.append("Error: \(view.address): image \(image.id): \(error)") }
                    }
                }
            } catch {
                errors.append("Error: \(error)")
            }
        }
        guarded {
            switch try format.parsed() {
            case .standard: break
            case .json: return print(TemplateValue(json: out).json)
            case .template(let t, _):
                // As docker: an empty line when no image was found.
                let values = out.map { TemplateValue(json: $0).adding(TemplateValue.inspectOmitEmpty, nested: ["Config": TemplateValue.configOmitEmpty]) }
                let text = try RowOutput.render(values, .template(t, table: false), headers: [:]) ?? ""
                return print(text.isEmpty ? "\n" : text, terminator: "")
            }
            guard !out.isEmpty else { print("[]"); return }
            let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
        for e in errors { printErr(e) }
        if !errors.isEmpty { throw ExitCode(1) }
    }

    /// One image in docker's inspect shape. A pseudo-image (a signature, an attestation,
    /// an SBOM) whose config is no image config is shown by its descriptor, with what
    /// it belongs to (`Subject`) and what it is (`Kind`, `ArtifactType`).
    func inspect(_ image: ImageRecord, _ reader: ImageReader, _ relations: ImageTreeBuilder?) throws -> [String: Any] {
        let d: ImageDetails
        do {
            d = try reader.details(of: image)
        } catch {
            guard let relations, reader.isPseudoImage(image) else { throw error }
            return pseudo(image, relations.tree(of: image))
        }
        let raw = try reader.document(d.configDigest)
        let cfg = (try JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any]) ?? [:]
        var obj: [String: Any] = [
            "Id": d.image.id.description,
            "RepoTags": d.image.names.map(\.familiarString),
            "RepoDigests": repoDigests(d.image),
            "Parent": "",
            "Comment": d.config.history?.last?.comment ?? "",
            "DockerVersion": "",
            "Author": d.config.author ?? "",
            "Config": dockerConfig(cfg["config"] as? [String: Any] ?? [:]),
            "Architecture": d.config.architecture,
            "Os": d.config.os,
            "Size": d.size,
            "GraphDriver": ["Name": "lading", "Data": NSNull()],
            "RootFS": ["Type": "layers", "Layers": d.config.rootfs.diffIDs.map(\.description)],
            "Metadata": ["LastTagTime": "0001-01-01T00:00:00Z"],
            "Descriptor": ["mediaType": d.image.descriptor.mediaType, "digest": d.image.id.description, "size": d.image.descriptor.size],
        ]
        if let c = d.config.created { obj["Created"] = c }
        if let v = d.config.variant, !v.isEmpty { obj["Variant"] = v }
        if let v = d.config.osVersion, !v.isEmpty { obj["OsVersion"] = v }
        if let relations, reader.isPseudoImage(image) {
            let t = relations.tree(of: image)
            obj["Kind"] = t.kind
            if let s = t.subject { obj["Subject"] = s.description }
            if let a = t.artifactType { obj["ArtifactType"] = a }
        }
        return obj
    }

    func pseudo(_ image: ImageRecord, _ t: TreeNode) -> [String: Any] {
        var obj: [String: Any] = [
            "Id": image.id.description,
            "RepoTags": image.names.map(\.familiarString),
            "RepoDigests": repoDigests(image),
            "Kind": t.kind,
            "Descriptor": ["mediaType": image.descriptor.mediaType, "digest": image.id.description, "size": image.descriptor.size],
        ]
        if let s = t.subject { obj["Subject"] = s.description }
        if let a = t.artifactType { obj["ArtifactType"] = a }
        return obj
    }

    /// `repo@<image ID>` once per repository the image has a name in, in name order.
    func repoDigests(_ image: ImageRecord) -> [String] {
        var seen = Set<String>()
        return image.names.map { "\($0.familiarName)@\(image.id)" }.filter { seen.insert($0).inserted }
    }

    /// docker's container-config shape: the always-present keys filled in.
    func dockerConfig(_ c: [String: Any]) -> [String: Any] {
        var o = c
        let defaults: [String: Any] = [
            "Hostname": "", "Domainname": "", "User": "", "AttachStdin": false, "AttachStdout": false,
            "AttachStderr": false, "Tty": false, "OpenStdin": false, "StdinOnce": false, "Env": NSNull(),
            "Cmd": NSNull(), "Image": "", "Volumes": NSNull(), "WorkingDir": "", "Entrypoint": NSNull(),
            "OnBuild": NSNull(), "Labels": NSNull(),
        ]
        for (k, v) in defaults where o[k] == nil { o[k] = v }
        return o
    }
}
