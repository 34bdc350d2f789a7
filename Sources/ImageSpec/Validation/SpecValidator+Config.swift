extension Collector {
    /// config.md and config-schema.json: `architecture`, `os` and `rootfs` required,
    /// each field's type, `Env` entries `VARNAME=VARVALUE`, `created` RFC 3339,
    /// `rootfs.type` `layers` with digests in `diff_ids`, and history against diff IDs
    /// (a SHOULD: a warning). Docker's extra keys are allowed, as docker and containerd do.
    mutating func config(_ v: JSONValue) {
        guard let o = object(v, at: "", rule: Rules.configJSON) else { return }
        string(o, "architecture", at: "", rule: Rules.configRequired, required: true)
        string(o, "os", at: "", rule: Rules.configRequired, required: true)
        for key in ["author", "variant", "os.version"] { string(o, key, at: "", rule: Rules.configField) }
        _ = stringArray(o, "os.features", at: "", rule: Rules.configField)
        if let c = string(o, "created", at: "", rule: Rules.configCreated), !SpecValidator.isValidDateTime(c) {
            add(Rules.configCreated, "created", "\"\(c.prefix(100))\" is not an RFC 3339 date-time")
        }
        if let c = o["config"], c != .null, let cfg = object(c, at: "config", rule: Rules.configField) {
            containerConfig(cfg)
        }
        var diffIDs: Int?
        if let r = o["rootfs"] {
            if let rootfs = object(r, at: "rootfs", rule: Rules.configRootfs) {
                if let t = string(rootfs, "type", at: "rootfs", rule: Rules.configRootfsType, required: true), t != "layers" {
                    add(Rules.configRootfsType, "rootfs.type", "is \"\(t.prefix(100))\", expected \"layers\"")
                }
                if rootfs["diff_ids"] == nil { add(Rules.configRootfs, "rootfs", "\"diff_ids\" is required") }
                if let ids = stringArray(rootfs, "diff_ids", at: "rootfs", rule: Rules.configDiffIDs) {
                    diffIDs = ids.count
                    for (i, d) in ids.enumerated() { _ = digestSyntax(d, at: "rootfs.diff_ids[\(i)]") }
                }
            }
        } else {
            add(Rules.configRequired, "", "\"rootfs\" is required")
        }
        switch o["history"] {
        case nil, .null?: break
        case .array(let h)?:
            var nonEmpty = 0
            for (i, e) in h.enumerated() {
                guard let entry = object(e, at: "history[\(i)]", rule: Rules.configField) else { continue }
                for key in ["author", "created_by", "comment"] { string(entry, key, at: "history[\(i)]", rule: Rules.configField) }
                if let c = string(entry, "created", at: "history[\(i)]", rule: Rules.configCreated), !SpecValidator.isValidDateTime(c) {
                    add(Rules.configCreated, "history[\(i)].created", "\"\(c.prefix(100))\" is not an RFC 3339 date-time")
                }
                switch entry["empty_layer"] {
                case nil, .bool(false)?: nonEmpty += 1
                case .bool(true)?: break
                case let x?: add(Rules.configField, "history[\(i)].empty_layer", "is \(x.typeName), expected boolean"); nonEmpty += 1
                }
            }
            if let diffIDs, !h.isEmpty, nonEmpty != diffIDs {
                add(Rules.configHistory, "history", "has \(nonEmpty) non-empty entries for \(diffIDs) diff IDs")
            }
        case let x?: add(Rules.configField, "history", "is \(x.typeName), expected an array")
        }
    }

    /// The `config` object's fields (config-schema.json), Docker's container keys left alone.
    private mutating func containerConfig(_ c: [String: JSONValue]) {
        for key in ["User", "WorkingDir", "StopSignal"] { string(c, key, at: "config", rule: Rules.configField) }
        objectMap(c, "ExposedPorts", at: "config", rule: Rules.configField, nullable: true)
        objectMap(c, "Volumes", at: "config", rule: Rules.configField, nullable: true)
        stringMap(c, "Labels", at: "config", rule: Rules.configField, nullable: true)
        _ = stringArray(c, "Entrypoint", at: "config", rule: Rules.configField, nullable: true)
        _ = stringArray(c, "Cmd", at: "config", rule: Rules.configField, nullable: true)
        if let a = c["ArgsEscaped"], case .bool = a {} else if let a = c["ArgsEscaped"] {
            add(Rules.configField, "config.ArgsEscaped", "is \(a.typeName), expected boolean")
        }
        if let env = stringArray(c, "Env", at: "config", rule: Rules.configField, nullable: true) {
            for (i, e) in env.enumerated() where !(e.firstIndex(of: "=").map { $0 != e.startIndex } ?? false) {
                add(Rules.configEnv, "config.Env[\(i)]", "\"\(e.prefix(100))\" is not VARNAME=VARVALUE")
            }
        }
    }
}
