import ImageSpec
import Testing

/// Docker schema 2 layer types and their OCI equivalents (image-spec media-types.md).
@Suite struct MediaTypeTests {
    @Test func dockerLayerTypesMapToTheirOCIEquivalents() {
        #expect(MediaType.ociLayerType(forDocker: "application/vnd.docker.image.rootfs.diff.tar.gzip") == "application/vnd.oci.image.layer.v1.tar+gzip")
        #expect(MediaType.ociLayerType(forDocker: "application/vnd.docker.image.rootfs.diff.tar") == "application/vnd.oci.image.layer.v1.tar")
        #expect(MediaType.ociLayerType(forDocker: "application/vnd.docker.image.rootfs.diff.tar.zstd") == "application/vnd.oci.image.layer.v1.tar+zstd")
        #expect(MediaType.ociLayerType(forDocker: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip")
                == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")
        #expect(MediaType.ociLayerType(forDocker: "application/vnd.docker.image.rootfs.foreign.diff.tar")
                == "application/vnd.oci.image.layer.nondistributable.v1.tar")
    }

    @Test func theBytesCompressionWinsAndOtherTypesAreNotMapped() {
        // A `rootfs.diff.tar` leaves the compression unknown; containerd labels zstd `.tar.gzip`.
        #expect(MediaType.ociLayerType(forDocker: MediaType.dockerLayer, actual: .gzip) == MediaType.ociLayerGzip)
        #expect(MediaType.ociLayerType(forDocker: MediaType.dockerLayerGzip, actual: .zstd) == MediaType.ociLayerZstd)
        #expect(MediaType.ociLayerType(forDocker: MediaType.dockerForeignLayer, actual: .gzip) == MediaType.ociLayerNonDistributableGzip)
        #expect(MediaType.ociLayerType(forDocker: MediaType.ociLayerGzip) == nil)
        #expect(MediaType.ociLayerType(forDocker: "application/vnd.in-toto+json") == nil)
    }
}
