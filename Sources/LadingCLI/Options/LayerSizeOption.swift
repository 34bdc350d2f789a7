import ArgumentParser
import Lading

/// `--max-layer-size SIZE`, for the commands that read or write layers (load, import,
/// commit, squash, copy): the cap on a layer's decompressed content, counted while it
/// streams (`SizeLimit`).
struct LayerSizeOption: ParsableArguments {
    @Option(name: .customLong("max-layer-size"), help: ArgumentHelp(
        "Refuse any layer or blob larger than this once decompressed (bytes; K, M, G, T suffixes). Default: no limit for a regular file, a directory or the store; \(SizeLimit.streamDefault >> 30)G for standard input, a pipe or a device.",
        valueName: "size"))
    var maxLayerSize: String?

    func validate() throws {
        if let maxLayerSize {
            do { _ = try parseByteCount(maxLayerSize) } catch { throw ValidationError("--max-layer-size: \(error)") }
        }
    }

    /// The cap in bytes; nil when not given (the input's kind then decides).
    func bytes() throws -> Int64? { try maxLayerSize.map(parseByteCount) }
}

/// `123`, `64K`, `512M`, `10G` (1024-based) as bytes.
func parseByteCount(_ text: String) throws -> Int64 {
    let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var t = text.uppercased()
    if t.hasSuffix("B") { t.removeLast() }
    var mult: Int64 = 1
    if let u = t.last, let m = units[u] { mult = m; t.removeLast() }
    guard let n = Int64(t), n >= 0, n <= Int64.max / mult else { throw ValidationError("not a size: \(text)") }
    return n * mult
}
