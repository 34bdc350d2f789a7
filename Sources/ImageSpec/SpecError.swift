import Diagnostics
import Foundation

/// An error in an OCI or Docker document or name: bad grammar, a missing required
/// field, or a document of the wrong kind.
public struct SpecError: CodedError, Sendable, Equatable {
    public enum Code: String, Sendable {
        case invalidDigest, invalidReference, invalidDocument, invalidPlatform, unsupported
    }
    public var code: Code
    public var message: String
    /// The underlying reason (a lower layer's words, `errno` text), when there is one.
    public var cause: String?
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}

/// `localizedDescription` is the message.
extension SpecError: LocalizedError {
    public var errorDescription: String? { description }
}
