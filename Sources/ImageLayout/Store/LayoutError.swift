import Diagnostics
import Foundation

/// An error from the content store: a missing or mismatched blob, a bad `index.json`,
/// a failed file operation. `message` names the file or digest at fault.
public struct LayoutError: CodedError, Sendable {
    public enum Code: String, Sendable {
        case notALayout, blobNotFound, digestMismatch, sizeMismatch, tooLarge, invalidIndex, invalidDocument, io, locked, unsupported
    }
    public var code: Code
    public var message: String
    public var cause: String?
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}

/// `localizedDescription` is the message.
extension LayoutError: LocalizedError {
    public var errorDescription: String? { description }
}
