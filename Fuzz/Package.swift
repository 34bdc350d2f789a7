// swift-tools-version:6.0
// The libFuzzer executables, one per fuzz target, over the parent package's
// `LadingFuzz` entry points. Built only by scripts/fuzz (with -sanitize=fuzzer,address);
// the parent package's own build and tests never see this one.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, whatever the clone is called.
let parent = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
let targets = ["archive", "layer", "documents", "change"]

let package = Package(
    name: "lading-fuzz",
    dependencies: [.package(path: "..")],
    targets: targets.map { t in
        .executableTarget(
            name: "fuzz-\(t)",
            dependencies: [.product(name: "LadingFuzz", package: parent.lastPathComponent)],
            path: "Sources/\(t)"
        )
    }
)
