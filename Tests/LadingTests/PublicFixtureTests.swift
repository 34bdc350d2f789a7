import Foundation
import Lading
import Testing
import TestSupport

/// Every fixture in testdata-public: loaded (with the names upstream tests expect,
/// normalized as docker does) or rejected with a clear error.
@Suite struct PublicFixtureTests {
    enum Expect: Sendable { case loads([String], count: Int), rejects(String) }
    struct Case: Sendable, CustomStringConvertible {
        var path: String
        var expect: Expect
        var description: String { path }
    }

    static let cases: [Case] = [
        .init(path: "apple-containerization/scratch.tar", expect: .loads(["registry.local/integration-tests/scratch:latest"], count: 1)),
        .init(path: "containers-image/docker-archive/almostempty.tar", expect: .loads(["docker.io/library/emptyimage:latest"], count: 1)),
        .init(path: "containers-image/oci-layout/delete_image_multiple_images", expect: .rejects("has uncompressed digest")),
        .init(path: "containers-image/oci-layout/delete_image_shared_blobs_dir", expect: .rejects("is not in the layout")),
        .init(path: "containers-libimage/buildkit-docker.tar", expect: .loads(["github.com/buildkit/archive:docker"], count: 1)),
        .init(path: "containers-libimage/buildkit-oci.tar", expect: .loads(["github.com/buildkit/archive:oci"], count: 1)),
        .init(path: "containers-libimage/docker-name-only.tar.xz", expect: .loads(["docker.io/library/pretty-empty:latest"], count: 1)),
        .init(path: "containers-libimage/docker-two-images.tar.xz", expect: .loads(["example.com/empty/but:different", "example.com/empty:latest"], count: 2)),
        .init(path: "containers-libimage/docker-two-names.tar.xz", expect: .loads(["docker.io/library/pretty-empty:latest", "example.com/empty:latest"], count: 1)),
        .init(path: "containers-libimage/docker-unnamed.tar.xz", expect: .loads([], count: 1)),
        .init(path: "containers-libimage/oci-name-only.tar.gz", expect: .loads(["docker.io/library/pretty-empty:latest"], count: 1)),
        .init(path: "containers-libimage/oci-non-docker-name.tar.gz", expect: .rejects("invalid reference \"UPPERCASE-IS-INVALID\": repository name must be lowercase")),
        .init(path: "containers-libimage/oci-registry-name.tar.gz", expect: .loads(["example.com/empty:latest"], count: 1)),
        .init(path: "containers-libimage/oci-unnamed.tar.gz", expect: .loads([], count: 1)),
        .init(path: "dive/test-docker-image.tar", expect: .loads(["docker.io/library/dive-test:latest"], count: 1)),
        .init(path: "dive/test-oci-zstd-image.tar", expect: .loads([], count: 1)),
        .init(path: "go-containerregistry/crane/content.tar", expect: .rejects("not an image archive")),
        .init(path: "go-containerregistry/layout/test_gc_image_unknown_mediatype", expect: .rejects("lists no image manifest")),
        .init(path: "go-containerregistry/layout/test_index_media_type", expect: .loads([], count: 1)),
        .init(path: "go-containerregistry/mutate/whiteout_dir.tar", expect: .loads(["localhost:5000/whiteout:latest"], count: 1)),
        .init(path: "go-containerregistry/tarball-pr889/sparse_foreign.tar", expect: .loads(["gcr.io/foo/bar:latest"], count: 1)),
        .init(path: "go-containerregistry/tarball/hello-world-v25.tar", expect: .loads([], count: 1)),
        .init(path: "go-containerregistry/tarball/no_manifest.tar", expect: .loads(["docker.io/bazel/v1/tarball:test_image"], count: 1)),
        .init(path: "go-containerregistry/tarball/null_manifest.tar", expect: .rejects("manifest.json is null")),
        .init(path: "go-containerregistry/tarball/test_bundle.tar", expect: .rejects("invalid tag \"test_image_2\"")),
        .init(path: "go-containerregistry/tarball/test_link.tar", expect: .loads(["docker.io/bazel/v1/tarball:test_image_1", "docker.io/bazel/v1/tarball:test_image_3"], count: 2)),
        .init(path: "imgutil/busybox", expect: .loads([], count: 1)),
        .init(path: "imgutil/busybox-sparse", expect: .rejects("(index.json manifests[0] > layers[0]) is not in the layout")),
        .init(path: "moby/emptyLayer.tar", expect: .loads(["docker.io/matthughes/library-centos:6-2015.03.20"], count: 1)),
        .init(path: "notation/e2e-valid-signature", expect: .loads([], count: 3)),
        .init(path: "oras-go/hello-world.tar", expect: .loads(["docker.io/library/hello-world:latest"], count: 1)),
        .init(path: "osv-scalibr/layerscanning/empty.tar", expect: .rejects("not an image archive")),
        .init(path: "sarus/saved_image_malicious.tar", expect: .rejects("has 9 layers but its config lists 10 diff IDs")),
        .init(path: "stereoscope/multiplatform_oci_dir", expect: .loads(["docker.io/library/multi-platform:latest"], count: 1)),
        .init(path: "trivy/alpine-310.tar.gz", expect: .loads(["docker.io/library/alpine:3.10"], count: 1)),
        .init(path: "trivy/test_bad_index_json.oci", expect: .rejects("index.json: not valid JSON")),
        .init(path: "trivy/test_index_json_dir.oci", expect: .rejects("index.json is not a regular file")),
        .init(path: "trivy/test_no_valid_manifests.oci", expect: .rejects("index.json: missing field \"schemaVersion\"")),
    ]

    @Test(arguments: cases)
    func loadsOrRejects(_ c: Case) throws {
        try Fixtures.require("\(publicData)/\(c.path)")
        let (service, dir) = try makeStore()
        defer { dir.remove() }
        let before = snapshot(service.layout.root)
        switch c.expect {
        case .loads(let names, let count):
            let r = try service.load(path: "\(publicData)/\(c.path)")
            #expect(r.images.count == count)
            #expect(r.images.flatMap(\.names).map(\.description).sorted() == names)
        case .rejects(let text):
            do {
                _ = try service.load(path: "\(publicData)/\(c.path)")
                Issue.record("\(c.path) loaded")
            } catch {
                #expect("\(error)".contains(text), "\(error)")
                #expect("\(error)".contains(c.path.split(separator: "/").last!), "the error names the file: \(error)")
            }
            #expect(snapshot(service.layout.root) == before)
        }
        #expect(ingestLeftovers(service).isEmpty)
    }
}
