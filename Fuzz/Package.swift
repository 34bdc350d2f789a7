// swift-tools-version:5.4
// The libFuzzer executables, one per fuzz target, over the parent package's
// `LadingFuzz` entry points. Built only by scripts/fuzz (with -sanitize=fuzzer,address);
// the parent package's own build and tests never see this one.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry
// point to `<module>_main` and links `main` to it, which leaves libFuzzer's `main`
// out; with 5.4 the link takes libFuzzer's `main` as it is.
import PackageDescription

let package = Package(
    name: "lading-fuzz",
    dependencies: [.package(name: "lading", path: "..")],
    targets: ["archive", "layer", "documents", "change"].map { t in
        .executableTarget(
            name: "fuzz-\(t)",
            dependencies: [.product(name: "LadingFuzz", package: "lading")],
            path: "Sources/\(t)"
        )
    }
)
