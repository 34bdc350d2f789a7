import Foundation

/// An error reading or writing an image archive or layout: a missing entry, an
/// inconsistent manifest, a digest that does not match. `message` names the archive,
/// the entry or the digest at fault.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case unrecognizedFormat, missingEntry, invalidManifest, layerMismatch, invalidName, unsafeLink, unsupported, notFound, tooLarge, recodedNonLayer
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
extension TransportError: LocalizedError {
    public var errorDescription: String? { description }
}
