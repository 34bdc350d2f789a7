import Foundation
import ImageSpec
import Testing
import TestSupport

/// `inspect`, `history`, `manifest`, `config` and `tree` on addresses read without
/// loading (docker-archive:, oci:, oci-archive:), against what the same commands say
/// after a load.
@Suite struct InspectAddressTests {
    /// Sources of the corpus and of other tools, as addresses.
    static let addresses = [
        "docker-archive:\(corpus)/v2.skopeo.docker.tar",
        "docker-archive:\(corpus)/v2.containerd.docker.tar",
        "docker-archive:\(corpus)/multi.containerd.docker.tar",
        "oci-archive:\(corpus)/v2.skopeo.oci.tar",
        "oci:\(corpus)/layout",
        "oci:\(corpus)/layout-zstd",
        "docker-archive:\(publicData)/apple-containerization/scratch.tar",
        "docker-archive:\(publicData)/containers-libimage/buildkit-docker.tar",
        "oci-archive:\(publicData)/containers-libimage/buildkit-oci.tar",
        "docker-archive:\(publicData)/dive/test-oci-zstd-image.tar",
        "oci:\(publicData)/notation/e2e-valid-signature",
        "docker-archive:\(publicData)/oras-go/hello-world.tar",
    ]

    static func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "not a JSON array: \(text)")
    }

    /// The inspect of an archive, read in place, is the inspect of the same images after
    /// `load`; the store is neither created nor touched by the first.
    @Test(arguments: addresses)
    func inspectOfAnAddressEqualsInspectAfterLoad(_ address: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        let direct = try run([ladingBinary, "inspect", "--store", store, address])
        #expect(direct.status == 0, "\(direct.err)")
        #expect(!FileManager.default.fileExists(atPath: store), "inspect of an address created the store")
        let seen = try Self.json(direct.out)
        try #require(!seen.isEmpty)
        let path = String(address.drop { $0 != ":" }.dropFirst())
        // A layout's bare `ref.name` tags name nothing in the store (docker names need a
        // repository): loaded under `--base-name`, its images keep their tags, and so
        // what the tags say (a referrers tag's `Subject`); only the names differ then.
        let layout = address.hasPrefix("oci:")
        let load = try run([ladingBinary, "load", "-q", "--store", store, "-i", path] + (layout ? ["--base-name", "example.com/l"] : []))
        try #require(load.status == 0, "\(load.err)")
        let ids = seen.map { $0["Id"] as! String }
        let loaded = try run([ladingBinary, "inspect", "--store", store] + ids)
        #expect(loaded.status == 0, "\(loaded.err)")
        func comparable(_ all: [[String: Any]]) -> NSArray {
            NSArray(array: all.map { o in layout ? o.filter { $0.key != "RepoTags" && $0.key != "RepoDigests" } : o })
        }
        #expect(comparable(try Self.json(loaded.out)) == comparable(seen))
        // history: the same rows, read either way (for each image named by its ID).
        for id in ids where seen.count == 1 {
            let a = try run([ladingBinary, "history", "--no-trunc", "--format", "json", "--store", store, address])
            let b = try run([ladingBinary, "history", "--no-trunc", "--format", "json", "--store", store, id])
            #expect(a.status == 0 && a.out == b.out, "\(a.err)")
        }
    }

    /// `docker-archive:all.tar` lists every image in it, each with its names.
    @Test func inspectListsEveryImageOfAnArchive() throws {
        let r = try run([ladingBinary, "inspect", "docker-archive:\(corpus)/multi.containerd.docker.tar"])
        #expect(r.status == 0, "\(r.err)")
        let all = try Self.json(r.out)
        #expect(all.map { $0["RepoTags"] as! [String] } == [["example.com/team/app:latest", "example.com/team/app:v2"], ["example.com/team/app:base"]])
        let one = try Self.json(try run([ladingBinary, "inspect", "docker-archive:\(corpus)/multi.containerd.docker.tar:example.com/team/app:base"]).out)
        #expect(one.map { $0["RepoTags"] as! [String] } == [["example.com/team/app:base"]])
        let tag = try Self.json(try run([ladingBinary, "inspect", "oci:\(corpus)/layout:v2"]).out)
        #expect(tag.map { $0["Id"] as! String } == ["sha256:c72678f805ee1363ae6f4d68530b67834188e419de97d8c8a5441b4ea1743e42"])
        // `@N`: the N-th image of the source, as skopeo's docker-archive source index.
        let second = try Self.json(try run([ladingBinary, "inspect", "docker-archive:\(corpus)/multi.containerd.docker.tar:@1"]).out)
        #expect(second.map { $0["RepoTags"] as! [String] } == [["example.com/team/app:base"]])
        let past = try run([ladingBinary, "inspect", "oci:\(corpus)/layout:@2"])
        #expect(past.status == 1)
        #expect(past.err == "Error: \(corpus)/layout: no image @2 (it holds 2)\n")
    }

    /// `manifest … | sha256sum` is the image ID; `config … | sha256sum` the config digest;
    /// `--platform` picks a child of an index.
    @Test(arguments: addresses)
    func rawDocumentsHashToTheirDigests(_ address: String) throws {
        let ids = try Self.json(try run([ladingBinary, "inspect", address]).out).map { $0["Id"] as! String }
        try #require(!ids.isEmpty)
        for (n, id) in ids.enumerated() {
            let one = ids.count == 1 ? address : "\(address):@\(n)"
            let m = try run(["sh", "-c", "'\(ladingBinary)' manifest '\(one)' | sha256sum"])
            #expect(m.out.hasPrefix(String(id.dropFirst(7)) + " "), "\(one)")
            let manifest = try run([ladingBinary, "manifest", one])
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(manifest.out.utf8)) as? [String: Any])
            guard let config = doc["config"] as? [String: Any] else { continue }
            let c = try run(["sh", "-c", "'\(ladingBinary)' config '\(one)' | sha256sum"])
            #expect(c.out.hasPrefix(String((config["digest"] as! String).dropFirst(7)) + " "), "\(one)")
        }
    }

    @Test func platformPicksAChildOfAnIndex() throws {
        let address = "docker-archive:\(publicData)/apple-containerization/scratch.tar"
        let tree = try run([ladingBinary, "tree", "--format", "json", address])
        let top = try #require(try Self.json(tree.out).first)
        let children = try #require(top["manifests"] as? [[String: Any]])
        let arm = try #require(children.first { $0["platform"] as? String == "linux/arm64" })
        let m = try run(["sh", "-c", "'\(ladingBinary)' manifest --platform linux/arm64 '\(address)' | sha256sum"])
        #expect(m.out.hasPrefix(String((arm["digest"] as! String).dropFirst(7)) + " "))
        let i = try Self.json(try run([ladingBinary, "inspect", "--platform", "linux/arm64", address]).out)
        #expect(i.map { $0["Architecture"] as? String } == ["arm64"])
        let c = try run(["sh", "-c", "'\(ladingBinary)' config --platform linux/arm64 '\(address)' | sha256sum"])
        let armManifest = try #require(try JSONSerialization.jsonObject(with: Data(try run([ladingBinary, "manifest", "--platform", "linux/arm64", address]).out.utf8)) as? [String: Any])
        #expect(c.out.hasPrefix(String(((armManifest["config"] as! [String: Any])["digest"] as! String).dropFirst(7)) + " "))
        let bad = try run([ladingBinary, "manifest", "--platform", "linux/s390x", address])
        #expect(bad.status == 1)
        #expect(bad.err.hasPrefix("Error: image \(top["digest"] as! String) has no manifest for linux/s390x (present: "), "\(bad.err)")
    }

    /// BuildKit's attestations hang under the manifest they describe.
    @Test func treeOfABuildKitIndexWithAttestations() throws {
        let address = "docker-archive:\(publicData)/apple-containerization/scratch.tar"
        let r = try run([ladingBinary, "tree", "--format", "json", address])
        #expect(r.status == 0, "\(r.err)")
        let top = try #require(try Self.json(r.out).first)
        #expect(top["names"] as? [String] == ["registry.local/integration-tests/scratch:latest"])
        #expect(top["kind"] as? String == "index")
        let children = try #require(top["manifests"] as? [[String: Any]])
        #expect(children.map { $0["platform"] as? String } == ["linux/arm64", "linux/amd64"])
        for c in children {
            #expect(c["kind"] as? String == "image")
            let refs = try #require(c["referrers"] as? [[String: Any]])
            #expect(refs.map { $0["kind"] as? String } == ["attestation"])
            #expect(refs.map { $0["subject"] as? String } == [c["digest"] as? String])
        }
        let text = try run([ladingBinary, "tree", address])
        let lines = text.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(text.out)")
        #expect(lines[0].hasPrefix("IMAGE "))
        #expect(lines[1].hasPrefix("registry.local/integration-tests/scratch:latest   "))
        #expect(lines[2].hasPrefix("├─ linux/arm64   "))
        #expect(lines[3].hasPrefix("│  └─ attestation   "))
        #expect(lines[4].hasPrefix("└─ linux/amd64   "))
        #expect(lines[5].hasPrefix("   └─ attestation   "))
    }

    /// A sparse index (docker's save of one platform): the absent manifests are shown as missing.
    @Test func treeOfASparseIndex() throws {
        let r = try run([ladingBinary, "tree", "--format", "json", "docker-archive:\(publicData)/oras-go/hello-world.tar"])
        #expect(r.status == 0, "\(r.err)")
        let top = try #require(try Self.json(r.out).first)
        #expect(top["names"] as? [String] == ["hello-world:latest"])
        let children = try #require(top["manifests"] as? [[String: Any]])
        #expect(children.count == 11)
        #expect(children.map { $0["kind"] as? String } == ["image"] + Array(repeating: "missing", count: 10))
        #expect(children.first?["digest"] as? String == "sha256:f54a58bc1aac5ea1a25d796ae155dc228b3f0e11d046ae276b39c4bf2f13d8c4")
    }

    /// Notary Project signature found by its subject, and the referrers tag index.
    @Test func treeOfANotationSignedLayout() throws {
        let address = "oci:\(publicData)/notation/e2e-valid-signature:v1"
        let r = try run([ladingBinary, "tree", "--format", "json", address])
        #expect(r.status == 0, "\(r.err)")
        let top = try #require(try Self.json(r.out).first)
        #expect(top["digest"] as? String == "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9")
        let refs = try #require(top["referrers"] as? [[String: Any]])
        #expect(refs.map { $0["digest"] as? String } == [
            "sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f",
            "sha256:13e107e0dd246f07ff18998a3d39e226965c41477a1bc1765f7617632ff3f283",
        ])
        #expect(refs.map { $0["kind"] as? String } == ["signature", "referrers"])
        #expect(refs[0]["artifactType"] as? String == "application/vnd.cncf.notary.signature")
        #expect(refs[1]["names"] as? [String] == ["sha256-b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"])
    }

    /// Bad addresses: a clear error naming what is at fault, exit 1, no store created.
    @Test func badAddressesNameWhatIsWrong() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        for verb in ["inspect", "history", "manifest", "config", "tree"] {
            let missing = try run([ladingBinary, verb, "--store", store, "docker-archive:\(dir.path)/nope.tar"])
            #expect(missing.status == 1, "\(verb)")
            #expect(missing.err.hasPrefix("Error: ") && missing.err.contains("\(dir.path)/nope.tar"), "\(verb): \(missing.err)")
            let noImage = try run([ladingBinary, verb, "--store", store, "docker-archive:\(corpus)/v2.skopeo.docker.tar:example.com/other:1"])
            #expect(noImage.status == 1, "\(verb)")
            #expect(noImage.err.hasSuffix("Error: \(corpus)/v2.skopeo.docker.tar: no image named example.com/other:1\n"), "\(verb): \(noImage.err)")
            let layout = try run([ladingBinary, verb, "--store", store, "oci:\(dir.path)/nolayout"])
            #expect(layout.status == 1, "\(verb)")
            #expect(layout.err.hasSuffix("Error: \(dir.path)/nolayout does not exist\n"), "\(verb): \(layout.err)")
        }
        let several = try run([ladingBinary, "manifest", "docker-archive:\(corpus)/multi.containerd.docker.tar"])
        #expect(several.status == 1)
        #expect(several.err == "Error: docker-archive:\(corpus)/multi.containerd.docker.tar holds 2 images (example.com/team/app:latest, example.com/team/app:base); name one as docker-archive:\(corpus)/multi.containerd.docker.tar:REF\n")
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    /// An image of a source that cannot be shown (zot's `nonjson-config`) is named in an
    /// error; the others are printed.
    @Test func oneBadImageDoesNotHideTheOthers() throws {
        let address = "oci:\(publicData)/oras/zot-images"
        let r = try run([ladingBinary, "inspect", address])
        #expect(r.status == 1)
        #expect(try Self.json(r.out).count == 6)
        #expect(r.err == "Error: \(address): image sha256:9d16f5505246424aed7116cb21216704ba8c919997d0f1f37e154c11d509e1d2: config sha256:02c15a8d1735c65bb8ca86c716615d3c0d8beb87dc68ed88bb49192f90b184e2: not valid JSON\n")
    }

    /// `copy` takes `@N` too.
    @Test func copyPicksTheNthImage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let src = "docker-archive:\(corpus)/multi.containerd.docker.tar:@1"
        let want = try Self.json(try run([ladingBinary, "inspect", src]).out).map { $0["Id"] as! String }
        #expect(want.count == 1)
        let c = try run([ladingBinary, "copy", "--store", dir.path + "/s", src, "store:example.com/pick:1"])
        #expect(c.status == 0, "\(c.err)")
        let got = try Self.json(try run([ladingBinary, "inspect", "--store", dir.path + "/s", "example.com/pick:1"]).out)
        #expect(got.map { $0["Id"] as! String } == want)
        let past = try run([ladingBinary, "copy", "--store", dir.path + "/s", "oci:\(corpus)/layout:@5", "store:example.com/pick:2"])
        #expect(past.status == 1)
        #expect(past.err == "Error: \(corpus)/layout: no image @5 (it holds 2)\n")
    }

    /// An existing store is left as it was by every verb on an address, read or refused.
    @Test func anExistingStoreIsNotTouched() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        try #require(try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/v2.skopeo.docker.tar"]).status == 0)
        let before = snapshot(store)
        for verb in ["inspect", "history", "manifest", "config", "tree"] {
            for address in ["docker-archive:\(corpus)/v2.containerd.docker.tar", "oci-archive:\(corpus)/v2.skopeo.oci.tar", "oci:\(corpus)/layout-zstd",
                            "docker-archive:\(corpus)/v2.containerd.docker.tar:nope:1"] {
                let r = try run([ladingBinary, verb, "--store", store, address])
                #expect(r.status == (address.hasSuffix("nope:1") ? 1 : 0), "\(verb) \(address): \(r.err)")
            }
        }
        #expect(snapshot(store) == before)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: store + "/.ingest")) ?? []).isEmpty)
    }

    /// Standard input: `docker-archive:-` is read in one pass too.
    @Test func standardInputIsAnAddress() throws {
        let r = try run(["sh", "-c", "'\(ladingBinary)' tree --format json docker-archive:- < '\(corpus)/multi.containerd.docker.tar'"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try Self.json(r.out).map { $0["names"] as! [String] } == [["example.com/team/app:latest", "example.com/team/app:v2"], ["example.com/team/app:base"]])
    }
}

