import Foundation
import Testing
import TestSupport

/// What a trial of the new verbs found, each with the input that showed it.
@Suite struct TrialFindingsTests {
    /// `oci:` with no path once wrote a layout at the file system's root.
    @Test(arguments: ["oci:", "oci::app", "docker-archive:", "oci-archive::x"])
    func anAddressWithoutAPathIsRefused(address: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try run([ladingBinary, "copy", "docker-archive:\(corpus)/v2.skopeo.docker.tar", address, "--store", dir.path + "/s"])
        #expect(r.status == 1)
        let transport = address.prefix { $0 != ":" }
        #expect(r.err == "Error: \(address): no path after \(transport): (\(transport):PATH[:REF])\n")
    }

    /// `prune` deleted the SBOM and the signature (unnamed referrers, by `subject`) of a
    /// named image, and `images` listed them as `<none>`.
    @Test func pruneKeepsTheReferrersOfANamedImage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = dir.path + "/s"
        let load = try run([ladingBinary, "load", "-q", "--store", s, "--base-name", "t/x", publicData + "/oras/zot-artifacts"])
        #expect(load.status == 0)
        // A config several manifests share is warned about once.
        let warnings = load.err.split(separator: "\n")
        #expect(!warnings.isEmpty && Set(warnings).count == warnings.count, "\(load.err)")
        let before = try run([ladingBinary, "tree", "--store", s, "t/x:foobar"]).out
        #expect(before.contains("sbom") && before.contains("signature"), "\(before)")
        let listed = try run([ladingBinary, "images", "-q", "--no-trunc", "--store", s]).out
        #expect(!listed.contains("e2c6633a7998") && !listed.contains("0cb8c4da7e9f"), "\(listed)")
        let all = try run([ladingBinary, "images", "-a", "-q", "--store", s]).out
        #expect(all.contains("e2c6633a7998") && all.contains("0cb8c4da7e9f"), "\(all)")
        let p = try run([ladingBinary, "prune", "-f", "--store", s])
        #expect(p.status == 0, "\(p.err)")
        #expect(!p.out.contains("e2c6633a7998") && !p.out.contains("0cb8c4da7e9f"), "\(p.out)")
        #expect(try run([ladingBinary, "tree", "--store", s, "t/x:foobar"]).out == before)
    }

    /// `--user 00` runs as uid 0 as surely as `0` does.
    @Test(arguments: ["00", "+0", "0000:1000", "root:root"])
    func denyRootReadsNumericUsersAsNumbers(user: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = dir.path + "/s"
        #expect(try run([ladingBinary, "load", "-q", "-i", corpus + "/v2.skopeo.docker.tar", "--store", s]).status == 0)
        #expect(try run([ladingBinary, "mutate", "example.com/team/app:v2", "-t", "u:x", "--user", user, "--store", s]).status == 0)
        let r = try run([ladingBinary, "verify", "--deny-root", "--store", s, "u:x"])
        #expect(r.status == 1)
        #expect(r.out.contains("runs as root (User \"\(user)\")"), "\(r.out)")
        let fine = try run([ladingBinary, "mutate", "u:x", "-t", "u:y", "--user", "1000", "--store", s])
        #expect(fine.status == 0)
        #expect(try run([ladingBinary, "verify", "--deny-root", "--store", s, "u:y"]).status == 0)
    }

    /// A malformed `SOURCE_DATE_EPOCH` fell back to the clock (or wrote a year past 9999).
    @Test(arguments: ["abc", "1e9", "-1", "253402300800", "99999999999999999999"])
    func aMalformedSourceDateEpochIsRefused(value: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = value
        let r = try run([ladingBinary, "import", corpus + "/rootfs.tar", "x:1", "--store", dir.path + "/s"], environment: env)
        #expect(r.status == 1)
        #expect(r.err == "Error: SOURCE_DATE_EPOCH=\(value) is not a number of seconds since 1970 (0 to 253402300799)\n")
        env["SOURCE_DATE_EPOCH"] = "253402300799"
        #expect(try run([ladingBinary, "import", corpus + "/rootfs.tar", "x:1", "--store", dir.path + "/s"], environment: env).status == 0)
        #expect(try run([ladingBinary, "inspect", "--format", "{{.Created}}", "x:1", "--store", dir.path + "/s"]).out == "9999-12-31T23:59:59Z\n")
    }

    /// A control character in a name made the JUnit report invalid XML and reached the
    /// terminal as an escape sequence.
    @Test func controlCharactersNeitherBreakTheReportNorReachTheTerminal() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let target = dir.path + "/no\u{1b}[31mpe"
        let r = try run([ladingBinary, "verify", "--junit", dir.path + "/j.xml", target, "--store", dir.path + "/s"])
        #expect(r.status == 1)
        #expect(!r.out.contains("\u{1b}") && !r.err.contains("\u{1b}"))
        #expect(r.out.contains("no\\u{1b}[31mpe"), "\(r.out)")
        let parse = try run(["python3", "-c", "import sys,xml.etree.ElementTree as E; t=E.parse(sys.argv[1]); print(t.getroot().attrib['failures'])", dir.path + "/j.xml"])
        #expect(parse.status == 0 && parse.out == "1\n", "\(parse.err)")
    }

    /// `mutate --platform` on an index relabelled whichever child the host picked.
    @Test func mutatePlatformOfAnIndexIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = dir.path + "/s"
        #expect(try run([ladingBinary, "copy", "oci:\(publicData)/stereoscope/multiplatform_oci_dir", "store:mp:1", "--store", s]).status == 0)
        let before = try run([ladingBinary, "images", "-a", "--no-trunc", "-q", "--store", s]).out
        let r = try run([ladingBinary, "mutate", "mp:1", "-t", "mp:3", "--platform", "linux/arm64", "--store", s])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("Error: mp:1 is a multi-platform index: --platform sets the platform of one image;"), "\(r.err)")
        #expect(try run([ladingBinary, "images", "-a", "--no-trunc", "-q", "--store", s]).out == before)
    }
}

extension TrialFindingsTests {
    /// A dangling image whose manifest cannot be read may be a referrer of a kept image:
    /// prune deletes nothing on that guess, and says which document it could not read.
    @Test func pruneDeletesNothingWhenADanglingManifestCannotBeRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = dir.path + "/s"
        #expect(try run([ladingBinary, "load", "-q", "-i", corpus + "/v2.skopeo.docker.tar", "--store", s]).status == 0)
        let old = try run([ladingBinary, "images", "-q", "--no-trunc", "--store", s]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        // The name moves to a new image; the old one is left unnamed.
        #expect(try run([ladingBinary, "import", corpus + "/rootfs.tar", "example.com/team/app:v2", "--store", s]).status == 0)
        let hex = String(old.dropFirst("sha256:".count))
        let blob = s + "/blobs/sha256/" + hex
        try Data("not json".utf8).write(to: URL(fileURLWithPath: blob))
        let blobs = try FileManager.default.contentsOfDirectory(atPath: s + "/blobs/sha256").sorted()
        let r = try run([ladingBinary, "prune", "-f", "--store", s])
        #expect(r.status == 1)
        #expect(r.err.contains(hex), "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s + "/blobs/sha256").sorted() == blobs)
    }
}
