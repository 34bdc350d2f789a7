import Foundation

/// The fuzz targets: one entry point per input, shared by the libFuzzer executables
/// (`Fuzz/`) and the regression test that replays `Fuzz/regressions/TARGET/`.
///
/// `run` swallows the errors lading reports for bad input (they are the expected
/// outcome) and throws `FuzzViolation` when a property that must hold for any input is
/// broken (a load that fails but changes the store, a layer that writes outside its
/// root). A crash (a trap, an ASan report) is a finding too.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `ImageService.load` of a tarball into a fresh store (every dialect, compressed).
    case archive
    /// `LayerApplier` of one layer tarball into a fresh root, checked for escapes.
    case layer
    /// ImageSpec documents (index, manifest, config, docker-save) and text parsers.
    case documents
    /// `--change` lines (`ChangeSet`) applied to a container config.
    case change

    /// Runs one input.
    /// - Throws: `FuzzViolation` when a property is broken.
    public func run(_ input: [UInt8]) throws {
        switch self {
        case .archive: try ArchiveTarget.run(input)
        case .layer: try LayerTarget.run(input)
        case .documents: try DocumentsTarget.run(input)
        case .change: try ChangeTarget.run(input)
        }
    }

    /// For `LLVMFuzzerTestOneInput`: runs the input and aborts on a violation, so
    /// libFuzzer records it as a crash.
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        do {
            try run(input)
        } catch {
            fatalError("fuzz target \(rawValue): \(error)")
        }
        return 0
    }
}

/// With `LADING_FUZZ_VERBOSE` set, the errors lading reports for each input go to
/// standard error (to see how far seeds and regressions get).
func note(_ what: String, _ detail: Any) {
    if verbose { FileHandle.standardError.write(Data("\(what): \(detail)\n".utf8)) }
}

let verbose = ProcessInfo.processInfo.environment["LADING_FUZZ_VERBOSE"] != nil

/// A property that must hold for any input was broken.
public struct FuzzViolation: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
