import Crypto

/// SHA-256 of a byte stream computed as it passes, with its length.
public struct StreamDigester {
    private var hasher = SHA256()
    /// Bytes seen so far.
    public private(set) var count: Int64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        count += Int64(bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The lowercase hex SHA-256 of everything seen (64 characters).
    public func finalizeHex() -> String {
        let d = hasher.finalize()
        return d.map { byteHex($0) }.joined()
    }
}

@inline(__always) func byteHex(_ b: UInt8) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
}
