import ImageSpec

/// The one choice of an image's manifest by platform (containerd's `images.Manifest`,
/// moby's image service): every command that needs one manifest of a multi-platform image
/// (details, inspect, history, unpack, save's `manifest.json`, copy and save with
/// `--platform`) asks here.
extension BlobSource {
    /// The manifest `d` stands for on `matcher`'s platform: `d` itself when it is a
    /// manifest; for an index, its best child (`PlatformMatcher.ranked`) among image
    /// manifests and indexes that are present and not pseudo-images (attestations,
    /// `unknown/unknown`), nested indexes followed up to `DescriptorWalk.maxDepth`.
    /// - Returns: nil when no present child matches.
    /// - Throws: `LayoutError.invalidDocument` for an index that cannot be read.
    public func manifest(for matcher: PlatformMatcher, of d: Descriptor) throws -> Descriptor? {
        var top = d
        for depth in 0...DescriptorWalk.maxDepth {
            guard MediaType.isIndex(top.mediaType) else { return top }
            guard depth < DescriptorWalk.maxDepth else {
                throw LayoutError(.invalidDocument, "index \(d.digest): indexes nested more than \(DescriptorWalk.maxDepth) deep")
            }
            let idx: ImageIndex
            do {
                idx = try JSON.decode(ImageIndex.self, from: try readBlob(top.digest, limit: DocumentLimits.manifest), what: "index \(top.digest)")
            } catch {
                throw LayoutError(.invalidDocument, "index \(top.digest) cannot be read", cause: "\(error)")
            }
            let candidates = idx.manifests.filter {
                (MediaType.isManifest($0.mediaType) || MediaType.isIndex($0.mediaType)) && !$0.isPseudoImage() && blobSize($0.digest) != nil
            }
            guard let chosen = matcher.ranked(candidates).first else { return nil }
            top = chosen
        }
        return top
    }

    /// The platforms an index offers (present, real images), for messages; none when the
    /// index cannot be read (`manifest(for:of:)` has said so then).
    public func platforms(of d: Descriptor) -> [String] {
        guard MediaType.isIndex(d.mediaType) else { return [] }
        do {
            let idx = try JSON.decode(ImageIndex.self, from: try readBlob(d.digest, limit: DocumentLimits.manifest), what: "index")
            return idx.manifests.filter { !$0.isPseudoImage() && blobSize($0.digest) != nil }.compactMap(\.platform).map(\.description)
        } catch {
            return []
        }
    }
}
