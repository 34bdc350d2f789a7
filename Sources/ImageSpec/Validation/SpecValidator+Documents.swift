/// The documents: image indexes, image manifests, the OCI 1.1-rc artifact manifest, `oci-layout`.
extension Collector {
    /// image-index.md (and Docker's manifest list).
    mutating func index(_ v: JSONValue) {
        guard let o = object(v, at: "", rule: Rules.indexJSON) else { return }
        schemaVersion(o, rule: Rules.indexSchemaVersion)
        // "SHOULD be used": not reported, as umoci, skopeo and lading itself leave it out
        // and the descriptor names the type; when present it MUST be an index type.
        if let t = string(o, "mediaType", at: "", rule: Rules.indexMediaType), !MediaType.isIndex(t) {
            add(Rules.indexMediaType, "mediaType", "is \"\(t.prefix(300))\", expected \(MediaType.ociIndex)")
        }
        if let t = string(o, "artifactType", at: "", rule: Rules.artifactType) { mediaTypeSyntax(t, at: "artifactType", rule: Rules.artifactType) }
        switch o["manifests"] {
        case nil: add(Rules.indexManifests, "", "\"manifests\" is required")
        case .array(let a)?: for (i, d) in a.enumerated() { descriptor(d, at: "manifests[\(i)]") }
        case let x?: add(Rules.indexManifests, "manifests", "is \(x.typeName), expected an array")
        }
        if let s = o["subject"] { descriptor(s, at: "subject") }
        annotations(o, at: "")
    }

    /// manifest.md (and Docker's image manifest, schema 2).
    mutating func manifest(_ v: JSONValue) {
        guard let o = object(v, at: "", rule: Rules.manifestJSON) else { return }
        schemaVersion(o, rule: Rules.manifestSchemaVersion)
        let mediaType = string(o, "mediaType", at: "", rule: Rules.manifestMediaType)
        if let t = mediaType, !MediaType.isManifest(t) {
            add(Rules.manifestMediaType, "mediaType", "is \"\(t.prefix(300))\", expected \(MediaType.ociManifest)")
        }
        if let t = string(o, "artifactType", at: "", rule: Rules.artifactType) { mediaTypeSyntax(t, at: "artifactType", rule: Rules.artifactType) }
        if let c = o["config"] {
            descriptor(c, at: "config")
            if c["mediaType"]?.string == MediaType.ociEmpty, o["artifactType"] == nil {
                add(Rules.manifestArtifactType, "artifactType", "is required when config is the empty descriptor")
            }
        } else {
            add(Rules.manifestConfig, "", "\"config\" is required")
        }
        switch o["layers"] {
        case nil: add(Rules.manifestLayers, "", "\"layers\" is required")
        case .array(let a)?:
            if a.isEmpty { add(Rules.manifestLayersOne, "layers", "is empty; the schema asks for at least one entry (minItems 1)") }
            for (i, d) in a.enumerated() { descriptor(d, at: "layers[\(i)]") }
        case .null?:
            // buildkit writes `"layers": null` for an image with none; Go readers take it as empty.
            add(Rules.manifestLayersOne, "layers", "is null; the schema asks for an array of at least one entry (minItems 1)")
        case let x?: add(Rules.manifestLayers, "layers", "is \(x.typeName), expected an array")
        }
        if let s = o["subject"] { descriptor(s, at: "subject") }
        annotations(o, at: "")
    }

    /// The OCI 1.1-rc artifact manifest: `mediaType` required, `blobs` and `subject`
    /// descriptors, `artifactType` a media type.
    mutating func artifactManifest(_ v: JSONValue) {
        guard let o = object(v, at: "", rule: Rules.manifestJSON) else { return }
        if let t = string(o, "mediaType", at: "", rule: Rules.manifestMediaType, required: true), t != MediaType.ociArtifactManifest {
            add(Rules.manifestMediaType, "mediaType", "is \"\(t.prefix(300))\", expected \(MediaType.ociArtifactManifest)")
        }
        if let t = string(o, "artifactType", at: "", rule: Rules.artifactType) { mediaTypeSyntax(t, at: "artifactType", rule: Rules.artifactType) }
        switch o["blobs"] {
        case nil, .null?: break
        case .array(let a)?: for (i, d) in a.enumerated() { descriptor(d, at: "blobs[\(i)]") }
        case let x?: add(Rules.manifestLayers, "blobs", "is \(x.typeName), expected an array")
        }
        if let s = o["subject"] { descriptor(s, at: "subject") }
        annotations(o, at: "")
    }

    /// image-layout.md "oci-layout file": `imageLayoutVersion` a required string.
    mutating func layoutHeader(_ v: JSONValue) {
        guard let o = object(v, at: "", rule: Rules.layoutFile) else { return }
        string(o, "imageLayoutVersion", at: "", rule: Rules.layoutFile, required: true)
    }
}
