import Diagnostics
import ConfigChanges
import Foundation
import ImageLayout
import ImageTransport
import LayerChangeset
import TarArchive

/// An error from an image-service operation: a name that matches nothing, a conflict,
/// a usage problem. Errors from lower layers (`LayoutError`, `ArchiveError`,
/// `TransportError`, `SpecError`, `LayerError`, `ChangeError`) pass through unchanged;
/// each names the file, entry or digest at fault, and `LadingError(error)` gives any of
/// them (or a `CancellationError`) as this one type, message and cause kept.
///
/// `description` and `localizedDescription` are the message (`No such image: busybox`).
public struct LadingError: CodedError, LocalizedError, Sendable {
    public enum Code: String, Sendable {
        case notFound, ambiguous, conflict, invalidArgument, unsupported
        /// The operation was stopped through its `TransferMonitor`; the store is as it was.
        case cancelled
        /// The input is damaged or inconsistent (a digest, a size, a diff ID, a document).
        case invalidInput
        /// Reading or writing a file failed (a full disk, permissions, an I/O error).
        case io
    }
    public var code: Code
    public var message: String
    /// The underlying reason (a lower layer's words, `errno` text), when there is one.
    public var cause: String?
    /// The lower layer's error this one was made from, when there is one.
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `error` as a `LadingError`: itself when it is one, else its message with a code
    /// that sorts it (not found, unsupported, cancelled, I/O, or invalid input).
    public init(_ error: any Error) {
        if let e = error as? LadingError { self = e; return }
        let code: Code
        switch error {
        case is CancellationError: code = .cancelled
        case let e as LayoutError:
            switch e.code {
            case .blobNotFound, .notALayout: code = .notFound
            case .io, .locked: code = .io
            case .unsupported: code = .unsupported
            default: code = .invalidInput
            }
        case let e as ArchiveError: code = e.code == .io || e.code == .write ? .io : .invalidInput
        case let e as TransportError: code = e.code == .notFound ? .notFound : e.code == .unsupported ? .unsupported : .invalidInput
        case let e as SpecError: code = e.code == .unsupported ? .unsupported : .invalidArgument
        case is ChangeError: code = .invalidArgument
        default: code = .invalidInput
        }
        self.init(code, error is CancellationError ? "cancelled" : "\(error)")
        underlying = error
    }

    public var errorDescription: String? { description }
}
