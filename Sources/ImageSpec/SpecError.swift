import Foundation

/// An error in an OCI or Docker document or name: bad grammar, a missing required
/// field, or a document of the wrong kind.
public struct SpecError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        case invalidDigest, invalidReference, invalidDocument, invalidPlatform, unsupported
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// `localizedDescription` is the message.
extension SpecError: LocalizedError {
    public var errorDescription: String? { description }
}
