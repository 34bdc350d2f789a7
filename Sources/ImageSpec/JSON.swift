import Foundation

/// JSON in and out. Documents lading creates are encoded canonically (sorted keys,
/// no escaped slashes); documents read keep their raw bytes elsewhere.
public enum JSON {
    /// Canonical encoding of a document lading creates.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(value))
    }

    /// Decodes `bytes` as `T`, turning any failure into a `SpecError` that names `what`.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let e as SpecError {
            throw SpecError(e.code, "\(what): \(e.message)")
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw SpecError(.invalidDocument, "\(what): missing field \"\(path(ctx.codingPath + [key]))\"")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SpecError(.invalidDocument, "\(what): wrong type at \"\(path(ctx.codingPath))\"")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw SpecError(.invalidDocument, "\(what): null at \"\(path(ctx.codingPath))\"")
        } catch let DecodingError.dataCorrupted(ctx) {
            if let u = ctx.underlyingError as? SpecError { throw SpecError(u.code, "\(what): \(u.message)") }
            throw SpecError(.invalidDocument, "\(what): not valid JSON\(ctx.codingPath.isEmpty ? "" : " at \"\(path(ctx.codingPath))\"")")
        } catch {
            throw SpecError(.invalidDocument, "\(what): \(error)")
        }
    }

    static func path(_ p: [CodingKey]) -> String {
        p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
