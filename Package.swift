// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "lading",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Lading", targets: ["Lading"]),
        .executable(name: "lading", targets: ["LadingCLI"]),
        // The fuzz targets' entry points, for the libFuzzer package in Fuzz/.
        .library(name: "LadingFuzz", targets: ["LadingFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // libarchive, found with pkg-config; C types never leave TarArchive.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // libdeflate, for parallel gzip compression (one gzip member per block).
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // ISA-L's igzip, for gzip decoding.
        .systemLibrary(
            name: "CIsal",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // The one shape of every error (code, message, cause).
        .target(name: "Diagnostics"),
        // Byte streams: chunk sources, sinks, file and digest sinks, their errors.
        .target(name: "ByteStreams", dependencies: [
            "Diagnostics",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Tar reading and writing, compression filters and raw stream codecs.
        .target(name: "TarArchive", dependencies: [
            "ByteStreams", "CArchive", "CDeflate", "CIsal",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Pure OCI / Docker value types. No I/O.
        .target(name: "ImageSpec", dependencies: [
            "Diagnostics",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The content store over an OCI image layout directory.
        .target(name: "ImageLayout", dependencies: ["Diagnostics", "ImageSpec", "ByteStreams"]),
        // Readers and writers for docker-archive, OCI layout and oci-archive.
        .target(name: "ImageTransport", dependencies: ["Diagnostics", "ImageSpec", "ImageLayout", "TarArchive"]),
        // Layer tarballs: whiteouts, secure apply onto a directory, tree comparison,
        // changeset writing, squash.
        .target(name: "LayerChangeset", dependencies: ["Diagnostics", "ByteStreams", "ImageSpec", "TarArchive"]),
        // Dockerfile instructions applied to an image config (`--change`, commit/import).
        .target(name: "ConfigChanges", dependencies: ["ImageSpec"]),
        // The image service: the operations users and build systems call.
        .target(name: "Lading", dependencies: [
            "Diagnostics", "ImageSpec", "ImageLayout", "ImageTransport", "TarArchive", "LayerChangeset", "ConfigChanges",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "LadingCLI", dependencies: [
            "Lading", "ImageSpec", "ImageLayout",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // One entry point per fuzz target, shared by Fuzz/ and the regression test.
        .target(name: "LadingFuzz", dependencies: [
            "Lading", "ImageSpec", "LayerChangeset", "ConfigChanges", "TarArchive",
        ]),
        .target(name: "TestSupport", dependencies: ["TarArchive"], path: "Tests/TestSupport"),
        .testTarget(name: "ImageSpecTests", dependencies: ["ImageSpec", "TestSupport"]),
        .testTarget(name: "TarArchiveTests", dependencies: ["TarArchive", "ByteStreams", "TestSupport"]),
        .testTarget(name: "LayerChangesetTests", dependencies: ["LayerChangeset", "TarArchive", "ImageSpec", "TestSupport"]),
        .testTarget(name: "ConfigChangesTests", dependencies: ["ConfigChanges", "ImageSpec"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["LadingFuzz"]),
        // The library's public contract: depends on Lading alone, imports only Lading.
        .testTarget(name: "LadingAPITests", dependencies: ["Lading"]),
        .testTarget(name: "LadingTests", dependencies: [
            "Lading", "ImageSpec", "ImageLayout", "ImageTransport", "TarArchive", "TestSupport", "LadingCLI",
        ]),
    ]
)
