import Crypto

/// A content digest, `algorithm ":" encoded` (OCI image-spec, descriptor.md "Digests").
///
/// Validated once, at construction: the algorithm is `[a-z0-9]+` components joined by
/// `[+._-]`, the encoded part `[a-zA-Z0-9=_-]+`; `sha256` and `blake3` must be 64
/// lowercase hex and `sha512` 128 (descriptor.md "Registered algorithms"). A `Digest` is the only way to form a blob path, so a descriptor can never
/// point outside `blobs/`.
public struct Digest: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let algorithm: String
    public let encoded: String

    /// Parses `sha256:<hex>` and other registered or grammar-valid digests.
    /// - Throws: `SpecError.invalidDigest` naming the text when it does not follow the grammar.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw SpecError(.invalidDigest, "invalid digest \"\(text)\": no algorithm")
        }
        let alg = String(text[..<colon])
        let enc = String(text[text.index(after: colon)...])
        guard Digest.validAlgorithm(alg) else {
            throw SpecError(.invalidDigest, "invalid digest \"\(text)\": bad algorithm")
        }
        guard !enc.isEmpty, enc.utf8.allSatisfy({ Digest.encodedChars.contains($0) }) else {
            throw SpecError(.invalidDigest, "invalid digest \"\(text)\": bad encoded part")
        }
        let hexLength = ["sha256": 64, "sha512": 128, "blake3": 64][alg]
        if let n = hexLength {
            guard enc.utf8.count == n, enc.utf8.allSatisfy({ Digest.lowerHex.contains($0) }) else {
                throw SpecError(.invalidDigest, "invalid digest \"\(text)\": \(alg) needs \(n) lowercase hex characters")
            }
        }
        self.algorithm = alg
        self.encoded = enc
    }

    /// A sha256 digest from its 64 lowercase hex characters (already known good).
    public init(sha256Hex hex: String) {
        self.algorithm = "sha256"
        self.encoded = hex
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<B: Sequence>(of bytes: B) -> Digest where B.Element == UInt8 {
        let d = SHA256.hash(data: Array(bytes))
        return Digest(sha256Hex: d.map { String($0, radix: 16).leftPad(2) }.joined())
    }

    /// True when lading can compute this algorithm (sha256 only).
    public var isSupported: Bool { algorithm == "sha256" }

    public var description: String { "\(algorithm):\(encoded)" }

    /// The first 12 characters of the encoded part, as `docker images` shows IDs.
    public var shortID: String { String(encoded.prefix(12)) }

    /// The blob's path inside an OCI layout, `blobs/<alg>/<encoded>`.
    public var blobPath: String { "blobs/\(algorithm)/\(encoded)" }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: s)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    static let lowerHex = Set("0123456789abcdef".utf8)
    static let encodedChars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=_-".utf8)
    static let algChars = Set("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    static func validAlgorithm(_ s: String) -> Bool {
        var prevSep = true
        for c in s.utf8 {
            if algChars.contains(c) { prevSep = false; continue }
            if "+._-".utf8.contains(c) {
                if prevSep { return false }
                prevSep = true
                continue
            }
            return false
        }
        return !prevSep
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
