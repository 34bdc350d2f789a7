import Foundation
import ImageSpec
import Testing

/// Digests and references are validated once, at construction: a descriptor can never
/// name a path outside `blobs/`, and a bad name never reaches the store.
@Suite struct DigestReferenceTests {
    @Test(arguments: [
        ("sha256:../../etc/passwd", "invalid digest \"sha256:../../etc/passwd\": bad encoded part"),
        ("sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", "invalid digest \"sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\": sha256 needs 64 lowercase hex characters"),
        ("sha256:abc", "invalid digest \"sha256:abc\": sha256 needs 64 lowercase hex characters"),
        ("sha512:00", "invalid digest \"sha512:00\": sha512 needs 128 lowercase hex characters"),
        ("SHA256:" + String(repeating: "a", count: 64), "invalid digest \"SHA256:\(String(repeating: "a", count: 64))\": bad algorithm"),
        ("nocolon", "invalid digest \"nocolon\": no algorithm"),
        ("sha256:", "invalid digest \"sha256:\": bad encoded part"),
        ("sha256/x:abc", "invalid digest \"sha256/x:abc\": bad algorithm"),
    ])
    func badDigestsAreRefused(_ text: String, _ message: String) {
        do {
            _ = try Digest(parsing: text)
            Issue.record("accepted \(text)")
        } catch let e as SpecError {
            #expect(e.message == message)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func unknownButWellFormedAlgorithmsParseAndAreUnsupported() throws {
        let d = try Digest(parsing: "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")
        #expect(!d.isSupported)
        #expect(d.blobPath == "blobs/multihash+base58/QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")
        // blake3 is registered (descriptor.md "Registered algorithms"): 64 lowercase hex.
        #expect(throws: SpecError.self) { try Digest(parsing: "blake3:abcdef") }
        #expect(!(try Digest(parsing: "blake3:" + String(repeating: "a", count: 64))).isSupported)
    }

    @Test func aDescriptorCannotPointOutsideBlobs() {
        let json = #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../../etc/passwd","size":1}"#
        #expect(throws: SpecError.self) { try JSON.decode(Descriptor.self, from: Array(json.utf8), what: "descriptor") }
        let negative = #"{"mediaType":"x","digest":"sha256:\#(String(repeating: "0", count: 64))","size":-1}"#
        #expect(throws: SpecError.self) { try JSON.decode(Descriptor.self, from: Array(negative.utf8), what: "descriptor") }
    }

    @Test(arguments: [
        ("busybox", "docker.io/library/busybox:latest", "busybox:latest", "latest"),
        ("index.docker.io/library/alpine:3.10", "docker.io/library/alpine:3.10", "alpine:3.10", "3.10"),
        ("localhost:5000/whiteout", "localhost:5000/whiteout:latest", "localhost:5000/whiteout:latest", "latest"),
        ("docker.io/a/b/c:x", "docker.io/a/b/c:x", "a/b/c:x", "x"),
        ("example.com/team/app:v2", "example.com/team/app:v2", "example.com/team/app:v2", "v2"),
    ])
    func referencesNormalizeAsDockerDoes(_ text: String, _ full: String, _ familiar: String, _ object: String) throws {
        let r = try Reference(parsing: text).withDefaultTag
        #expect(r.description == full)
        #expect(r.familiarString == familiar)
        #expect(r.objectPart == object)
    }

    @Test(arguments: ["upper/CASE", "example.com/Team/app", String(repeating: "a", count: 64), "a:b:c", "", "a//b", "-a"])
    func badReferencesAreRefused(_ text: String) {
        #expect(throws: SpecError.self) { try Reference(parsing: text) }
    }
}
