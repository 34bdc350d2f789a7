import Foundation

/// The data a `--format` Go template runs over: JSON's values, with Go's two kinds of
/// object kept apart (a struct, where an unknown field is an error, and a map, where a
/// missing key is `<no value>`).
indirect enum TemplateValue: Equatable, Sendable {
    case null
    /// A missing map key (Go prints `<no value>`).
    case missing
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    /// A struct: `.Name` must be one of its keys.
    case object([String: TemplateValue])
    /// A Go map (labels, exposed ports, volumes): a missing key is no value.
    case map([String: TemplateValue])

    /// Keys whose objects are maps in docker's types (`Config.Labels`, …).
    static let mapKeys: Set<String> = ["Labels", "ExposedPorts", "Volumes", "Data", "labels"]

    /// From a `JSONSerialization` tree (`[String: Any]`, `[Any]`, `NSNumber`, `String`, `NSNull`).
    init(json: Any, key: String? = nil) {
        switch json {
        case let s as String: self = .string(s)
        case let n as NSNumber:
            // JSONSerialization's booleans are NSNumbers of type char.
            let kind = String(cString: n.objCType)
            if kind == "c" || type(of: json) == Bool.self {
                self = .bool(n.boolValue)
            } else if kind == "d" || kind == "f" {
                self = .double(n.doubleValue)
            } else {
                self = .int(n.int64Value)
            }
        case let a as [Any]: self = .array(a.map { TemplateValue(json: $0) })
        case let d as [String: Any]:
            var o: [String: TemplateValue] = [:]
            for (k, v) in d { o[k] = TemplateValue(json: v, key: k) }
            self = key.map(Self.mapKeys.contains) == true ? .map(o) : .object(o)
        default: self = .null
        }
    }

    /// This struct with the `fields` it lacks added, and `nested` structs' the same way:
    /// a Go struct's `omitempty` fields are absent from its JSON and zero in a template.
    func adding(_ fields: [String: TemplateValue], nested: [String: [String: TemplateValue]] = [:]) -> TemplateValue {
        guard case .object(var o) = self else { return self }
        for (k, v) in fields where o[k] == nil { o[k] = v }
        for (k, f) in nested { if let inner = o[k] { o[k] = inner.adding(f) } }
        return .object(o)
    }

    /// Go's truth: false, 0, "", an empty array or map, and nil are false.
    var truth: Bool {
        switch self {
        case .null, .missing: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object: return true
        case .map(let m): return !m.isEmpty
        }
    }

    /// As Go's `fmt.Print` prints it: `[a b]` for an array, `map[k:v]` for an object.
    var printed: String {
        switch self {
        case .null: return "<nil>"
        case .missing: return "<no value>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e21 ? String(Int64(d)) : String(d)
        case .string(let s): return s
        case .array(let a): return "[" + a.map(\.printed).joined(separator: " ") + "]"
        case .object(let o), .map(let o):
            return "map[" + o.keys.sorted().map { "\($0):\(o[$0]!.printed)" }.joined(separator: " ") + "]"
        }
    }

    /// docker's `json` template function (Go's JSON encoder without HTML escaping): keys
    /// sorted, no blanks, control characters and U+2028, U+2029 escaped.
    var json: String {
        switch self {
        case .null, .missing: return "null"
        case .bool, .int: return printed
        case .double(let d): return d.isFinite ? printed : "null"
        case .string(let s): return Self.jsonQuote(s)
        case .array(let a): return "[" + a.map(\.json).joined(separator: ",") + "]"
        case .object(let o):
            let keys = o.keys.sorted().filter { !(Self.omittedWhenEmpty.contains($0) && !o[$0]!.truth) }
            return "{" + keys.map { "\(Self.jsonQuote($0)):\(o[$0]!.json)" }.joined(separator: ",") + "}"
        case .map(let o):
            return "{" + o.keys.sorted().map { "\(Self.jsonQuote($0)):\(o[$0]!.json)" }.joined(separator: ",") + "}"
        }
    }

    /// The fields of docker's image inspect type that its JSON leaves out when they are
    /// empty (`omitempty`), with the zero value a template sees then: `{{.Variant}}` prints
    /// an empty line for an image without a variant, as docker's does, not an error.
    /// `DockerVersion` and `Parent` are not among them: docker 28 prints them empty.
    static let inspectOmitEmpty: [String: TemplateValue] = [
        "Variant": .string(""), "OsVersion": .string(""), "Created": .string(""),
        "Container": .string(""), "ContainerConfig": .null, "Descriptor": .null, "Manifests": .array([]), "VirtualSize": .int(0),
    ]
    /// The same for `.Config` (docker's container config).
    static let configOmitEmpty: [String: TemplateValue] = [
        "Healthcheck": .null, "ArgsEscaped": .bool(false), "NetworkDisabled": .bool(false), "MacAddress": .string(""),
        "StopSignal": .string(""), "StopTimeout": .null, "Shell": .array([]),
    ]
    /// Their names: Go's JSON encoder leaves them out when they hold their zero value,
    /// whether the struct was read from JSON without them or a template filled them in
    /// (`adding`).
    static let omittedWhenEmpty = Set(inspectOmitEmpty.keys).union(configOmitEmpty.keys)

    static func jsonQuote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}", "\u{2029}":
                out += "\\u" + String(format: "%04x", c.value)
            default:
                if c.value < 0x20 { out += "\\u" + String(format: "%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
