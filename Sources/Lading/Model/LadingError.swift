/// An error from an image-service operation: a name that matches nothing, a conflict,
/// a usage problem. Errors from lower layers (archive, layout, transport, spec) pass
/// through unchanged; each names the file, entry or digest at fault.
public struct LadingError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable { case notFound, ambiguous, conflict, invalidArgument, unsupported }
    public var code: Code
    public var message: String
    /// The underlying reason (a lower layer's words, `errno` text), when there is one.
    public var cause: String?
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
    public var description: String {
        if let cause, !cause.isEmpty { return "\(message): \(cause)" }
        return message
    }
}
