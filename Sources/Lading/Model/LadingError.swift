/// An error from an image-service operation: a name that matches nothing, a conflict,
/// a usage problem. Errors from lower layers (archive, layout, transport, spec) pass
/// through unchanged; each names the file, entry or digest at fault.
public struct LadingError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable { case notFound, ambiguous, conflict, invalidArgument, unsupported }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
