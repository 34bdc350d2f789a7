import Foundation
import Testing
import TestSupport
@testable import ImageSpec

func plat(_ s: String) -> Platform {
    let p = s.split(separator: "/").map(String.init)
    return Platform(os: p[0], architecture: p.count > 1 ? p[1] : "", variant: p.count > 2 ? p[2] : nil)
}

@Suite struct PlatformNormalizationTests {
    @Test(arguments: [
        ("linux/i386", "linux/386"), ("linux/i386/v7", "linux/386"), ("linux/x86_64", "linux/amd64"),
        ("linux/x86-64/v1", "linux/amd64"), ("linux/amd64/v2", "linux/amd64/v2"), ("linux/aarch64", "linux/arm64"),
        ("linux/aarch64/8", "linux/arm64"), ("linux/arm64/v8", "linux/arm64"), ("linux/arm64/v8.2", "linux/arm64/v8.2"),
        ("linux/armhf", "linux/arm/v7"), ("linux/armel", "linux/arm/v6"), ("linux/arm", "linux/arm/v7"),
        ("linux/arm/7", "linux/arm/v7"), ("linux/arm/5", "linux/arm/v5"), ("linux/arm/6", "linux/arm/v6"),
        ("linux/arm/8", "linux/arm/v8"), ("Linux/AMD64", "linux/amd64"), ("macos/arm64", "darwin/arm64"),
        ("windows/amd64", "windows/amd64"), ("linux/ppc64le", "linux/ppc64le"),
    ])
    func normalizes(_ input: String, _ expected: String) {
        #expect(plat(input).normalized.description == expected)
    }

    @Test func emptyOSBecomesHost() {
        #expect(Platform(os: "", architecture: "amd64").normalized(hostOS: "linux").description == "linux/amd64")
    }

    static let amd64Host = Platform(os: "linux", architecture: "amd64")
    static let armHost = Platform(os: "linux", architecture: "arm", variant: "v6")

    @Test(arguments: [
        ("linux", "linux/amd64"), ("arm64", "linux/arm64"), ("aarch64", "linux/arm64"), ("arm", "linux/arm"),
        ("armhf", "linux/arm"), ("armel", "linux/arm/v6"), ("i386", "linux/386"), ("linux/arm", "linux/arm"),
        ("linux/arm/v7", "linux/arm/v7"), ("linux/arm64/v8", "linux/arm64/v8"), ("linux/arm64", "linux/arm64"),
        ("linux/aarch64/v8", "linux/arm64/v8"), ("windows", "windows/amd64"), ("linux/x86_64/v3", "linux/amd64/v3"),
        ("darwin/amd64", "darwin/amd64"), ("macos", "darwin/amd64"),
    ])
    func parses(_ spec: String, _ expected: String) throws {
        #expect(try Platform.parse(spec, host: Self.amd64Host).description == expected)
    }

    @Test func singleOSOnArmHostKeepsNonV7Variant() throws {
        #expect(try Platform.parse("linux", host: Self.armHost).description == "linux/arm/v6")
        #expect(try Platform.parse("linux", host: Platform(os: "linux", architecture: "arm", variant: "v7")).description == "linux/arm")
    }

    @Test(arguments: ["linux/*", "foo", "linux/amd64/v2/x", "linux//amd64", "linux/amd 64", ""])
    func refuses(_ spec: String) {
        #expect(throws: SpecError.self) { try Platform.parse(spec, host: Self.amd64Host) }
    }

