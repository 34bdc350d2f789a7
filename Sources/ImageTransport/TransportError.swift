import Diagnostics
import Foundation

/// An error reading or writing an image archive or layout: a missing entry, an
/// inconsistent manifest, a digest that does not match. `message` names the archive,
/// the entry or the digest at fault.
public struct TransportError: CodedError, Sendable {
    public enum Code: String, Sendable {
        case unrecognizedFormat, missingEntry, invalidManifest, layerMismatch, invalidName, unsafeLink, unsupported, notFound, tooLarge, recodedNonLayer, invalidIndex
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
extension TransportError: LocalizedError {
    public var errorDescription: String? { description }
}
