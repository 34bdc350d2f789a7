import Diagnostics
import Foundation

/// An error from reading or writing an archive or a compressed stream.
///
/// `message` names the file or entry at fault and what was wrong; `cause` holds
/// libarchive's own words (copied before the handle is freed) or the `errno` text.
public struct ArchiveError: CodedError, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The bytes are not a tar archive (or not a stream libarchive can decode).
        case notAnArchive
        /// The archive or a compressed stream ended early or is corrupt.
        case corrupt
        /// An entry is refused (unsafe name, unsupported type, too large).
        case refusedEntry
        /// An operating-system call failed.
        case io
        /// A write to the output failed.
        case write
    }

    public var code: Code
    public var message: String
    public var cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }


    /// An `.io` error carrying `strerror(errno)`.
    public static func errno(_ message: String, _ err: Int32 = Foundation.errno) -> ArchiveError {
        ArchiveError(.io, message, cause: String(cString: strerror(err)))
    }
}

/// `localizedDescription` is the message.
extension ArchiveError: LocalizedError {
    public var errorDescription: String? { description }
}
