import Diagnostics
import Foundation
import TarArchive

/// An error from the layer engine: applying, reading, comparing or writing layers.
///
/// `message` names the layer and the entry at fault (raw names escaped with
/// `LayerPath.escape(_:)`), `cause` holds the underlying reason (`errno` text or
/// the archive reader's own message).
public struct LayerError: CodedError, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// An entry name escapes the root (`..` past the top) or names the root as a non-directory.
        case unsafePath
        /// A whiteout marker that names nothing (`.wh.`, `.wh..`, `.wh...`), or any `.wh.`
        /// name where a filesystem, not a layer, is expected (`RootfsCheck`).
        case invalidWhiteout
        /// A hardlink whose target is missing, is a directory, or lies outside the root.
        case invalidHardlink
        /// A path's parent resolves to something that is not a directory, or symlinks loop.
        case notADirectory
        /// A component of the entry's name is longer than `NAME_MAX` (255 bytes).
        case nameTooLong
        /// The entry cannot be created on Linux: a symlink with an empty target.
        case unsupportedEntry
        /// The layer stream is not a readable tar archive.
        case archive
        /// An operating-system call failed.
        case io
    }

    public var code: Code
    public var message: String
    public var cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }


    /// An `.io` error carrying `strerror(err)`.
    static func errno(_ message: String, _ err: Int32 = Foundation.errno) -> LayerError {
        LayerError(.io, message, cause: String(cString: strerror(err)))
    }

    /// Wraps an archive reader's error, keeping its message as the cause. An entry the
    /// reader refused (a uid or device number out of range) keeps the reader's message,
    /// which already names the layer and the entry.
    static func archive(_ layer: String, _ error: Error) -> LayerError {
        if let e = error as? LayerError { return e }
        if let a = error as? ArchiveError, a.code == .refusedEntry { return LayerError(.archive, a.message, cause: a.cause) }
        if let a = error as? ArchiveError { return LayerError(.archive, "\(layer): cannot read layer", cause: a.description) }
        return LayerError(.archive, "\(layer): cannot read layer", cause: "\(error)")
    }
}

/// `localizedDescription` is the message.
extension LayerError: LocalizedError {
    public var errorDescription: String? { description }
}