/// skopeo as the oracle: `manifest` and `config` print the bytes `skopeo inspect --raw`
/// and `--config --raw` print for the same address.
@Suite struct RawDocumentPeerTests {
    static let cases: [(address: String, arch: String?)] = [
        ("oci:\(corpus)/layout:v2", nil),
        ("oci-archive:\(corpus)/v2.skopeo.oci.tar", nil),
        ("oci:\(publicData)/notation/e2e-valid-signature:v1", nil),
        ("oci:\(publicData)/oras/zot-images:multi", "arm64"),
        ("docker-archive:\(corpus)/v2.skopeo.docker.tar", nil),
    ]

    @Test func manifestAndConfigAreSkopeosBytes() throws {
        for c in Self.cases {
            let platform = c.arch.map { ["--platform", "linux/\($0)"] } ?? []
            let override = c.arch.map { ["--override-os", "linux", "--override-arch", $0] } ?? []
            if !c.address.hasPrefix("docker-archive:") {
                // skopeo synthesizes a Docker schema 2 manifest for a docker-archive (lading an
                // OCI one, as Docker 25+ writes it): only the config compares there.
                let skopeo = try run(["skopeo", "inspect", "--raw", c.address])
                #expect(skopeo.status == 0, "\(skopeo.err)")
                #expect(try run([ladingBinary, "manifest", c.address]).out == skopeo.out, "\(c.address)")
            }
            let config = try run(["skopeo"] + override + ["inspect", "--config", "--raw", c.address])
            #expect(config.status == 0, "\(config.err)")
            let mine = try run([ladingBinary, "config"] + platform + [c.address])
            #expect(mine.status == 0, "\(mine.err)")
            #expect(mine.out == config.out, "\(c.address)")
        }
    }
}
