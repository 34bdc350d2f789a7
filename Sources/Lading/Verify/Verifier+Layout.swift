import Foundation
import ImageLayout
import ImageSpec

/// image-layout.md: the layout's structure and every file under `blobs/`.
extension Verifier {
    /// `oci-layout` (its schema), `blobs/` a directory (image-layout.md "Content").
    mutating func checkStructure() {
        if let bytes = Verifier.readCapped("\(layout.root)/oci-layout") {
            addSpec(SpecValidator.validate(bytes, as: .layoutHeader), blob: nil, at: "oci-layout")
        }
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: "\(layout.root)/blobs", isDirectory: &isDir) {
            add(Rules.layoutBlobsDir, nil, "blobs", "the blobs directory is missing")
        } else if !isDir.boolValue {
            add(Rules.layoutBlobsDir, nil, "blobs", "blobs is not a directory")
        }
    }

    /// `index.json`: present, a regular file, an image index by the validator's rules.
    /// - Returns: nil when it cannot be used (the finding is added).
    mutating func readTopIndex() -> ImageIndex? {
        guard let bytes = Verifier.readCapped("\(layout.root)/index.json") else {
            add(Rules.layoutIndex, nil, "index.json", "index.json is missing or not a regular file")
            return nil
        }
        guard JSONValue.parse(bytes) != nil else {
            add(Rules.layoutIndex, nil, "index.json", "index.json: not valid JSON")
            return nil
        }
        let invalid = addSpec(SpecValidator.validate(bytes, as: .index), blob: nil, at: "index.json")
        do { return try layout.readIndex() } catch {
            if !invalid { add(Rules.layoutIndex, nil, "index.json", "\(error)") }
            return nil
        }
    }

    /// Every name under `blobs/` against the digest grammar (`blobs/<alg>/<encoded>`);
    /// each sha256 blob the walk did not reach is queued for hashing, so every blob is
    /// read once.
    mutating func checkBlobNames() {
        let blobs = "\(layout.root)/blobs"
        guard let algs = try? FileManager.default.contentsOfDirectory(atPath: blobs) else { return }
        for alg in algs.sorted() {
            let dir = "\(blobs)/\(alg)"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                add(Rules.layoutBlobName, nil, "blobs/\(alg)", "is not an algorithm directory (blobs/<alg>/<encoded>)")
                continue
            }
            for name in names.sorted() {
                let rel = "blobs/\(alg)/\(name)"
                guard let d = try? Digest(parsing: "\(alg):\(name)"), d.algorithm == alg, d.encoded == name else {
                    add(Rules.layoutBlobName, nil, rel, "file name is not a digest (blobs/<alg>/<encoded>, descriptor.md \"Digests\")")
                    continue
                }
                guard let attrs = try? FileManager.default.attributesOfItem(atPath: "\(dir)/\(name)"),
                      attrs[.type] as? FileAttributeType == .typeRegular, let size = attrs[.size] as? NSNumber else {
                    add(Rules.layoutBlobName, d, rel, "is not a regular file")
                    continue
                }
                if d.isSupported, seen.insert(d).inserted {
                    jobs.append((Descriptor(mediaType: "application/octet-stream", digest: d, size: size.int64Value), rel, nil))
                }
            }
        }
    }

    /// A regular file's bytes, when it is one and at most `DocumentLimits.topLevel` long.
    static func readCapped(_ path: String) -> [UInt8]? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
              attrs[.type] as? FileAttributeType == .typeRegular,
              let size = attrs[.size] as? NSNumber, size.intValue <= DocumentLimits.topLevel,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return Array(data)
    }
}
