// swift-tools-version: 6.0
import PackageDescription

/// Coverage-guided fuzz targets (libFuzzer) for the toolkit's readers, one executable per
/// reader. A separate package, so that the toolkit's own `swift build` and `swift test` never
/// see them; it depends on the toolkit by path. Built by `make fuzz` with
/// `swift build --sanitize fuzzer --sanitize address -Xswiftc -parse-as-library`
/// (libFuzzer supplies `main`; each target defines `LLVMFuzzerTestOneInput`).
let package = Package(
    name: "ThreeFactorFuzz",
    dependencies: [.package(name: "ThreeFactor", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzExperiments", dependencies: ["FuzzSupport", .product(name: "Replication", package: "ThreeFactor")]),
        .executableTarget(name: "FuzzReference", dependencies: ["FuzzSupport", .product(name: "Replication", package: "ThreeFactor")]),
        .executableTarget(name: "FuzzActions", dependencies: [
            "FuzzSupport",
            .product(name: "Replication", package: "ThreeFactor"),
            .product(name: "ThreeFactor", package: "ThreeFactor"),
        ]),
        .executableTarget(name: "FuzzRunLog", dependencies: ["FuzzSupport", .product(name: "Replication", package: "ThreeFactor")]),
    ],
    swiftLanguageModes: [.v5]
)
