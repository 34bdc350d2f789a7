/// The one shape of every error lading throws: a code to tell errors apart by (never
/// their text), a message naming the file, entry or digest at fault, and the underlying
/// reason when there is one (a lower layer's words, `errno` text).
///
/// `description` is `message`, then `: cause` when there is a cause.
public protocol CodedError: Error, CustomStringConvertible {
    associatedtype Code: RawRepresentable where Code.RawValue == String
    var code: Code { get }
    var message: String { get }
    var cause: String? { get }
}

extension CodedError {
    public var description: String {
        if let cause, !cause.isEmpty { return "\(message): \(cause)" }
        return message
    }
}
