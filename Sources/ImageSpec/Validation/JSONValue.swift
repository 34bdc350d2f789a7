import Foundation

/// A JSON document as parsed, with types kept apart (a number is never a boolean, an
/// integer is never a string), for checking documents against the image-spec schemas.
public enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Parses `bytes`; nil when they are not JSON.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The JSON type's name, for messages: `string`, `integer`, `number`, `boolean`,
    /// `array`, `object`, `null`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public subscript(key: String) -> JSONValue? { object?[key] }
}

extension JSONValue {
    /// Keys that appear more than once in one object of the JSON text `bytes` (which
    /// decoding silently collapses), each with the key of the member that object is the
    /// value of (nil at the top or in an array). One pass; `bytes` must be valid JSON.
    public static func duplicateKeys(_ bytes: [UInt8]) -> [(parent: String?, key: String)] {
        struct Frame { var keys = Set<[UInt8]>(); let parent: [UInt8]?; let isObject: Bool; var expectKey: Bool }
        var stack: [Frame] = []
        var lastKey: [UInt8]?
        var out: [(String?, String)] = []
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                let s = Array(bytes[(i + 1)..<min(j, bytes.count)])
                if let top = stack.last, top.isObject, top.expectKey {
                    if !stack[stack.count - 1].keys.insert(s).inserted {
                        out.append((top.parent.map { String(decoding: $0, as: UTF8.self) }, String(decoding: s, as: UTF8.self)))
                    }
                    stack[stack.count - 1].expectKey = false
                    lastKey = s
                }
                i = j
            case UInt8(ascii: "{"):
                let parent = stack.last?.isObject == true ? lastKey : nil
                stack.append(Frame(parent: parent, isObject: true, expectKey: true))
            case UInt8(ascii: "["): stack.append(Frame(parent: nil, isObject: false, expectKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","): if stack.last?.isObject == true { stack[stack.count - 1].expectKey = true }
            default: break
            }
            i += 1
        }
        return out
    }
}
