import Foundation

/// Why a `--change` list was refused: the message docker would give, naming the
/// instruction and what is wrong with it.
///
/// Messages follow moby v27 / buildkit v0.18 word for word where the daemon's own text
/// is known (for example `RUN is not a valid change command`, `ENV must have two
/// arguments`, `invalid signal: SIGFOO`), so callers can show them unchanged.
public struct ChangeError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The text is not a Dockerfile fragment lading can read (quotes, JSON, directives).
        case syntax
        /// The instruction is not one of the eleven `--change` accepts.
        case notAllowed
        /// The instruction is allowed but its arguments or flags are not valid.
        case invalidArgument
    }

    public var code: Code
    /// The instruction as written (`ENV`, `healthcheck`…), when one is known.
    public var instruction: String?
    public var message: String

    public init(_ code: Code, _ message: String, instruction: String? = nil) {
        self.code = code
        self.message = message
        self.instruction = instruction
    }

    public var description: String { message }
}

/// `localizedDescription` is the message.
extension ChangeError: LocalizedError {
    public var errorDescription: String? { description }
}