    @Test func errorText() {
        #expect(throws: SpecError(.invalidPlatform, #""foo": unknown operating system or architecture: invalid argument"#)) {
            try Platform.parse("foo", host: Self.amd64Host)
        }
    }

    @Test func hostFromCPUInfo() {
        #expect(Platform.host(architecture: "arm64", cpuinfo: "processor\t: 0\nCPU architecture: 8\n").description == "linux/arm64/v8")
        #expect(Platform.host(architecture: "arm", cpuinfo: "CPU architecture: 7\n").description == "linux/arm/v7")
        #expect(Platform.host(architecture: "arm", cpuinfo: "model name\t: ARMv6-compatible processor rev 7 (v6l)\nCPU architecture: 7\n").description == "linux/arm/v6")
        #expect(Platform.host(architecture: "arm", cpuinfo: "CPU architecture: 6TEJ").description == "linux/arm/v6")
        #expect(Platform.host(architecture: "amd64", cpuinfo: "flags: avx2").description == "linux/amd64")
        #expect(Platform.host.os == "linux")
    }
}

@Suite struct PlatformMatcherTests {
    @Test(arguments: [
        ("linux/amd64", ["linux/amd64", "linux/386"]),
        ("linux/amd64/v3", ["linux/amd64/v3", "linux/amd64/v2", "linux/amd64", "linux/386"]),
        ("linux/arm/v7", ["linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
        ("linux/arm/v5", ["linux/arm/v5"]),
        ("linux/arm64", ["linux/arm64", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
        ("linux/arm64/v8", ["linux/arm64", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
        ("linux/arm64/v8.2", ["linux/arm64/v8.2", "linux/arm64/v8.1", "linux/arm64", "linux/arm/v8", "linux/arm/v7",
                              "linux/arm/v6", "linux/arm/v5"]),
        ("linux/386", ["linux/386"]),
        ("linux/ppc64le", ["linux/ppc64le"]),
        // Levels that do not exist count down from the highest that does.
        ("linux/amd64/v7", ["linux/amd64/v7", "linux/amd64/v4", "linux/amd64/v3", "linux/amd64/v2", "linux/amd64", "linux/386"]),
        ("linux/arm/v761111111111111", ["linux/arm/v761111111111111", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
        ("linux/arm64/v99999999999", ["linux/arm64/v99999999999", "linux/arm/v99999999999", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
    ])
    func preferenceOrder(_ p: String, _ expected: [String]) {
        #expect(PlatformMatcher.only(plat(p)).preferences.map(\.description) == expected)
    }

    @Test func plainAmd64AcceptsOnly386Besides() {
        let m = PlatformMatcher.only(plat("linux/amd64"))
        #expect(m.matches(plat("linux/386")))
        #expect(m.matches(plat("linux/x86_64")))
        #expect(m.matches(plat("linux/amd64/v1")))
        #expect(!m.matches(plat("linux/amd64/v2")))
        #expect(!m.matches(plat("linux/arm64")))
        #expect(!m.matches(plat("windows/amd64")))
        #expect(m.prefers(plat("linux/amd64"), over: plat("linux/386")))
        #expect(!m.prefers(plat("linux/386"), over: plat("linux/amd64")))
    }

    @Test func arm64Equivalence() {
        #expect(PlatformMatcher.onlyStrict(plat("linux/arm64/v8")).matches(plat("linux/arm64")))
        #expect(PlatformMatcher.onlyStrict(plat("linux/aarch64")).matches(plat("linux/arm64/v8")))
        #expect(!PlatformMatcher.onlyStrict(plat("linux/arm64")).matches(plat("linux/arm/v8")))
        #expect(PlatformMatcher.only(plat("linux/arm64")).matches(plat("linux/armhf")))
        #expect(!PlatformMatcher.onlyStrict(plat("linux/amd64")).matches(plat("linux/386")))
        #expect(!PlatformMatcher.onlyStrict(plat("linux/arm/v7")).matches(plat("linux/arm/v6")))
    }

    @Test func allAndAny() {
        #expect(PlatformMatcher.all.matches(plat("unknown/unknown")))
        #expect(!PlatformMatcher.all.prefers(plat("linux/amd64"), over: plat("linux/arm64")))
        let pref = PlatformMatcher.allPreferring(plat("linux/arm64"))
        #expect(pref.matches(plat("windows/amd64")))
        #expect(pref.prefers(plat("linux/arm/v7"), over: plat("linux/amd64")))
        let any = PlatformMatcher.any([plat("linux/arm64"), plat("linux/amd64")])
        #expect(any.prefers(plat("linux/amd64"), over: plat("linux/s390x")))
        #expect(!any.prefers(plat("linux/arm64"), over: plat("linux/amd64")))
        let ord = PlatformMatcher.ordered([plat("linux/arm64"), plat("linux/amd64")])
        #expect(ord.prefers(plat("linux/arm64"), over: plat("linux/amd64")))
    }
}

/// Index fixtures from `testdata/public` (see testdata/SOURCES.md).
@Suite struct IndexSelectionTests {
    static var root: String { Fixtures.publicData + "/" }

    static func index(_ path: String) throws -> ImageIndex {
        let data = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.require(root + path)))
        return try JSON.decode(ImageIndex.self, from: Array(data), what: path)
    }

    static func best(_ path: String, _ p: String) throws -> String? {
        PlatformMatcher.only(plat(p)).bestManifest(in: try index(path))?.digest.description
    }

    static let stereoscope = "stereoscope/multiplatform_oci_dir/blobs/sha256/a1a8d08faa5fe3d2ccc0ba54874e39dede9a17120f883c5cb56f2fd9309067c8"
    static let zot = "oras/zot-images/blobs/sha256/e2bfc9cc6a84ec2d7365b5a28c6bc5806b7fa581c9ad7883be955a64e3cc034f"
    static let alpine = "containers-image/oci-layout/delete_image_multiple_images/blobs/sha256/a2f798327b3f25e3eff54badcb769953de235e62e3e32051d57a5e66246de4a1"

    @Test func stereoscopeMultiPlatform() throws {
        try Fixtures.require(Self.root + Self.stereoscope)
        #expect(try Self.best(Self.stereoscope, "linux/amd64") == "sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8")
        #expect(try Self.best(Self.stereoscope, "linux/arm64") == "sha256:5ed07065bcbc6c52e3ad28526557d7b6833613fc79257b1a786de85e37c03b05")
        #expect(try Self.best(Self.stereoscope, "linux/ppc64le") == nil)
        #expect(try Self.best(Self.stereoscope, "linux/arm/v7") == nil)
        #expect(try Self.best(Self.stereoscope, "linux/386") == nil)
    }

    @Test func zotMulti() throws {
        try Fixtures.require(Self.root + Self.zot)
        let amd = "sha256:9d84a5716c66a1d1b9c13f8ed157ba7d1edfe7f9b8766728b8a1f25c0d9c14c1"
        let arm64 = "sha256:4f93460061882467e6fb3b772dc6ab72130d9ac1906aed2fc7589a5cd145433c"
        let armv7 = "sha256:58efe73e78fe043ca31b89007a025c594ce12aa7e6da27d21c7b14b50112e255"
        #expect(try Self.best(Self.zot, "linux/amd64") == amd)
        #expect(try Self.best(Self.zot, "linux/arm64") == arm64)
        #expect(try Self.best(Self.zot, "linux/arm/v7") == armv7)
        #expect(try Self.best(Self.zot, "linux/arm/v8") == armv7)
        #expect(try Self.best(Self.zot, "linux/arm/v6") == nil)
        #expect(try Self.best(Self.zot, "linux/386") == nil)
        let order = PlatformMatcher.only(plat("linux/arm64")).ranked(try Self.index(Self.zot).manifests).map(\.digest.description)
        #expect(order == [arm64, armv7])
    }

    @Test func alpineAmd64And386() throws {
        try Fixtures.require(Self.root + Self.alpine)
        let amd = "sha256:93cbd11a4f41467a0409b975499ae711bc6f8222de38d9f1b5a4097583195ad5"
        let i386 = "sha256:f6d60fd529b234d3e28837e15294d935f55da58ce57c4f9218cad38d0be82ce3"
        #expect(try Self.best(Self.alpine, "linux/amd64") == amd)
        #expect(try Self.best(Self.alpine, "linux/386") == i386)
        #expect(try Self.best(Self.alpine, "linux/amd64/v2") == amd)
        #expect(try Self.best(Self.alpine, "linux/arm64") == nil)
        // An index listing 386 first still yields amd64 for an amd64 host.
        var idx = try Self.index(Self.alpine)
        idx.manifests.reverse()
        #expect(PlatformMatcher.only(plat("linux/amd64")).bestManifest(in: idx)?.digest.description == amd)
    }
}

@Suite struct DescriptorClassificationTests {
    static let d = Digest(sha256Hex: String(repeating: "a", count: 64))

    @Test func attestationsAndPseudoImages() {
        var att = Descriptor(mediaType: MediaType.ociManifest, digest: Self.d, size: 1,
                             annotations: [AnnotationKey.referenceType: "", AnnotationKey.referenceDigest: Self.d.description],
                             platform: Platform(os: "unknown", architecture: "unknown"))
        #expect(att.isAttestation && att.isPseudoImage())
        #expect(att.attestationSubject == Self.d)
        att.annotations = nil
        #expect(!att.isAttestation && att.isPseudoImage())
        let real = Descriptor(mediaType: MediaType.ociManifest, digest: Self.d, size: 1, platform: plat("linux/amd64"))
        #expect(!real.isPseudoImage())
        let cfg = Descriptor(mediaType: MediaType.ociConfig, digest: Self.d, size: 1)
        let empty = ImageManifest(mediaType: MediaType.ociManifest, config: cfg, layers: [])
        #expect(!real.isPseudoImage(manifest: empty))
        let artifact = ImageManifest(mediaType: MediaType.ociManifest, config: cfg,
                                     layers: [Descriptor(mediaType: "application/vnd.in-toto+json", digest: Self.d, size: 1)])
        #expect(real.isPseudoImage(manifest: artifact))
        let image = ImageManifest(mediaType: MediaType.ociManifest, config: cfg,
                                  layers: [Descriptor(mediaType: "application/vnd.in-toto+json", digest: Self.d, size: 1),
                                           Descriptor(mediaType: MediaType.dockerLayerGzip, digest: Self.d, size: 1)])
        #expect(!real.isPseudoImage(manifest: image))
    }

    @Test func imagePlatform() {
        var config = ImageConfig(architecture: "arm", os: "linux", rootfs: RootFS(diffIDs: []))
        config.variant = "v7"
        let without = Descriptor(mediaType: MediaType.ociManifest, digest: Self.d, size: 1)
        #expect(without.imagePlatform(config: config).description == "linux/arm/v7")
        let with = Descriptor(mediaType: MediaType.ociManifest, digest: Self.d, size: 1, platform: plat("linux/arm64"))
        #expect(with.imagePlatform(config: config).description == "linux/arm64")
    }

    @Test func platformlessDescriptorsSortLast() {
        let a = Descriptor(mediaType: MediaType.ociManifest, digest: Digest(sha256Hex: String(repeating: "1", count: 64)), size: 1)
        let b = Descriptor(mediaType: MediaType.ociManifest, digest: Digest(sha256Hex: String(repeating: "2", count: 64)), size: 1,
                           platform: plat("linux/386"))
        let c = Descriptor(mediaType: MediaType.ociManifest, digest: Digest(sha256Hex: String(repeating: "3", count: 64)), size: 1,
                           platform: plat("linux/amd64"))
        let d = Descriptor(mediaType: MediaType.ociManifest, digest: Digest(sha256Hex: String(repeating: "4", count: 64)), size: 1,
                           platform: plat("linux/arm64"))
        let ranked = PlatformMatcher.only(plat("linux/amd64")).ranked([a, b, c, d]).map { $0.digest.encoded.prefix(1) }
        #expect(ranked == ["3", "2", "1"])
    }
}
