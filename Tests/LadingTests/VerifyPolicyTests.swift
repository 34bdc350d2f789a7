import Foundation
import ImageSpec
import Lading
import Testing
import TestSupport

/// `verify --require`, `--max-size`, `--deny-root`, and the JUnit report that carries
/// their findings, as a JUnit consumer reads it.
@Suite struct VerifyPolicyTests {
    /// buildkit's oci-archive with linux/arm64 and linux/amd64 images, each attested.
    static let scratch = "oci-archive:\(publicData)/apple-containerization/scratch.tar"
    static let arm64 = "sha256:872d74070f985083ac362527084460ff5a21815dfabd6e8de8baf677206340ee"
    static let amd64 = "sha256:3f2b0792ca7c9418ca2483c03bef2e3d3ea23205d0add5bd5cc55cdbc993027e"

    @Test func platformsAndAttestationsPresentPass() throws {
        let r = try run([ladingBinary, "verify", "--require", "platform=linux/amd64,linux/arm64", "--require", "attestations",
                         "--max-size", "535", Self.scratch])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out == "\(Self.scratch): OK (12 blobs checked)\n")
    }

    @Test func aMissingPlatformAndAnImageTooLargeAreFindingsByRule() throws {
        let r = try run([ladingBinary, "verify", "--require", "platform=linux/amd64,linux/s390x", "--max-size", "534", Self.scratch])
        #expect(r.status == 1)
        #expect(r.out == """
            error: (index.json): no image for platform linux/s390x (images: linux/arm64, linux/amd64) [policy.platform: lading "verify --require platform"]
            error: \(Self.arm64) (index.json manifests[0] > manifests[0]): image for linux/arm64 is 535 bytes compressed, more than 534 [policy.max-size: lading "verify --max-size"]
            error: \(Self.amd64) (index.json manifests[0] > manifests[1]): image for linux/amd64 is 535 bytes compressed, more than 534 [policy.max-size: lading "verify --max-size"]
            \(Self.scratch): 3 errors, 0 warnings (12 blobs checked)

            """)
    }

    @Test func attestationsLabelsAndRoot() throws {
        let layout = "oci:\(corpus)/layout"
        // umoci's layout: no attestations, no user (root); v2 has the label org.example.version.
        let r = try run([ladingBinary, "verify", "--format", "json", "--require", "attestations", "--require", "label=org.example.version", "--deny-root", layout])
        #expect(r.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]]).first
        let findings = try #require(report?["findings"] as? [[String: Any]])
        #expect(findings.map { $0["rule"] as? String } == ["policy.attestations", "policy.label", "policy.deny-root", "policy.attestations", "policy.deny-root"])
        #expect(findings.allSatisfy { $0["severity"] as? String == "error" && $0["spec"] as? String != nil })
        #expect(findings[1]["message"] as? String == "image for linux/amd64 has no label org.example.version")
        let v2 = try run([ladingBinary, "verify", "--require", "label=org.example.version", "\(layout):v2"])
        #expect(v2.status == 0, "\(v2.out)")
    }

    @Test func denyRootAcceptsAnotherUser() throws {
        let l = try MiniLayout.userImage("1000:1000")
        defer { l.dir.remove() }
        #expect(try run([ladingBinary, "verify", "--deny-root", "oci:" + l.path]).status == 0)
        for user in ["root", "0:0", ""] {
            let r = try MiniLayout.userImage(user)
            defer { r.dir.remove() }
            let out = try run([ladingBinary, "verify", "--deny-root", "oci:" + r.path])
            #expect(out.status == 1 && out.out.contains("runs as root (User \"\(user)\") [policy.deny-root"), "\(out.out)")
        }
    }

    /// The report read by Python's xml.etree, as a CI's JUnit consumer reads it.
    @Test func junitWithPolicyFailuresParses() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let xml = dir.path + "/report.xml"
        let r = try run([ladingBinary, "verify", "--junit", xml, "--require", "platform=linux/s390x", "--deny-root", Self.scratch, "oci:\(corpus)/layout:v2"])
        #expect(r.status == 1)
        let script = """
            import sys, xml.etree.ElementTree as ET
            s = ET.parse(sys.argv[1]).getroot()
            print(s.tag, s.get("tests"), s.get("failures"))
            for c in s.iter("testcase"):
                print(c.get("name"), ",".join(f.get("type") for f in c.iter("failure")))
            """
        let parsed = try run(["python3", "-c", script, xml])
        #expect(parsed.status == 0, "\(parsed.err)")
        #expect(parsed.out == """
            testsuite 2 2
            \(Self.scratch) policy.platform,policy.deny-root,policy.deny-root
            oci:\(corpus)/layout:v2 policy.platform,policy.deny-root

            """)
        // `--junit -`: the XML alone on standard output, the text report on standard error.
        let piped = try run([ladingBinary, "verify", "--junit", "-", "--require", "platform=linux/s390x", Self.scratch])
        #expect(piped.status == 1)
        #expect(piped.err.hasSuffix("\(Self.scratch): 1 error, 0 warnings (12 blobs checked)\n"), "\(piped.err)")
        let stdinParse = try run(["python3", "-c", "import sys, xml.etree.ElementTree as ET; r = ET.fromstring(sys.stdin.read()); print(r.get('failures'), [f.get('type') for f in r.iter('failure')])"], stdin: piped.out)
        #expect(stdinParse.out == "1 ['policy.platform']\n", "\(stdinParse.err)")
    }

    /// An unwritable --junit path is reported before any work (exit 2, nothing verified).
    @Test func anUnwritableJUnitPathFailsFirst() throws {
        let r = try run([ladingBinary, "verify", "--junit", "/nonexistent/dir/j.xml", "/nonexistent/target.tar"])
        #expect(r.status == 2)
        #expect(r.out == "")
        #expect(r.err == "Error: cannot write the JUnit report /nonexistent/dir/j.xml: No such file or directory\n")
    }

    @Test func badRequirementsAreUsageErrors() throws {
        for args in [["--require", "bogus"], ["--require", "platform=linux/*"], ["--max-size", "ten"]] {
            let r = try run([ladingBinary, "verify"] + args + ["oci:\(corpus)/layout"])
            #expect(r.status == 64 || r.status == 2, "\(args): \(r.status)")
            #expect(r.err.hasPrefix("Error: "), "\(r.err)")
        }
    }
}

extension MiniLayout {
    /// A one-layer image (an empty tar) whose config's `User` is `user`.
    static func userImage(_ user: String) throws -> MiniLayout {
        let layer = [UInt8](repeating: 0, count: 1024)
        let diffID = Digest.sha256(of: layer)
        let config = Array(#"{"architecture":"amd64","os":"linux","config":{"User":"\#(user)"},"rootfs":{"type":"layers","diff_ids":["\#(diffID)"]}}"#.utf8)
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"\#(MediaType.ociManifest)","config":\#(descriptor(MediaType.ociConfig, config)),"layers":[\#(descriptor(MediaType.ociLayer, layer))]}"#.utf8)
        return try MiniLayout(index: index([descriptor(MediaType.ociManifest, manifest)]), blobs: [layer, config, manifest])
    }
}
